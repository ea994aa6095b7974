"""A bounded load test of ``tipgraph serve`` with its default settings, on loopback.

    python bench/load.py                    # 64 clients for 30 s
    python bench/load.py --runaway 4        # the same while 4 clients send runaway queries
    python bench/load.py --seconds 5 --json result.json

64 clients (``--clients``), each with its own keep-alive connection and its own address (as a
proxy the server trusts names it in ``X-Forwarded-For``: loopback is trusted by default), send
a mix for ``--seconds`` or until ``--max-requests`` in all:

- 50% the example queries (``tipgraph.examples``), in JSON, CSV or XML;
- 35% page views of the dataset's resources and the site's pages, as HTML or Turtle;
- 15% dump downloads, whole files from ``/dumps/``.

With ``--runaway N``, one more client opens N connections that keep sending queries that would
run for hours (a three-way cross product counted, and every pair of statements sorted, which
grows without bound): the time limit and the worker memory limit stop them, and its share of
the workers (``tipgraph.serving.fairness``) keeps one worker free for everyone else.

Reported: requests/s, p50 and p99 latency per kind, statuses, the server's peak memory (all
its processes), and the CPU its workers burn in the 2 s after the last answer. An error is
anything but 200, 304 and deliberate back-pressure (429, and 503 with Retry-After); for the
runaway clients a 503 naming the time or memory limit is the expected answer. The exit code
is 1 when there was an error. Goals (printed, not enforced): zero errors, and a p99 under one
second for every request of the ordinary clients while runaway queries are sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
from run import (
    cpu_seconds,
    default_oxigraph,
    free_port,
    process_tree,
    start_process,
    status_kib,
    stop_process,
    wait_until_ready,
)

from tipgraph.examples import load_examples

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/tipgraph/"
RUNAWAY = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
]
QUERY_TYPES = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"]
PAGE_TYPES = ["text/html", "text/turtle"]
ABUSER = "10.9.0.1"  # the one address every runaway connection comes from
SITE_PAGES = ["/", "/dataset", "/ontology", "/sparql", "/dumps/"]


def say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201


@dataclass
class Sample:
    kind: str  # query, page, dump or runaway
    status: int  # 0: no answer (a transport error)
    seconds: float
    retry_after: bool = False
    detail: str = ""


@dataclass
class Mix:
    """What the ordinary clients ask for."""

    queries: list[str]
    pages: list[str]
    dumps: list[str]

    def pick(self, chance: random.Random) -> tuple[str, str, dict[str, str], dict[str, str]]:
        """(kind, path, query parameters, headers) of one request."""
        roll = chance.random()
        if roll < 0.50:
            query = chance.choice(self.queries)
            return "query", "/sparql", {"query": query}, {"Accept": chance.choice(QUERY_TYPES)}
        if roll < 0.85:
            path = chance.choice(self.pages)
            accept = "text/html" if path in SITE_PAGES else chance.choice(PAGE_TYPES)
            return "page", path, {}, {"Accept": accept}
        return "dump", chance.choice(self.dumps), {}, {}


def build_mix(url: str) -> Mix:
    """The example queries, resources sampled from the store, and the dump files."""
    listing = "SELECT DISTINCT ?s WHERE { ?s a ?type FILTER(isIRI(?s)) } ORDER BY ?s"
    answer = httpx.get(
        f"{url}/sparql",
        params={"query": listing},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    answer.raise_for_status()
    iris = [row["s"]["value"] for row in answer.json()["results"]["bindings"]]
    local = [iri.removeprefix(BASE.removesuffix("/")) for iri in iris if iri.startswith(BASE)]
    chance = random.Random(6)
    pages = SITE_PAGES + chance.sample(local, min(200, len(local)))
    files = httpx.get(f"{url}/dumps/dumps.json", timeout=10).json()["files"]
    dumps = [f"/dumps/{file['name']}" for file in files if file["compressed"]]
    return Mix([example.query for example in load_examples()], pages, dumps)


@dataclass
class Run:
    """Shared by every client of one run."""

    url: str
    deadline: float
    max_requests: int
    samples: list[Sample] = field(default_factory=list)
    ordinary_end: float = 0.0  # when the ordinary clients' last answer came

    def may_send(self) -> bool:
        return time.monotonic() < self.deadline and len(self.samples) < self.max_requests


async def ordinary_client(run: Run, mix: Mix, number: int) -> None:
    chance = random.Random(number)
    headers = {"X-Forwarded-For": f"10.0.{number // 250}.{number % 250 + 1}"}
    # A resource's IRI answers 303 with its document: one request of a reader is both.
    async with httpx.AsyncClient(
        base_url=run.url, headers=headers, timeout=120, follow_redirects=True
    ) as client:
        while run.may_send():
            kind, path, params, extra = mix.pick(chance)
            started = time.monotonic()
            try:
                response = await client.get(path, params=params, headers=extra)
                status, retry = response.status_code, "retry-after" in response.headers
                detail = response.text[:200] if status >= 400 else ""
            except httpx.HTTPError as error:
                status, retry, detail = 0, False, f"{type(error).__name__}: {error}"
                await asyncio.sleep(0.1)  # not a spin on a server that is gone
            run.samples.append(Sample(kind, status, time.monotonic() - started, retry, detail))
            run.ordinary_end = time.monotonic()


async def runaway_client(run: Run, number: int) -> None:
    """A connection of the abuser: runaway queries until the deadline (the last one answered
    before it ends); after a 429 it waits as told (5 s at most)."""
    headers = {"X-Forwarded-For": ABUSER}
    async with httpx.AsyncClient(base_url=run.url, headers=headers, timeout=120) as client:
        while time.monotonic() < run.deadline:
            started = time.monotonic()
            query = RUNAWAY[number % len(RUNAWAY)]
            try:
                response = await client.get("/sparql", params={"query": query})
                status, detail = response.status_code, response.text[:200]
                retry = "retry-after" in response.headers
            except httpx.HTTPError as error:
                status, retry, detail = 0, False, f"{type(error).__name__}: {error}"
                await asyncio.sleep(0.1)
            run.samples.append(Sample("runaway", status, time.monotonic() - started, retry, detail))
            if status == 429:
                await asyncio.sleep(min(float(response.headers["retry-after"]), 5))


def is_error(sample: Sample) -> bool:
    if sample.status in (200, 304, 429) or (sample.status == 503 and sample.retry_after):
        return False
    if sample.kind == "runaway":
        return not (
            sample.status == 503 and ("limit" in sample.detail or "memory" in sample.detail)
        )
    return True


class MemoryPeak:
    """Samples the resident memory of a process tree every 100 ms, in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            total = sum(status_kib(p, "VmRSS") for p in process_tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


@dataclass
class Kind:
    requests: int
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]


