#!/usr/bin/env python3
"""A synthetic parallel corpus of any size whose statistics follow the Bible's.

    scripts/scale_synthetic.py BIBLE.en BIBLE.es PAIRS OUT_PREFIX [--seed S] [--discount D]

writes OUT_PREFIX.src and OUT_PREFIX.tgt (line-parallel, tokens separated by
single spaces), for scale measurements (docs/scale.md), never for tests.

The model (fitted to the given Bible sides, e.g. data/bible/kjv-rv1909.en/.es):
  * sentence lengths: (source length, target length) drawn jointly from the
    Bible's verse pairs, so the real length distribution and length ratio hold;
  * source words: a Pitman-Yor process (discount D, default 0.6; concentration
    10) whose base distribution is the Bible's source unigram distribution
    mixed with new word types (30 % of new tables), so the vocabulary keeps growing with the
    corpus as Heaps' law V ~ K N^D says (the Bible alone saturates);
  * target words: each source type gets 1-3 target "translations" (Bible target
    words by frequency, then new types) with fixed weights; a target token is
    a translation of a uniformly chosen source token of its sentence, or with
    probability 0.1 a NULL-generated token (a frequent target word).
This is a simplification of "a model trained on the Bible" (no IBM table is
estimated): it reproduces lengths, Zipf/Heaps vocabulary growth and a
learnable lexical correspondence, which is what memory and throughput depend on.
"""
import argparse
import bisect
import collections
import itertools
import random
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("pairs", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--discount", type=float, default=0.6)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    src, tgt = read(a.source), read(a.target)
    lengths = [(len(s), len(t)) for s, t in zip(src, tgt) if s and t]
    sc = collections.Counter(w for s in src for w in s).most_common()
    tc = collections.Counter(w for t in tgt for w in t).most_common()
    s_words = [w for w, _ in sc]
    s_cum = list(itertools.accumulate(c for _, c in sc))
    t_words = [w for w, _ in tc]
    t_cum = list(itertools.accumulate(c for _, c in tc))
    null_words = t_words[:50]

    new_s = itertools.count()
    new_t = itertools.count()

    def base_source():  # Bible unigram, or a new type with probability 0.3
        if rng.random() < 0.3:
            return "s%d" % next(new_s)
        return s_words[bisect.bisect_left(s_cum, rng.random() * s_cum[-1])]

    # Pitman-Yor Chinese restaurant: tables hold a word each.
    d, theta = a.discount, 10.0
    table_word, table_size, tables_of = [], [], collections.defaultdict(list)
    customers = 0
    # For O(1) seating by size we sample a customer uniformly and use its table
    # (size-proportional), corrected by the discount with a rejection step.
    seat_of = []

    def draw_source():
        nonlocal customers
        k = len(table_word)
        if customers == 0 or rng.random() < (theta + d * k) / (theta + customers):
            table_word.append(base_source())
            table_size.append(1)
            seat_of.append(k)
            customers += 1
            return table_word[k]
        while True:  # P(table) proportional to size - d
            t = seat_of[rng.randrange(customers)]
            if rng.random() < (table_size[t] - d) / table_size[t]:
                break
        table_size[t] += 1
        seat_of.append(t)
        customers += 1
        return table_word[t]

    translations = {}

    def translate(w):
        tr = translations.get(w)
        if tr is None:
            n = rng.choice((1, 1, 2, 3))
            tr = []
            for _ in range(n):
                if rng.random() < 0.9:
                    tr.append(t_words[bisect.bisect_left(t_cum, rng.random() * t_cum[-1])])
                else:
                    tr.append("t%d" % next(new_t))
            weights = list(itertools.accumulate([0.7, 0.2, 0.1][:n]))
            tr = (tr, weights)
            translations[w] = tr
        words, cum = tr
        return words[bisect.bisect_left(cum, rng.random() * cum[-1])]

    with open(a.out + ".src", "w", encoding="utf-8") as fs, open(a.out + ".tgt", "w", encoding="utf-8") as ft:
        for _ in range(a.pairs):
            n, m = rng.choice(lengths)
            s = [draw_source() for _ in range(n)]
            t = [rng.choice(null_words) if rng.random() < 0.1 else translate(rng.choice(s)) for _ in range(m)]
            fs.write(" ".join(s) + "\n")
            ft.write(" ".join(t) + "\n")
    print("%d pairs, %d source types (%d new), %d tables" % (a.pairs, len(set(table_word)), next(new_s), len(table_word)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
