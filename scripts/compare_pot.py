#!/usr/bin/python3
"""Runs POT and lexalign's entropic OT solvers on the same problems, in the
same run, and prints one JSON object per line and problem.

    cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_BENCHMARKS=ON
    cmake --build build/bench --target ot_compare_tool
    /usr/bin/python3 scripts/compare_pot.py --quick      # < 1 minute
    /usr/bin/python3 scripts/compare_pot.py              # n = 512, 2048, 4096

Problems: squared-Euclidean cost between random 64-d Gaussian points, scaled
to max 1 (ot.dist / max); uniform marginals; epsilon 0.1 and 0.01; float64 and
float32; 1 and 2 threads (ours: `parallel.threads`; POT: OPENBLAS_NUM_THREADS
and OMP_NUM_THREADS in a separate process).  Solvers: ot.sinkhorn (scaling),
ot.sinkhorn(method='sinkhorn_log'), ot.bregman.barycenter (3 histograms,
uniform weights) against ot::sinkhorn (scaling / log) and ot::barycenter.

Both sides run a fixed number of iterations (no early stop).  Per-iteration
time: POT = (total - its set-up: the kernel exp, measured separately) / iters;
ours = the time between the first and last observer call / iterations between
them (kernel, set-up and plan excluded).  Medians over --repeats runs.  Fields:
ratio = pot_ms_per_iteration / ours_ms_per_iteration (> 1: we are faster),
wall-clock; the *_cpu_* fields and cpu_ratio use process CPU time instead
(fairer on a busy machine with 1 thread; with 2 threads CPU time adds both);
loadavg is the 1-minute load average when the line was printed;
max_abs_difference = max |f_ours - f_POT| of the row potential f = eps log u
after the same iterations (our run starts where POT's first half-iteration
ends), or of the barycenter weights.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIM = 64


def problem_path(tmp, n, seed):
    return os.path.join(tmp, "problem_%d_%d.bin" % (n, seed))


def make_problems(tmp, sizes):
    import numpy as np
    import ot
    out = {}
    for n in sizes:
        rng = np.random.RandomState(1000 + n)
        x, y = rng.randn(n, DIM), rng.randn(n, DIM)
        scale = 1.0 / ot.dist(x, y).max()
        scale_xx = 1.0 / ot.dist(x, x).max()
        H = rng.uniform(0.1, 1.0, (3, n))
        H /= H.sum(1, keepdims=True)
        path = problem_path(tmp, n, 0)
        with open(path, "wb") as f:
            np.concatenate([x.ravel(), y.ravel(), [scale, scale_xx], H.ravel()]).astype(np.float64).tofile(f)
        out[n] = path
    return out


def load_problem(path, n):
    import numpy as np
    v = np.fromfile(path, dtype=np.float64)
    x = v[: n * DIM].reshape(n, DIM)
    y = v[n * DIM: 2 * n * DIM].reshape(n, DIM)
    scale, scale_xx = v[2 * n * DIM], v[2 * n * DIM + 1]
    H = v[2 * n * DIM + 2:].reshape(3, n)
    return x, y, scale, scale_xx, H


def pot_worker(spec_path):
    """Runs in a child process with the BLAS thread count set in its environment."""
    import numpy as np
    import ot
    import warnings
    warnings.simplefilter("ignore")
    spec = json.load(open(spec_path))
    for job in spec["jobs"]:
        n, dtype, eps, iters, reps = job["n"], job["dtype"], job["epsilon"], job["iters"], job["repeats"]
        x, y, scale, scale_xx, H = load_problem(job["problem"], n)
        dt = np.float32 if dtype == "f32" else np.float64
        if job["solver"] == "barycenter":  # POT's barycenter assumes a symmetric cost
            M = (ot.dist(x, x) * scale_xx).astype(dt)
        else:
            M = (ot.dist(x, y) * scale).astype(dt)
        a = np.full(n, 1.0 / n, dtype=dt)
        b = a.copy()
        A = H.T.astype(dt).copy()
        times, setups, ctimes, csetups = [], [], [], []
        clock = time.perf_counter
        cclock = time.process_time
        for _ in range(reps):
            if job["solver"] == "sinkhorn":
                t0, c0 = clock(), cclock()
                K = np.exp(M / (-eps))
                Kp = (1 / a).reshape(-1, 1) * K
                setups.append(clock() - t0)
                csetups.append(cclock() - c0)
                del K, Kp
                t0, c0 = clock(), cclock()
                _, log = ot.sinkhorn(a, b, M, eps, method="sinkhorn", numItermax=iters, stopThr=0, log=True)
                times.append(clock() - t0)
                ctimes.append(cclock() - c0)
                with np.errstate(divide="ignore"):
                    res = eps * np.log(log["u"])
            elif job["solver"] == "sinkhorn_log":
                t0, c0 = clock(), cclock()
                Mr = -M / eps
                setups.append(clock() - t0)
                csetups.append(cclock() - c0)
                del Mr
                t0, c0 = clock(), cclock()
                _, log = ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", numItermax=iters, stopThr=0, log=True)
                times.append(clock() - t0)
                ctimes.append(cclock() - c0)
                res = eps * log["log_u"]
            else:
                t0, c0 = clock(), cclock()
                K = np.exp(M / (-eps))
                setups.append(clock() - t0)
                csetups.append(cclock() - c0)
                del K
                t0, c0 = clock(), cclock()
                res = ot.bregman.barycenter(A, M, eps, method="sinkhorn", numItermax=iters, stopThr=0)
                times.append(clock() - t0)
                ctimes.append(cclock() - c0)
        per_it = sorted((t - s) / iters * 1e3 for t, s in zip(times, setups))
        cper_it = sorted((t - s) / iters * 1e3 for t, s in zip(ctimes, csetups))
        np.save(job["out"], np.asarray(res, dtype=np.float64))
        print(json.dumps({"key": job["key"], "pot_ms_per_iteration": per_it[len(per_it) // 2],
                          "pot_cpu_ms_per_iteration": cper_it[len(cper_it) // 2]}), flush=True)


def loadavg():
    try:
        return float(open("/proc/loadavg").read().split()[0])
    except OSError:
        return None


def ap_given(value, default):
    """value if it differs from the option's default, else None"""
    return None if value == default else value


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="n = 512 and 2048, fewer iterations, one repeat (< 1 min)")
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "bench", "benchmarks", "ot", "ot_compare_tool"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--sizes", default=None, help="comma-separated n (default 512,2048,4096; --quick 512,2048)")
    ap.add_argument("--solvers", default="sinkhorn,sinkhorn_log,barycenter")
    ap.add_argument("--dtypes", default="f64,f32")
    ap.add_argument("--epsilons", default="0.1,0.01")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--pot-worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pot_worker:
        pot_worker(args.pot_worker)
        return
    if not os.path.exists(args.tool):
        sys.exit("compare_pot.py: %s not found; build it with -DLEXALIGN_BUILD_BENCHMARKS=ON --target ot_compare_tool" % args.tool)

    sizes = [int(s) for s in (args.sizes or ("512,2048" if args.quick else "512,2048,4096")).split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    solvers = args.solvers.split(",")
    dtypes = args.dtypes.split(",")
    epsilons = [float(e) for e in args.epsilons.split(",")]
    repeats = args.repeats or (1 if args.quick else 3)

    def iterations(n, solver):
        if args.quick:
            return 10 if n >= 2048 and solver == "sinkhorn_log" else 20
        base = {512: 100, 2048: 40, 4096: 20}.get(n, 20)
        return max(10, base // 2) if solver == "sinkhorn_log" else base

    import numpy as np
    with tempfile.TemporaryDirectory(prefix="lexalign_ot_") as tmp:
        problems = make_problems(tmp, sizes)
        jobs = []
        for t in threads:
            for solver in solvers:
                for n in sizes:
                    for dtype in dtypes:
                        for eps in epsilons:
                            key = "%s-%d-%s-%g-%d" % (solver, n, dtype, eps, t)
                            jobs.append(dict(key=key, solver=solver, n=n, dtype=dtype, epsilon=eps, threads=t,
                                             iters=iterations(n, solver), repeats=repeats, problem=problems[n],
                                             out=os.path.join(tmp, key + ".npy")))
        pot = {}
        for t in threads:
            spec = os.path.join(tmp, "spec_%d.json" % t)
            json.dump({"jobs": [j for j in jobs if j["threads"] == t]}, open(spec, "w"))
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t), MKL_NUM_THREADS=str(t))
            proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--pot-worker", spec], env=env,
                                  stdout=subprocess.PIPE, check=True, text=True)
            for line in proc.stdout.splitlines():
                d = json.loads(line)
                pot[d["key"]] = d
        for j in jobs:
            out = os.path.join(tmp, j["key"] + ".ours")
            subprocess.run([args.tool, j["solver"], j["dtype"], str(j["n"]), str(DIM), repr(j["epsilon"]),
                            str(j["iters"]), str(j["threads"]), str(repeats), j["problem"], out], check=True)
            with open(out, "rb") as f:
                header = f.readline().decode().split()
                ours_ms, ours_cpu = float(header[1]), float(header[3])
                ours = np.frombuffer(f.read(), dtype=np.float64)
            ref = np.load(j["out"])
            finite = np.isfinite(ref) & np.isfinite(ours)
            diff = float(np.max(np.abs(ours[finite] - ref[finite]))) if finite.any() else None
            pot_ms, pot_cpu = pot[j["key"]]["pot_ms_per_iteration"], pot[j["key"]]["pot_cpu_ms_per_iteration"]
            print(json.dumps({
                "solver": j["solver"], "n": j["n"], "dtype": j["dtype"], "epsilon": j["epsilon"],
                "threads": j["threads"], "iterations": j["iters"],
                "ours_ms_per_iteration": round(ours_ms, 4), "pot_ms_per_iteration": round(pot_ms, 4),
                "ratio": round(pot_ms / ours_ms, 2) if ours_ms > 0 else None,
                "ours_cpu_ms_per_iteration": round(ours_cpu, 4), "pot_cpu_ms_per_iteration": round(pot_cpu, 4),
                "cpu_ratio": round(pot_cpu / ours_cpu, 2) if ours_cpu > 0 else None,
                "max_abs_difference": diff,
                "pot_nonfinite": int((~np.isfinite(ref)).sum()),
                "loadavg": loadavg(),
            }), flush=True)

    # The exact solvers follow a default run (a run narrowed with --sizes,
    # --solvers, --dtypes or --epsilons is about the entropic ones only).
    exact = os.path.join(ROOT, "scripts", "compare_pot_exact.py")
    narrowed = any(x is not None for x in (args.sizes, ap_given(args.solvers, "sinkhorn,sinkhorn_log,barycenter"),
                                           ap_given(args.dtypes, "f64,f32"), ap_given(args.epsilons, "0.1,0.01")))
    if os.path.exists(exact) and not narrowed:
        flags = (["--quick"] if args.quick else []) + (["--repeats", str(args.repeats)] if args.repeats else [])
        proc = subprocess.run([sys.executable, exact] + flags, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            print("compare_pot.py: %s exited with %d" % (exact, proc.returncode), file=sys.stderr)


if __name__ == "__main__":
    main()