@dataclass
class Report:
    clients: int
    runaway_clients: int
    seconds: float
    requests: int
    requests_per_second: float
    errors: int
    back_pressure: int  # of the ordinary clients (the runaway client's 429s are expected)
    kinds: dict[str, Kind]
    ordinary_p99_ms: float
    peak_memory_mib: float
    workers_cpu_after_seconds: float
    error_examples: list[str]
    references: list[Reference] = field(default_factory=list)


@dataclass
class Reference:
    """The example queries alone, on one target, measured in the same run."""

    target: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int


def summarise(run: Run, clients: int, runaway: int, seconds: float, peak_kib: int) -> Report:
    kinds = {}
    for kind in ("query", "page", "dump", "runaway"):
        samples = [s for s in run.samples if s.kind == kind]
        if samples:
            times = sorted(s.seconds * 1000 for s in samples)
            statuses = Counter(str(s.status) for s in samples)
            kinds[kind] = Kind(
                len(samples), percentile(times, 0.5), percentile(times, 0.99), dict(statuses)
            )
    ordinary = sorted(s.seconds * 1000 for s in run.samples if s.kind != "runaway")
    errors = [s for s in run.samples if is_error(s)]
    back_pressure = [
        s
        for s in run.samples
        if s.kind != "runaway" and (s.status == 429 or (s.status == 503 and s.retry_after))
    ]
    return Report(
        clients=clients,
        runaway_clients=runaway,
        seconds=round(seconds, 2),
        requests=len(run.samples),
        requests_per_second=round(len(run.samples) / seconds, 1),
        errors=len(errors),
        back_pressure=len(back_pressure),
        kinds=kinds,
        ordinary_p99_ms=percentile(ordinary, 0.99),
        peak_memory_mib=round(peak_kib / 1024, 1),
        workers_cpu_after_seconds=0.0,
        error_examples=sorted({f"{s.kind} {s.status} {s.detail[:120]}" for s in errors})[:10],
    )


