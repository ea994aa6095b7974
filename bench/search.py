"""Benchmark of the search index: build time, size on disk, and latency of typical queries.

    python bench/search.py --triples 1000000        # the 1M synthetic set (generated once)
    python bench/search.py --store DIR              # a store already loaded (`tipgraph load`)

Uses the synthetic data and the store of ``run.py`` (cached in ``bench/.cache/``). Measures:
building the index from the store (the SPARQL reads and the word lists, as ``tipgraph load``
does), writing and reading ``search.json`` (what ``tipgraph serve`` does when it starts), and
each query of QUERIES typed letter by letter, as the search box asks while one types, repeated
ROUNDS times: the percentiles of all those searches, in process (no HTTP).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from tipgraph.search_index import SEARCH_FILE, SearchIndex

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import default_tipgraph, prepare_data, prepare_store, say

# What people type: names of agencies and partners, indicators, places, years, in the three
# languages, a single letter, a word that is everywhere, and words found nowhere.
QUERIES = [
    "ministry of internal affairs",
    "daxili isler",
    "persons found working",
    "victims 2015",
    "azerbaijan",
    "statistics of",
    "quote",
    "конфедерация",
    "department for combating",
    "zzqxv nothing",
    "a",
    "the",
]
ROUNDS = 5
LIMIT = 10


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(database: Path, version: str) -> None:
    store = ox.Store.read_only(str(database))
    began = time.perf_counter()
    index = SearchIndex.from_store(store, version)
    built = time.perf_counter() - began
    say(f"built in {built:.2f} s: {len(index):,} resources, {len(index.labels):,} labels")
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        index.write(Path(folder))
        written = time.perf_counter() - began
        size = (Path(folder) / SEARCH_FILE).stat().st_size
        began = time.perf_counter()
        read = SearchIndex.read(Path(folder))
        loaded = time.perf_counter() - began
    assert read is not None and read.labels == index.labels
    say(f"{SEARCH_FILE}: {size / 1e6:.1f} MB, written in {written:.2f} s, read in {loaded:.2f} s")

    times: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        for query in QUERIES:
            for end in range(1, len(query) + 1):  # as typed, letter by letter
                began = time.perf_counter()
                index.search(query[:end], LIMIT)
                times.setdefault(query, []).append(time.perf_counter() - began)
    every = [t for ts in times.values() for t in ts]
    say(f"\n{len(every):,} searches (limit {LIMIT}), milliseconds:")
    say(f"{'query':<30} {'median':>8} {'p95':>8} {'max':>8}")
    for query, ts in times.items():
        ms = [t * 1000 for t in ts]
        say(f"{query:<30} {statistics.median(ms):8.3f} {percentile(ms, 95):8.3f} {max(ms):8.3f}")
    ms = [t * 1000 for t in every]
    say(
        f"{'all':<30} {statistics.median(ms):8.3f} {percentile(ms, 95):8.3f} {max(ms):8.3f}"
        f"   (p99 {percentile(ms, 99):.3f})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="data size (default 1M)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--store", type=Path, help="a loaded store directory to use instead")
    args = parser.parse_args(argv)
    if args.store is not None:
        database = args.store / "current" / "oxigraph"
    else:
        root, manifest = prepare_data(args.triples, args.seed)
        database = prepare_store(root, manifest, default_tipgraph(), rebuild=False).database
    loaded = json.loads((database.parent / "manifest.json").read_text(encoding="utf-8"))
    say(f"store: {loaded['triples']:,} triples")
    version = loaded["version"]
    measure(database, version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
