#!/usr/bin/env python3
"""The screening baseline a compliance engineer would write with rapidfuzz.

Every query is compared with every listed name (OFAC primary names and aliases, UN names and
aliases) by `fuzz.token_sort_ratio` after rapidfuzz's default processing (lower case,
punctuation removed), and the best name scoring at least 85 is the match.

The best match is `process.extractOne`; ties for the best score are then read with
`process.extract` so that recall is not lost to equal names on two lists.

Usage: screen-baseline.py NAMES.tsv QUERIES.tsv SAMPLE

NAMES.tsv has `name<TAB>LIST:ID` lines and QUERIES.tsv `query<TAB>expected` lines (expected
empty for ordinary names), both written by the `screen_bench` example. Only the first SAMPLE
queries are screened; throughput is extrapolated to the whole file.
"""
import os
import sys
import time

import numpy as np
from rapidfuzz import fuzz, process, utils

CUTOFF = 85


def main():
    names_path, queries_path, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
    names, keys = [], []
    with open(names_path, encoding="utf-8") as f:
        for line in f:
            n, k = line.rstrip("\n").split("\t")
            names.append(n)
            keys.append(k)
    queries, expected = [], []
    total = 0
    with open(queries_path, encoding="utf-8") as f:
        for line in f:
            total += 1
            if len(queries) < sample:
                q, e = line.rstrip("\n").split("\t")
                queries.append(q)
                expected.append(e)
    choices = [utils.default_process(n) for n in names]

    # Single thread: process.extractOne per query.
    t = time.perf_counter()
    found = []
    for q in queries:
        r = process.extractOne(utils.default_process(q), choices, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=CUTOFF)
        found.append(r)
    single = len(queries) / (time.perf_counter() - t)
    # Recall is counted generously: the expected entry may be any name tying with the best score
    # (the same person is often on both lists under one name), read from the top 10.
    best = []
    for q, r in zip(queries, found):
        if r is None:
            best.append(set())
            continue
        top = process.extract(utils.default_process(q), choices, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=r[1], limit=10)
        best.append({keys[i] for _, s, i in top if s == r[1]})

    # All threads: process.cdist in chunks, best name per query.
    t = time.perf_counter()
    procs = [utils.default_process(q) for q in queries]
    for i in range(0, len(procs), 500):
        m = process.cdist(procs[i:i + 500], choices, scorer=fuzz.token_sort_ratio, processor=None, dtype=np.uint8, workers=-1)
        np.argmax(m, axis=1)
    multi = len(queries) / (time.perf_counter() - t)

    listed = [(b, e) for b, e in zip(best, expected) if e]
    ordinary = [b for b, e in zip(best, expected) if not e]
    recall = sum(1 for b, e in listed if e in b) / max(1, len(listed))
    alerts = sum(1 for b in ordinary if b) / max(1, len(ordinary))
    print(f"baseline: rapidfuzz token_sort_ratio >= {CUTOFF}, best of {len(names)} names, {len(queries)} of {total} queries screened")
    print(f"single thread (extractOne): {single:.0f} names/s; 1M queries would take {1e6 / single / 60:.1f} min")
    print(f"all {os.cpu_count()} threads (cdist): {multi:.0f} names/s; 1M queries would take {1e6 / multi / 60:.1f} min")
    print(f"recall on listed variants (expected entry among the best-scoring names, ties included): {recall:.4f} ({len(listed)} variants)")
    print(f"ordinary names with any match: {alerts:.4f} ({len(ordinary)} names)")


if __name__ == "__main__":
    main()
