#!/usr/bin/python3
"""Times lexalign's extract/ methods against a faithful NumPy transcription
of SimAlign's and awesome-align's extraction, on the same matrices, in the
same run.

    /usr/bin/python3 scripts/compare_extract.py PATH_TO_lexalign_extract_tool [--pairs K] [--repeats R]
        [--hot N | --hot-kib K] [--matrix-only] [--sizes 20,50,100] [--methods argmax,...]

PATH_TO_TOOL is benchmarks/extract/tool's lexalign_extract_tool (build with
-DLEXALIGN_BUILD_BENCHMARKS=ON, Release).  For m = n = 20, 50, 100, K random
sentence pairs: token vectors in 64-d, S = (cos+1)/2 for SimAlign's methods
(argmax, itermax, matching) and S = raw dot products of vectors scaled to
norm ~8 for awesome-align's softmax.  The NumPy side is a transcription of
the reference code's semantics (ALGORITHMS.md §8.1, §8.2):

  argmax    SimAlign get_max_alignment: eye(n)[argmax(1)] * eye(m)[argmax(0)].T
  itermax   SimAlign iter_max(max_count=2, alpha_ratio=0.9), masks and all
  matching  SimAlign "mwmf" via scipy.optimize.linear_sum_assignment(maximize=True)
            (SimAlign itself calls networkx's max_weight_matching, far slower)
  softmax   awesome-align: softmax over rows and over columns, both > 0.001,
            float64 matrices on both sides (NumPy and lexalign compute in double)
  softmax32 the same on float32 matrices: NumPy computes in float32 (its dtype
            follows the input, as awesome-align's torch code does) and lexalign
            in float32 (softmax_precision::as_input); like with like

Both sides return links: lexalign an extract_result (index pairs and a
score per link), NumPy the index pairs of its indicator matrix, np.nonzero
of `matrix > 0` (SimAlign's get_word_aligns keeps the cells > 0 of each
method's matrix, awesome-align calls torch.nonzero on its bool mask);
matching returns linear_sum_assignment's (rows, cols) as they are, in
both modes.
--matrix-only leaves that conversion out of NumPy's timed call (the
indicator matrix only, as this script measured before; lexalign still
builds its link list then).

Both sides run one thread (OPENBLAS/OMP/MKL threads = 1).  Prints one line
per method and size: per-matrix median wall microseconds of NumPy and of
lexalign and their ratio (NumPy / lexalign, > 1 = lexalign faster), the
same for CPU time of the process (time.process_time, CLOCK_PROCESS_CPUTIME_ID:
on a shared, loaded machine the time a process waits descheduled inflates
wall time, and unequally), and the fraction of matrices where both return
the same links (with --hot: over the N matrices); then the floor (CPU
time of one read of every entry of the same matrices: the tool's `touch`),
max_ratio = NumPy CPU / floor (no implementation that reads the matrix can
beat NumPy by more), and NumPy's and lexalign's CPU nanoseconds per matrix
element; then `uptime`.  --hot N times each method on the first N matrices
only, cycled until as many calls as --pairs (the same memory each time, on
both sides), so that they stay in cache;
the gap between the two runs is the cost of cold data.  Caveat: with a few
matrices cycled the branch predictors learn each input; SciPy's
linear_sum_assignment then runs 3x faster at 20 x 20 (3.6 us on the first
4 matrices cycled alone, 10.9 us on the same 4 among the 200) and 2.6x at
50 x 50, which is not cache residency.  --hot-kib K cycles as many
matrices as fill K KiB (512: 163, 26 and 6 at 20, 50, 100): cache-resident,
and too many to learn at 20 and 50.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

try:
    from scipy.optimize import linear_sum_assignment
except ImportError:  # python3-scipy missing: matching is skipped
    linear_sum_assignment = None


# --- NumPy transcription of the reference extraction --------------------------------

def np_argmax(sim):
    m, n = sim.shape
    forward = np.eye(n)[sim.argmax(axis=1)]
    backward = np.eye(m)[sim.argmax(axis=0)]
    return forward * backward.transpose()


def np_itermax(sim, max_count=2, alpha_ratio=0.9):
    m, n = sim.shape
    forward = np.eye(n)[sim.argmax(axis=1)]
    backward = np.eye(m)[sim.argmax(axis=0)]
    inter = forward * backward.transpose()
    if min(m, n) <= 2:
        return inter
    new_inter = np.zeros((m, n))
    count = 1
    while count < max_count:
        mask_x = 1.0 - np.tile(inter.sum(1)[:, np.newaxis], (1, n)).clip(0.0, 1.0)
        mask_y = 1.0 - np.tile(inter.sum(0)[np.newaxis, :], (m, 1)).clip(0.0, 1.0)
        mask = ((alpha_ratio * mask_x) + (alpha_ratio * mask_y)).clip(0.0, 1.0)
        mask_zeros = 1.0 - ((1.0 - mask_x) * (1.0 - mask_y))
        if mask_x.sum() < 1.0 or mask_y.sum() < 1.0:
            mask *= 0.0
            mask_zeros *= 0.0
        new_sim = sim * mask
        fwd = np.eye(n)[new_sim.argmax(axis=1)] * mask_zeros
        bac = np.eye(m)[new_sim.argmax(axis=0)].transpose() * mask_zeros
        new_inter = fwd * bac
        if np.array_equal(inter + new_inter, inter):
            break
        inter = inter + new_inter
        count += 1
    return inter


def np_matching(sim):
    # SciPy returns the pairs themselves (sorted by row): no indicator
    # matrix to build and convert (SimAlign builds one from networkx's
    # matching and loops over it; we give SciPy the cheaper path).
    return linear_sum_assignment(sim, maximize=True)


def np_softmax(sim, threshold=1e-3):
    def softmax(x, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    return (softmax(sim, -1) > threshold) * (softmax(sim, -2) > threshold)


METHODS = {"argmax": np_argmax, "itermax": np_itermax, "matching": np_matching, "softmax": np_softmax,
           "softmax32": np_softmax}


def as_links(a):
    """The reference codes' last step: the linked cells' index pairs."""
    return a if isinstance(a, tuple) else np.nonzero(a > 0)


def links_text(out):
    i, j = out if isinstance(out, tuple) else as_links(out)
    return " ".join(f"{x}-{y}" for x, y in zip(i, j))


def time_numpy(fn, mats, repeats):
    out = [fn(s) for s in mats]  # warm-up, and the links
    times, cpu = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for s in mats:
            fn(s)
        t1 = time.perf_counter()
        c1 = time.process_time()
        times.append((t1 - t0) / len(mats) * 1e6)
        cpu.append((c1 - c0) / len(mats) * 1e6)
    times.sort()
    cpu.sort()
    return times[len(times) // 2], cpu[len(cpu) // 2], out


def make_stacks(rng, pairs, size):
    """The benchmark's matrices: `pairs` sentence pairs of `size` tokens,
    random token vectors in 64-d; returns (cos, dots) of shape (pairs, size,
    size): (cos + 1) / 2 for SimAlign's methods, raw dot products of vectors
    of norm 8 for awesome-align's softmax.  (scripts/extract_ab.sh uses it.)"""
    x = rng.standard_normal((pairs, size, 64))
    y = rng.standard_normal((pairs, size, 64))
    xn = x / np.linalg.norm(x, axis=2, keepdims=True)
    yn = y / np.linalg.norm(y, axis=2, keepdims=True)
    cos = (np.einsum("kid,kjd->kij", xn, yn) + 1) / 2
    dots = np.einsum("kid,kjd->kij", xn, yn) * 64  # norm-8 vectors
    return cos, dots


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tool")
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--sizes", default="20,50,100")
    ap.add_argument("--hot", type=int, default=0, help="cycle over the first N matrices only (cache-resident)")
    ap.add_argument("--hot-kib", type=int, default=0,
                    help="cycle over as many of the first matrices as fill K KiB in float64 (per size; "
                         "512: 163 at 20, 26 at 50, 6 at 100): cache-resident, but too many for the "
                         "branch predictors to learn each input, as they do with --hot 4")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--matrix-only", action="store_true",
                    help="NumPy's timed call stops at the indicator matrix (no conversion to links)")
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    print(f"# numpy {np.__version__}; {args.pairs} matrices per size; median of {args.repeats} repeats")
    hot = f"; hot: the first {args.hot} matrices cycled" if args.hot else ""
    if args.hot_kib:
        hot = f"; hot: the first matrices filling {args.hot_kib} KiB cycled"
    print(f"# wall and CPU time per matrix in microseconds{hot}")
    print("# NumPy's call returns " + ("the indicator matrix only (--matrix-only)" if args.matrix_only
                                      else "the links (np.nonzero(matrix > 0))"))
    print(f"{'method':9} {'m=n':>4} {'numpy_us':>10} {'lexalign_us':>12} {'ratio':>7} "
          f"{'np_cpu_us':>10} {'lx_cpu_us':>10} {'cpu_ratio':>9} {'same_links':>10} "
          f"{'floor_us':>9} {'max_ratio':>9} {'np_ns/el':>8} {'lx_ns/el':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            cos, dots = make_stacks(rng, args.pairs, size)
            dots32 = dots.astype(np.float32)
            env = dict(os.environ)
            n_hot = args.hot
            if args.hot_kib:
                n_hot = max(1, min(args.pairs, args.hot_kib * 1024 // (size * size * 8)))
            if n_hot:
                # Only the first N matrices, cycled by both sides: the same
                # memory each time, so they stay in cache.
                cos = np.ascontiguousarray(cos[:n_hot])
                dots = np.ascontiguousarray(dots[:n_hot])
                dots32 = np.ascontiguousarray(dots32[:n_hot])
                env["LEXALIGN_EXTRACT_CALLS"] = str(args.pairs)
            for method, fn in METHODS.items():
                if method not in args.methods.split(","):
                    continue
                if method == "matching" and linear_sum_assignment is None:
                    print(f"{method:9} {size:4d}   skipped (python3-scipy missing)")
                    continue
                stack = dots if method == "softmax" else dots32 if method == "softmax32" else cos
                path = os.path.join(tmp, f"{method}_{size}.npy")
                np.save(path, np.ascontiguousarray(stack))
                links_path = os.path.join(tmp, f"{method}_{size}.links")
                res = subprocess.run([args.tool, method, path, str(args.repeats), links_path], check=True,
                                     capture_output=True, text=True, env=env)
                ours_us = float(res.stdout.split('"median_us": ')[1].split(",")[0])
                ours_cpu = float(res.stdout.split('"median_cpu_us": ')[1].split(",")[0])
                mats = [stack[k % len(stack)] for k in range(args.pairs)]  # hot: the same few arrays
                timed = fn if args.matrix_only else (lambda s, fn=fn: as_links(fn(s)))
                np_us, np_cpu, np_out = time_numpy(timed, mats, args.repeats)
                np_out = np_out[:len(stack)]
                # The floor: one read of every entry of the same matrices.
                res = subprocess.run([args.tool, "touch", path, str(args.repeats)], check=True,
                                     capture_output=True, text=True, env=env)
                floor_cpu = float(res.stdout.split('"median_cpu_us": ')[1].split(",")[0])
                ours_links = open(links_path).read().splitlines()
                same = sum(links_text(a) == b for a, b in zip(np_out, ours_links)) / len(np_out)
                print(f"{method:9} {size:4d} {np_us:10.1f} {ours_us:12.2f} {np_us / ours_us:7.1f} "
                      f"{np_cpu:10.1f} {ours_cpu:10.2f} {np_cpu / max(ours_cpu, 1e-9):9.1f} {same:10.3f} "
                      f"{floor_cpu:9.2f} {np_cpu / max(floor_cpu, 1e-9):9.1f} "
                      f"{np_cpu * 1e3 / size ** 2:8.2f} {ours_cpu * 1e3 / size ** 2:8.2f}")
                sys.stdout.flush()
    print("# load: " + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
