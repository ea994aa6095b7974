"""Benchmark of the pages people browse: search as one types, the figures table, class lists.

    python bench/browse.py --triples 1000000          # about two minutes once the store exists
    python bench/browse.py --triples 20000 --repeat 3  # a quick check

Uses the data and store of ``run.py`` (same cache) and starts ``tipgraph serve`` on it with the
result cache off (``--cache-mb 0``), so that every request is answered by the engine path, not
by a remembered page. Measures, with one client sending one request at a time (latency, not
throughput; ``run.py`` and ``pages.py`` measure throughput):

1. **Start**: the seconds from starting the server until ``/health`` answers, and until the
   figures table's first page answers (its rows are read in the background when the server
   starts: the first visitor finds them ready or waits for the rest);
2. **Search**: each query of ``search.QUERIES`` typed letter by letter, as the search box asks
   (``/search?q=…&format=json``);
3. **Figures table**: its first and last page, a page of a view filtered by indicator, by area
   and by both, sorted by value, an unknown language's labels (read once, then held), and the
   downloads of a filtered view as CSV and JSON;
4. **Lists**: the first and a far page of the list of every observation, and of the agencies.

Each URL is asked ``--repeat`` times after a first, untimed request (``--repeat`` 10 by
default); the table shows the first request, the median and the 95th percentile, and the size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run
from search import QUERIES, percentile

ID = "https://w3id.org/tipgraph/id/"
FIGURES = {
    "first page": "/figures",
    "page 100": "/figures?page=100",
    "by indicator": "/figures?indicator=indicator/victims-identified",
    "by indicator, by value": "/figures?indicator=indicator/victims-identified&sort=-value",
    "by area and indicator": (
        "/figures?indicator=indicator/victims-identified&area=country/tur&sort=period"
    ),
    "labels in Russian": "/figures?lang=ru",
    "view as CSV": "/figures.csv?indicator=indicator/victims-identified",
    "view as JSON": "/figures.json?indicator=indicator/victims-identified",
}
LISTS = {
    "observations, page 1": "/list?class=qb:Observation",
    "observations, page 1000": "/list?class=qb:Observation&page=1000",
    "agencies": "/list?class=org:FormalOrganization",
}


@dataclass(frozen=True)
class Timing:
    name: str
    first: float
    times: list[float]
    size: int
    status: int


def timed(client: httpx.Client, name: str, url: str, repeat: int) -> Timing:
    began = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - began
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - began)
    return Timing(name, first, times, len(response.content), response.status_code)


def typed(query: str) -> list[str]:
    """What the search box asks while ``query`` is typed: from its second letter on."""
    return [query[:n] for n in range(min(2, len(query)), len(query) + 1)]


def table(rows: Sequence[Timing]) -> str:
    lines = [f"{'':34} {'status':>6} {'first':>9} {'median':>9} {'p95':>9} {'bytes':>10}"]
    for row in rows:
        lines.append(
            f"{row.name:34} {row.status:>6} {row.first * 1000:>7.1f}ms "
            f"{statistics.median(row.times) * 1000:>7.1f}ms "
            f"{percentile(row.times, 95) * 1000:>7.1f}ms {row.size:>10,}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="data size (default 1M)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per URL (10)")
    parser.add_argument("--tipgraph", nargs="+", default=run.default_tipgraph())
    args = parser.parse_args(argv)
    found = run.prepared_for(args.triples, args.seed, args.tipgraph)
    if found is None:
        return 1
    prepared, store, logs = found
    root, manifest = prepared.root, prepared.manifest
    port = run.free_port()
    base = f"http://127.0.0.1:{port}"
    command = [*args.tipgraph, "serve", "--store", str(store), "--port", str(port)]
    command += ["--host", "127.0.0.1", "--cache-mb", "0", "--client-seconds", "0"]
    command += ["--client-queries", "0"]
    began = time.perf_counter()
    log = logs / "tipgraph-browse.log"
    process = run.start_process(command, log, cwd=root)
    try:
        if not run.wait_until_ready("tipgraph", process, f"{base}/health", log):
            return 1
        healthy = time.perf_counter() - began
        with httpx.Client(base_url=base, timeout=300) as client:
            client.get("/figures?page=1&size=1").raise_for_status()
            figures_ready = time.perf_counter() - began
            search_times = [
                timed(client, "", f"/search?q={prefix}&format=json", 1).times[0]
                for _ in range(args.repeat)
                for query in QUERIES
                for prefix in typed(query)
            ]
            figures = [timed(client, name, url, args.repeat) for name, url in FIGURES.items()]
            lists = [timed(client, name, url, args.repeat) for name, url in LISTS.items()]
    finally:
        run.stop_process(process, "tipgraph")
    run.say(f"{manifest['triples']:,} triples, result cache off, one client, one request at a time")
    run.say(f"start: /health after {healthy:.1f} s; the figures table after {figures_ready:.1f} s")
    run.say(
        f"search as typed, {len(search_times)} requests: median "
        f"{statistics.median(search_times) * 1000:.1f} ms, p95 "
        f"{percentile(search_times, 95) * 1000:.1f} ms, max {max(search_times) * 1000:.1f} ms"
    )
    run.say(table(figures + lists))
    return 0


if __name__ == "__main__":
    sys.exit(main())
