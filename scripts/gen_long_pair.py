#!/usr/bin/env python3
"""Writes one long synthetic sentence pair built from the bundled roen gold set.

    scripts/gen_long_pair.py N SRC_OUT TGT_OUT [--seed S] [--glue]

Default: each side is N tokens drawn independently (with a fixed seed) from the
unigram distribution of data/gold/roen.src / roen.tgt: no structure, so the
HMM's posteriors stay spread out (its worst case).  --glue: roen sentence
pairs drawn with replacement and glued until each side has N tokens (then cut
to N), i.e. the "paragraphs glued by a lost newline" case, near-diagonal.
Deterministic for a given seed.
"""
import argparse
import random
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("src_out")
ap.add_argument("tgt_out")
ap.add_argument("--seed", type=int, default=11)
ap.add_argument("--glue", action="store_true")
args = ap.parse_args()

src = (root / "data/gold/roen.src").read_text(encoding="utf-8").splitlines()
tgt = (root / "data/gold/roen.tgt").read_text(encoding="utf-8").splitlines()
rng = random.Random(args.seed)
if args.glue:
    s, t = [], []
    while len(s) < args.n or len(t) < args.n:
        k = rng.randrange(len(src))
        s += src[k].split()
        t += tgt[k].split()
    s, t = s[: args.n], t[: args.n]
else:
    stoks = [w for line in src for w in line.split()]
    ttoks = [w for line in tgt for w in line.split()]
    s = [rng.choice(stoks) for _ in range(args.n)]
    t = [rng.choice(ttoks) for _ in range(args.n)]
Path(args.src_out).write_text(" ".join(s) + "\n", encoding="utf-8")
Path(args.tgt_out).write_text(" ".join(t) + "\n", encoding="utf-8")