async def drive(run: Run, mix: Mix, clients: int, runaway: int) -> None:
    tasks = [ordinary_client(run, mix, n) for n in range(clients)]
    tasks += [runaway_client(run, n) for n in range(runaway)]
    await asyncio.gather(*tasks)


def workers_cpu_after(url: str, pid: int, seconds: float = 2.0) -> float:
    """CPU time the server's processes spend over ``seconds`` of quiet, once every worker
    stopped or replaced during the test is back (its start costs CPU too)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}/health", timeout=5).json()
        if health["ready"] == health["workers"] and not health["running"]:
            break
        time.sleep(0.2)
    time.sleep(0.5)
    pids = process_tree(pid)
    before = cpu_seconds(pids)
    time.sleep(seconds)
    return cpu_seconds(pids) - before


def print_report(report: Report) -> None:
    say(
        f"{report.clients} clients"
        + (
            f" and {report.runaway_clients} sending runaway queries"
            if report.runaway_clients
            else ""
        )
        + f", {report.seconds:.1f} s: {report.requests:,} requests, "
        f"{report.requests_per_second:,.0f} req/s"
    )
    say(f"{'kind':<8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for name, kind in report.kinds.items():
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(kind.statuses.items()))
        say(f"{name:<8} {kind.requests:>9,} {kind.p50_ms:>8.1f} {kind.p99_ms:>8.1f}  {statuses}")
    say(
        f"errors: {report.errors}; "
        f"back-pressure (429, 503 with Retry-After): {report.back_pressure}"
    )
    for example in report.error_examples:
        say(f"  {example}")
    say(f"ordinary clients' p99: {report.ordinary_p99_ms:.0f} ms (goal: under 1,000 ms)")
    say(f"server peak memory (all processes): {report.peak_memory_mib:,.0f} MiB")
    say(f"server CPU in 2 s after the test: {report.workers_cpu_after_seconds:.2f} s")


async def queries_only(
    endpoint: str, queries: list[str], clients: int, seconds: float
) -> tuple[int, list[float], int]:
    """``clients`` sending the queries in turn to ``endpoint`` for ``seconds``: how many were
    answered, their latencies in ms, and how many were not 200."""
    deadline, latencies, failures = time.monotonic() + seconds, [], 0

    async def client(number: int) -> None:
        nonlocal failures
        headers = {"Accept": "application/sparql-results+json"}
        headers["X-Forwarded-For"] = f"10.1.{number // 250}.{number % 250 + 1}"
        async with httpx.AsyncClient(headers=headers, timeout=120) as session:
            turn = number
            while time.monotonic() < deadline:
                started = time.monotonic()
                answer = await session.get(endpoint, params={"query": queries[turn % len(queries)]})
                latencies.append((time.monotonic() - started) * 1000)
                failures += answer.status_code != 200
                turn += 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    return len(latencies), sorted(latencies), failures


def raw_rate(database: Path, queries: list[str], seconds: float) -> tuple[int, list[float]]:
    """The queries evaluated and serialised by pyoxigraph in this process, one at a time."""
    store = ox.Store.read_only(str(database))
    deadline, latencies, turn = time.monotonic() + seconds, [], 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        results = store.query(queries[turn % len(queries)], use_default_graph_as_union=True)
        if isinstance(results, ox.QueryTriples):
            results.serialize(format=ox.RdfFormat.N_TRIPLES)
        else:
            results.serialize(format=ox.QueryResultsFormat.JSON)
        latencies.append((time.monotonic() - started) * 1000)
        turn += 1
    return len(latencies), latencies


def measure_references(
    url: str, database: Path, queries: list[str], clients: int, seconds: float, logs: Path
) -> list[Reference]:
    """tipgraph, the Oxigraph server and raw pyoxigraph on the example queries alone."""

    def reference(target: str, counted: tuple[int, list[float], int]) -> Reference:
        count, latencies, failures = counted
        return Reference(
            target,
            round(count / seconds, 1),
            percentile(sorted(latencies), 0.5),
            percentile(sorted(latencies), 0.99),
            failures,
        )

    found = [
        reference("tipgraph", asyncio.run(queries_only(f"{url}/sparql", queries, clients, seconds)))
    ]
    port = free_port()
    command = [default_oxigraph(), "serve-read-only", "--location", str(database)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    try:
        oxigraph = start_process(command, logs / "oxigraph.log")
    except OSError as error:
        say(f"no Oxigraph server to compare with: {error}")
    else:
        try:
            endpoint = f"http://127.0.0.1:{port}/query"
            probe = str(httpx.URL(endpoint, params={"query": "ASK {}"}))
            if wait_until_ready("oxigraph", oxigraph, probe, logs / "oxigraph.log"):
                counted = asyncio.run(queries_only(endpoint, queries, clients, seconds))
                found.append(reference("Oxigraph server", counted))
        finally:
            stop_process(oxigraph, "oxigraph")
    count, latencies = raw_rate(database, queries, seconds)
    found.append(reference("raw pyoxigraph (one thread, no HTTP)", (count, latencies, 0)))
    return found


def print_references(references: list[Reference], clients: int, seconds: float) -> None:
    say()
    say(f"The example queries alone (JSON), {clients} clients, {seconds:g} s each, same run:")
    say(f"{'target':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'not 200':>8}  tipgraph is")
    base = references[0].requests_per_second
    for ref in references:
        ratio = f"{base / ref.requests_per_second:.2f}x" if ref.requests_per_second else ""
        say(
            f"{ref.target:<38} {ref.requests_per_second:>8,.0f} {ref.p50_ms:>8.1f} "
            f"{ref.p99_ms:>8.1f} {ref.failures:>8}  {ratio}"
        )
    say("(tipgraph answers repeated queries from its cache; the others evaluate every one)")


def prepare_store(store: Path | None, scratch: Path) -> Path:
    if store is not None:
        return store
    target = scratch / "store"
    command = [sys.executable, "-m", "tipgraph.cli", "--root", str(ROOT), "load"]
    subprocess.run([*command, "--store", str(target)], check=True, capture_output=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--runaway", type=int, default=0, help="clients sending runaway queries")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--store", type=Path, help="a loaded store (default: the bundled data)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument(
        "--reference-seconds",
        type=float,
        default=10.0,
        help="then the example queries alone on tipgraph, the Oxigraph server and raw "
        "pyoxigraph, this long each (0: not)",
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tipgraph-load-") as scratch:
        store = prepare_store(options.store, Path(scratch))
        port = free_port()
        command = [sys.executable, "-m", "tipgraph.cli", "--root", str(ROOT), "serve"]
        command += ["--store", str(store), "--port", str(port)]
        server = start_process(command, Path(scratch) / "serve.log")
        url = f"http://127.0.0.1:{port}"
        try:
            if not wait_until_ready(
                "tipgraph", server, f"{url}/health", Path(scratch) / "serve.log"
            ):
                return 2
            mix = build_mix(url)
            started = time.monotonic()
            run = Run(url, started + options.seconds, options.max_requests)
            with MemoryPeak(server.pid) as memory:
                asyncio.run(drive(run, mix, options.clients, options.runaway))
            elapsed = run.ordinary_end - started  # not the runaway queries' last timeouts
            report = summarise(run, options.clients, options.runaway, elapsed, memory.peak_kib)
            report.workers_cpu_after_seconds = round(workers_cpu_after(url, server.pid), 3)
            if options.reference_seconds > 0:
                database = (store / "current" / "oxigraph").resolve()
                report.references = measure_references(
                    url,
                    database,
                    mix.queries,
                    options.clients,
                    options.reference_seconds,
                    Path(scratch),
                )
        finally:
            stop_process(server, "tipgraph serve")
    print_report(report)
    if report.references:
        print_references(report.references, options.clients, options.reference_seconds)
    if options.json is not None:
        options.json.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
