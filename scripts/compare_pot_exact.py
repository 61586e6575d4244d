#!/usr/bin/python3
"""Times lexalign's exact solvers against POT's ot.emd on the same problems.

    /usr/bin/python3 scripts/compare_pot_exact.py [--quick] [--build-dir DIR] [--repeats K]

Problems (as in issue 4): uniform masses, squared Euclidean cost between
random 64-d points (uniform in [0,1)^64), scaled to max 1; n x n for n in
256, 512, 1024 (and 2048 without --quick); float64 and float32.

Prints one JSON object per line and problem:
  solver          "emd" (ot::emd) or "assignment" (ot::assignment; the same
                  problem is an assignment problem because the masses are
                  uniform, so POT's ot.emd is its reference too)
  n, dtype, epsilon (null: exact solvers), threads (1)
  ours_ms_per_iteration, pot_ms_per_iteration
                  the median wall time of one whole solve in ms (exact
                  solvers have no fixed-cost iterations, so "per iteration"
                  means per solve)
  ratio           pot_ms / ours_ms (> 1: lexalign is faster)
  max_abs_difference  |our cost - POT's cost|
  ours_min_ms, pot_min_ms, repeats, pivots (emd only)
Our side runs the C++ tool lexalign_ot_exact_tool (benchmarks/ot_exact/tool),
built here in Release with -march=native if missing.  POT's ot.emd gets the
float64 cost in both dtypes (it converts to float64 anyway).  The machine is
shared: we report medians of K repeats and the load average at the start.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import ot

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def build_tool(build_dir):
    tool = os.path.join(build_dir, "benchmarks", "ot_exact", "tool", "lexalign_ot_exact_tool")
    if not os.path.exists(tool):
        subprocess.check_call(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                               "-DLEXALIGN_BUILD_BENCHMARKS=ON", "-DLEXALIGN_BUILD_TESTS=OFF",
                               "-DLEXALIGN_BUILD_EXAMPLES=OFF", "-DLEXALIGN_PACKAGING_TESTS=OFF"],
                              stdout=subprocess.DEVNULL)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "lexalign_ot_exact_tool"],
                              stdout=subprocess.DEVNULL)
    return tool


def problem(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 64)
    y = rng.rand(n, 64)
    M = ot.dist(x, y)
    M /= M.max()
    return ot.unif(n), ot.unif(n), M


def time_pot(a, b, M, repeats):
    ot.emd(a, b, M)  # warm-up
    ts = []
    cost = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        G = ot.emd(a, b, M)
        ts.append((time.perf_counter() - t0) * 1e3)
        cost = float(np.sum(G * M))
    ts.sort()
    return ts[len(ts) // 2], ts[0], cost


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="n in 256, 512, 1024 and 3 repeats (under a minute)")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"))
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--solvers", default="emd,assignment")
    args = p.parse_args()
    sizes = [256, 512, 1024] if args.quick else [256, 512, 1024, 2048]
    repeats = args.repeats or (3 if args.quick else 7)
    tool = build_tool(args.build_dir)
    print("# load average at start: %.2f %.2f %.2f (2 cores, shared)" % os.getloadavg(), file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            a, b, M = problem(n, 1000 + n)
            path = os.path.join(tmp, "p%d.bin" % n)
            with open(path, "wb") as f:
                f.write(struct.pack("<qq", n, n))
                f.write(np.ascontiguousarray(a, dtype="<f8").tobytes())
                f.write(np.ascontiguousarray(b, dtype="<f8").tobytes())
                f.write(np.ascontiguousarray(M, dtype="<f8").tobytes())
            pot_med, pot_min, pot_cost = time_pot(a, b, M, repeats)
            for solver in args.solvers.split(","):
                if solver == "assignment" and n > 1024:
                    continue  # O(n^3): the comparison at n <= 1024 says enough
                for dtype in ("float64", "float32"):
                    out = subprocess.check_output([tool, solver, dtype, path, str(repeats)], text=True)
                    ours = json.loads(out)
                    rec = {
                        "solver": solver,
                        "n": n,
                        "dtype": dtype,
                        "epsilon": None,
                        "threads": 1,
                        "ours_ms_per_iteration": round(ours["median_ms"], 3),
                        "pot_ms_per_iteration": round(pot_med, 3),
                        "ratio": round(pot_med / ours["median_ms"], 3),
                        "max_abs_difference": abs(ours["cost"] - pot_cost),
                        "ours_min_ms": round(ours["min_ms"], 3),
                        "pot_min_ms": round(pot_min, 3),
                        "repeats": repeats,
                        "timing": "ms per whole solve",
                    }
                    if solver == "emd":
                        rec["pivots"] = ours["iterations"]
                    print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
