"""Benchmark tipgraph at scale: load, validation, the result cache, a remote store, the endpoint.

    python bench/scale.py                                  # every section at 1M triples
    python bench/scale.py --sections load,cache --triples 100000 --runs 1      # a quick look

One table at the end, every figure beside its reference measured in the same run:

- ``load``: ``tipgraph load`` into a fresh store against ``oxigraph load`` (PyPI ``oxigraph``) on
  the same files (the ontology, the shapes and every report), medians over ``--runs``, with peak
  memory; then once with the dumps and the dataset description written as well.
- ``validation``: ``tipgraph validate`` at 10k, 100k and 1M triples (``--validation-sizes``),
  one process per core, and how time grows with size.
- ``cache``: ``tipgraph serve`` with ``--cache-mb 0`` and with the default cache; 8 clients each
  send a repeated mix (the 24 example queries, three pages in HTML and Turtle) once per pass,
  ``--passes`` times: the first pass fills the cache, the others are timed; and the hit rate.
- ``remote``: the data loaded into an Oxigraph server through the Graph Store Protocol
  (``tipgraph load --store URL``), then ``tipgraph serve --store URL`` against ``tipgraph serve``
  on the embedded store (both without the result cache) and the Oxigraph server itself, on point
  lookups and an aggregate.
- ``endpoint``: ``bench/run.py`` (tipgraph serve vs the Oxigraph server vs raw pyoxigraph, every
  query of ``queries.py``), summarised.

The machine should be quiet: every figure is wall time on shared cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from run import (
    CACHE,
    free_port,
    markdown_table,
    prepare_data,
    prepare_store,
    say,
    start_process,
    stop_process,
    text_table,
    wait_until_ready,
)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SECTIONS = ("load", "validation", "cache", "remote", "endpoint")
INDICATOR = "https://w3id.org/tipgraph/id/indicator/thb-crimes-identified"  # a page with charts
# Example queries that list every figure: at 1M triples their answers are 105 MB, 8 MB and
# 1.3 MB, streamed and never kept (larger than a cache entry), and one pass of them takes half a
# minute with or without a cache. They stay out of the repeated mix.
LISTINGS = {"figures-with-quotes", "approximate-figures", "figures-in-plan-period"}


@dataclass
class Figure:
    """One line of the final table: what was measured, its value and its reference."""

    section: str
    what: str
    value: str
    reference: str = ""
    ratio: str = ""


@dataclass
class Timed:
    seconds: float
    peak_mib: float
    returncode: int
    output: str


def timed(command: Sequence[str], cwd: Path | None = None) -> Timed:
    """Run ``command``; its wall time and peak resident memory (its own and its children's)."""
    with tempfile.TemporaryFile() as output:
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode(errors="replace")
    return Timed(seconds, usage.ru_maxrss / 1024, process.returncode, text)


def tipgraph() -> list[str]:
    found = shutil.which("tipgraph", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "tipgraph.cli"]


def oxigraph() -> str:
    return shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def input_files(root: Path) -> list[Path]:
    """What ``tipgraph load`` reads (besides the source texts): ontology, shapes, data."""
    return sorted(
        p for folder in ("ontology", "shapes", "data") for p in (root / folder).rglob("*.ttl")
    )


def must(result: Timed, what: str) -> Timed:
    if result.returncode != 0:
        raise SystemExit(f"{what} failed ({result.returncode}):\n{result.output[-2000:]}")
    return result


# --------------------------------------------------------------------------------------------


def measure_load(root: Path, runs: int) -> list[Figure]:
    files = [str(p) for p in input_files(root)]
    ours: list[Timed] = []
    theirs: list[Timed] = []
    compacted: list[float] = []  # oxigraph optimize after each oxigraph load (tipgraph does it)
    with tempfile.TemporaryDirectory(prefix="tipgraph-bench-") as scratch:
        for run in range(runs):
            for name in ("oxigraph", "tipgraph") if run % 2 == 0 else ("tipgraph", "oxigraph"):
                target = Path(scratch) / f"{name}-{run}"
                if name == "oxigraph":
                    command = [oxigraph(), "load", "--location", str(target), "--file", *files]
                    theirs.append(must(timed(command), "oxigraph load"))
                    command = [oxigraph(), "optimize", "--location", str(target)]
                    compacted.append(must(timed(command), "oxigraph optimize").seconds)
                else:
                    command = [*tipgraph(), "--root", str(root), "load", "--store", str(target)]
                    command += ["--no-validate", "--no-dumps"]
                    ours.append(must(timed(command), "tipgraph load"))
                shutil.rmtree(target)
                last = (ours if name == "tipgraph" else theirs)[-1]
                say(f"  run {run + 1} {name}: {last.seconds:.1f} s")
        full = must(
            timed(
                [
                    *tipgraph(),
                    "--root",
                    str(root),
                    "load",
                    "--store",
                    str(Path(scratch) / "full"),
                    "--no-validate",
                ]
            ),
            "tipgraph load with dumps",
        )
        command = [*tipgraph(), "--root", str(root), "load", "--store", str(Path(scratch) / "v")]
        validating = must(timed([*command, "--no-dumps"]), "tipgraph load (validating)")
    triples = _loaded_triples(full.output)
    ours_s, theirs_s = median([t.seconds for t in ours]), median([t.seconds for t in theirs])
    return [
        Figure(
            "load",
            f"tipgraph load --no-dumps, {triples:,} triples (median of {runs})",
            f"{ours_s:.1f} s, {triples / ours_s:,.0f} triples/s",
            f"oxigraph load: {theirs_s:.1f} s",
            f"{ours_s / theirs_s:.2f}x",
        ),
        Figure(
            "load",
            "the same, against oxigraph load + oxigraph optimize (tipgraph compacts too)",
            f"{ours_s:.1f} s",
            f"{theirs_s:.1f} s + {median(compacted):.1f} s",
            f"{ours_s / (theirs_s + median(compacted)):.2f}x",
        ),
        Figure(
            "load",
            "peak memory",
            f"{median([t.peak_mib for t in ours]):.0f} MiB",
            f"oxigraph load: {median([t.peak_mib for t in theirs]):.0f} MiB",
        ),
        Figure(
            "load",
            "tipgraph load --no-dumps as curators run it: validating (the shapes, coverage)",
            f"{validating.seconds:.1f} s, peak {validating.peak_mib:.0f} MiB",
            f"oxigraph load: {theirs_s:.1f} s",
            f"{validating.seconds / theirs_s:.2f}x",
        ),
        Figure(
            "load",
            "tipgraph load with dumps (6 formats, gzip, description)",
            f"{full.seconds:.1f} s, peak {full.peak_mib:.0f} MiB",
            f"oxigraph load: {theirs_s:.1f} s",
            f"{full.seconds / theirs_s:.2f}x",
        ),
    ]


def _loaded_triples(output: str) -> int:
    for line in output.splitlines():
        if line.startswith("loaded "):
            return int(line.split()[1].replace(",", ""))
    return 0


# --------------------------------------------------------------------------------------------


def measure_validation(sizes: Sequence[int], seed: int) -> list[Figure]:
    figures: list[Figure] = []
    first: tuple[int, float] | None = None
    for size in sizes:
        root, manifest = prepare_data(size, seed)
        result = must(timed([*tipgraph(), "--root", str(root), "validate"]), f"validate {size}")
        triples = int(manifest["triples"])
        rate = triples / result.seconds
        growth = ""
        if first is None:
            first = (triples, result.seconds)
        else:
            growth = f"{(result.seconds / first[1]) / (triples / first[0]):.2f}x per triple"
        reports = len([p for p in (root / "data").iterdir() if any(p.glob("source.*.txt"))])
        figures.append(
            Figure(
                "validation",
                f"tipgraph validate, {triples:,} triples, {reports} reports",
                f"{result.seconds:.1f} s, {rate:,.0f} triples/s, peak {result.peak_mib:.0f} MiB",
                f"vs {first[0]:,} triples" if growth else "",
                growth,
            )
        )
        say(f"  {triples:,} triples: {result.seconds:.1f} s")
    return figures


# --------------------------------------------------------------------------------------------


class Server:
    """A ``tipgraph serve`` this benchmark started."""

    def __init__(self, store: str, root: Path, logs: Path, *options: str) -> None:
        self.port = free_port()
        log = logs / f"serve-{self.port}.log"
        command = [*tipgraph(), "serve", "--store", store, "--port", str(self.port)]
        # One benchmark client stands for many users: no per-client share, two workers as in
        # the figures before the share existed.
        command += ["--client-seconds", "0", "--client-queries", "0", "--workers", "2", *options]
        self.process = start_process(command, log, cwd=root)
        self.base = f"http://127.0.0.1:{self.port}"
        if not wait_until_ready("tipgraph", self.process, f"{self.base}/health", log, timeout=120):
            raise SystemExit(f"tipgraph serve did not start (log: {log})")

    def health(self) -> dict[str, object]:
        return httpx.get(f"{self.base}/health", timeout=10).json()

    def close(self) -> None:
        stop_process(self.process, "tipgraph")


@dataclass
class Mix:
    rate: float
    p50: float
    errors: int
    requests: int


def run_mix(
    base: str,
    requests: Sequence[tuple[str, dict[str, str], dict[str, str]]],
    seconds: float,
    clients: int = 8,
) -> Mix:
    """``clients`` threads cycling through ``requests`` (path, params, headers) for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as session:
            position = index
            while time.perf_counter() < deadline:
                path, params, headers = requests[position % len(requests)]
                position += 1
                began = time.perf_counter()
                try:
                    ok = session.get(path, params=params, headers=headers).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies[index].append(time.perf_counter() - began)
                else:
                    errors[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for mine in latencies for x in mine)
    return Mix(
        rate=len(every) / elapsed,
        p50=every[len(every) // 2] if every else float("nan"),
        errors=sum(errors),
        requests=len(every),
    )


Request = tuple[str, dict[str, str], dict[str, str]]  # path, parameters, headers


def repeated_mix(root: Path) -> list[Request]:
    """The example queries and three kinds of page, as a client of the dataset repeats them."""
    sys.path.insert(0, str(REPO / "src"))
    from tipgraph.examples import load_examples

    json_results = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    examples = [e for e in load_examples() if e.slug not in LISTINGS]
    mix = [("/sparql", {"query": e.query}, json_results) for e in examples]
    sample = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    pages = [sample["sample_observation"], sample["sample_agency"], INDICATOR]
    for iri in pages:
        path = "/doc/" + str(iri).split("/id/", 1)[1]
        mix.append((path, {}, {"Accept": "text/html"}))
        mix.append((path, {}, {"Accept": "text/turtle"}))
    return mix


def run_passes(base: str, mix: Sequence[Request], passes: int, clients: int = 8) -> list[float]:
    """Seconds for each pass: ``clients`` threads each send the whole ``mix`` once."""
    times = []
    for _ in range(passes):
        began = time.perf_counter()
        threads = [
            threading.Thread(target=_send_all, args=(base, mix, index)) for index in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        times.append(time.perf_counter() - began)
    return times


def _send_all(base: str, mix: Sequence[Request], start: int) -> None:
    with httpx.Client(base_url=base, timeout=300) as session:
        for offset in range(len(mix)):
            path, params, headers = mix[(start + offset) % len(mix)]
            session.get(path, params=params, headers=headers)


def measure_cache(root: Path, store: Path, passes: int, logs: Path) -> list[Figure]:
    """The repeated mix sent in passes: the first fills the cache, the next ones use it."""
    mix = repeated_mix(root)
    results: dict[str, list[float]] = {}
    stats: dict[str, object] = {}
    for name, megabytes in (("off", "0"), ("on", "64")):
        options = ("--cache-mb", megabytes, "--max-rows", "1000000", "--timeout", "300")
        server = Server(str(store), root, logs, *options)
        try:
            results[name] = run_passes(server.base, mix, passes)
            if name == "on":
                stats = dict(server.health()["cache"])  # type: ignore[call-overload]
        finally:
            server.close()
        say(f"  cache {name}: passes {', '.join(f'{t:.1f} s' for t in results[name])}")
    off, on = median(results["off"][1:]), median(results["on"][1:])
    requests = len(mix) * 8
    return [
        Figure(
            "cache",
            f"repeated mix ({len(mix)} requests: 21 examples, 3 pages in 2 formats), "
            f"8 clients, warm pass",
            f"cache on: {on:.2f} s ({requests / on:,.0f} req/s)",
            f"cache off: {off:.2f} s ({requests / off:,.1f} req/s)",
            f"{off / on:.0f}x faster",
        ),
        Figure(
            "cache",
            f"hit rate over {passes} passes; entries, bytes",
            f"{float(stats.get('hit_rate', 0)):.1%}",  # type: ignore[arg-type]
            f"{stats.get('entries')} entries, {int(stats.get('bytes', 0)) / 2**20:.1f} MiB",  # type: ignore[call-overload]
        ),
    ]


# --------------------------------------------------------------------------------------------


REMOTE_QUERIES = {
    "point lookup": "SELECT ?p ?o WHERE { <{sample}> ?p ?o }",
    "aggregate": (
        "SELECT ?indicator (COUNT(?o) AS ?n) WHERE { ?o tip:indicator ?indicator } "
        "GROUP BY ?indicator"
    ),
}


def measure_remote(root: Path, store: Path, seconds: float, logs: Path) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="tipgraph-remote-") as scratch:
        port = free_port()
        log = logs / "oxigraph-remote.log"
        command = [oxigraph(), "serve", "--location", scratch, "--bind", f"127.0.0.1:{port}"]
        command.append("--union-default-graph")  # queried directly below, as tipgraph sees it
        server = start_process(command, log)
        url = f"http://127.0.0.1:{port}/query"
        try:
            if not wait_until_ready("oxigraph", server, f"{url}?query=ASK%7B%7D", log):
                return [Figure("remote", "Oxigraph server", "did not start")]
            loaded = must(
                timed([*tipgraph(), "--root", str(root), "load", "--store", url, "--no-validate"]),
                "tipgraph load --store URL",
            )
            figures.append(
                Figure(
                    "remote",
                    "tipgraph load --store URL (Graph Store Protocol)",
                    f"{loaded.seconds:.1f} s",
                )
            )
            sample = json.loads((root / "manifest.json").read_text(encoding="utf-8"))[
                "sample_observation"
            ]
            remote = Server(url, root, logs, "--cache-mb", "0")  # every request evaluated
            embedded = Server(str(store), root, logs, "--cache-mb", "0")
            try:
                for name, text in REMOTE_QUERIES.items():
                    query = text.replace("{sample}", sample)
                    request = [
                        ("/sparql", {"query": query}, {"Accept": "application/sparql-results+json"})
                    ]
                    direct = [
                        (
                            "/query",
                            {
                                "query": "PREFIX tip: <https://w3id.org/tipgraph/ontology#>\n"
                                + query
                            },
                            {"Accept": "application/sparql-results+json"},
                        )
                    ]
                    over = run_mix(remote.base, request, seconds)
                    local = run_mix(embedded.base, request, seconds)
                    raw = run_mix(f"http://127.0.0.1:{port}", direct, seconds)
                    figures.append(
                        Figure(
                            "remote",
                            f"{name}: tipgraph serve --store URL",
                            f"{over.rate:,.0f} req/s, p50 {over.p50 * 1000:.1f} ms",
                            f"embedded {local.rate:,.0f} req/s; "
                            f"Oxigraph server {raw.rate:,.0f} req/s",
                            f"{over.rate / local.rate:.2f}x of embedded",
                        )
                    )
            finally:
                remote.close()
                embedded.close()
        finally:
            stop_process(server, "oxigraph")
    return figures


# --------------------------------------------------------------------------------------------


def measure_endpoint(triples: int, seed: int, seconds: float) -> list[Figure]:
    with tempfile.NamedTemporaryFile(suffix=".json") as record:
        command = [
            sys.executable,
            str(BENCH / "run.py"),
            "--triples",
            str(triples),
            "--seed",
            str(seed),
        ]
        command += ["--seconds", str(seconds), "--json", record.name]
        subprocess.run(command, check=True)
        results = json.loads(Path(record.name).read_text(encoding="utf-8"))
    by_query: dict[str, dict[str, dict[str, float]]] = {}
    for row in results["rows"]:
        by_query.setdefault(row["query"], {})[row["target"]] = row
    figures = []
    for query, targets in by_query.items():
        ours, server, raw = targets.get("tipgraph"), targets.get("oxigraph"), targets.get("raw")
        if not (ours and server):
            continue
        figures.append(
            Figure(
                "endpoint",
                f"{query}: tipgraph serve",
                f"{ours['rate']:,.0f} req/s, p50 {ours['p50'] * 1000:.1f} ms",
                f"Oxigraph server {server['rate']:,.0f} req/s"
                + (f"; raw pyoxigraph {raw['rate']:,.0f} req/s" if raw else ""),
                f"{ours['rate'] / server['rate']:.2f}x",
            )
        )
    return figures


# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"some of {','.join(SECTIONS)}"
    )
    parser.add_argument("--triples", type=int, default=1_000_000, help="data size (default 1M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="load runs per tool (default 3)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput run (10)")
    parser.add_argument("--passes", type=int, default=3, help="passes over the cache mix (3)")
    parser.add_argument(
        "--validation-sizes", default="10000,100000,1000000", help="triples, comma-separated"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}")
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    root, manifest = prepare_data(args.triples, args.seed)
    figures: list[Figure] = []
    needs_store = {"cache", "remote"} & set(sections)
    store = prepare_store(root, manifest, tipgraph(), rebuild=False).store if needs_store else None
    steps: dict[str, Callable[[], list[Figure]]] = {
        "load": lambda: measure_load(root, args.runs),
        "validation": lambda: measure_validation(
            [int(s) for s in args.validation_sizes.split(",")], args.seed
        ),
        "cache": lambda: measure_cache(root, store, args.passes, logs),  # type: ignore[arg-type]
        "remote": lambda: measure_remote(root, store, args.seconds, logs),  # type: ignore[arg-type]
        "endpoint": lambda: measure_endpoint(args.triples, args.seed, min(args.seconds, 5)),
    }
    for section in sections:
        say(f"{section} …")
        figures += steps[section]()
    head = ["section", "measured", "tipgraph", "reference (same run)", "ratio"]
    body = [[f.section, f.what, f.value, f.reference, f.ratio] for f in figures]
    say()
    say(markdown_table(head, body) if args.markdown else text_table(head, body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
