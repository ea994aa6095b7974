"""Benchmark tipgraph's SPARQL endpoint against the Oxigraph server and raw pyoxigraph.

    python bench/run.py --triples 1000000            # the full run (about eight minutes)
    python bench/run.py --triples 20000 --seconds 2 --rounds 1   # a quick check

Steps: generate synthetic data (``generate.py``, cached in ``bench/.cache/``), build the store
once with ``tipgraph load``, then measure the queries of ``queries.py`` on the same Oxigraph
database with three targets, interleaved query by query:

- ``raw``: pyoxigraph in a worker process (``raw_worker.py``), no HTTP: the floor;
- ``oxigraph``: ``oxigraph serve-read-only --union-default-graph``: the reference;
- ``tipgraph``: ``tipgraph serve``.

For each query, each round runs every target in turn (rotating the order) for ``--seconds``
with ``--concurrency`` keep-alive connections driven by wrk (two threads; written in C, so that
the load generator is not the limit, and its CPU use is printed beside the servers') and
records requests per second, p50 and p99 latency, and the server's CPU time per request; the
table shows the median over the rounds and the ratios to the Oxigraph server. The large result
is also fetched alone, at 10,000 and 100,000 rows, recording its time and the server's peak
memory.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import pyoxigraph as ox
from generate import generate, manifest_for
from queries import LARGE_QUERY, QUERIES, Form, Query

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
GRAPH = "https://w3id.org/tipgraph/graph/"
TARGETS = ("raw", "oxigraph", "tipgraph")
REFERENCE = "oxigraph"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SMALL_ROWS = 10_000  # the large query is also fetched with this LIMIT, to see memory grow or not


def say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201


# --------------------------------------------------------------------------------------------
# Processes: their tree, memory and CPU time (Linux /proc)
# --------------------------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def status_kib(pid: int, key: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/PID/status in KiB (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time of ``pids``."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def reset_peak(pids: Sequence[int]) -> bool:
    """Reset VmHWM to the current RSS (``echo 5 > clear_refs``); False if not allowed."""
    ok = True
    for pid in pids:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            ok = False
    return ok


@dataclass
class Memory:
    """Resident memory of a process tree around one request, in MiB."""

    before: float
    peak: float

    @property
    def growth(self) -> float:
        return self.peak - self.before


@contextlib.contextmanager
def measure_memory(pids: Sequence[int]) -> Iterator[list[Memory]]:
    """Measure the peak RSS of ``pids`` (summed) during the block: VmHWM after a reset where the
    kernel allows it, and sampling VmRSS every 2 ms in any case; the larger peak wins."""
    result: list[Memory] = []
    before = sum(status_kib(p, "VmRSS") for p in pids)
    exact = reset_peak(pids)
    sampled = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.002):
            sampled.append(sum(status_kib(p, "VmRSS") for p in pids))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join()
        peak = max(sampled)
        if exact:
            peak = max(peak, sum(status_kib(p, "VmHWM") for p in pids))
        result.append(Memory(before / 1024, peak / 1024))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_process(
    command: Sequence[str], log: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a server in its own process group, its output going to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )


def stop_process(process: subprocess.Popen[Any], name: str) -> None:
    """Stop a server this script started: SIGTERM to it alone (so that it shuts its workers down
    itself), then SIGTERM and at last SIGKILL to its process group (its own session), so that
    nothing it started outlives the benchmark."""
    steps = (
        (False, signal.SIGTERM, 10.0),
        (True, signal.SIGTERM, 5.0),
        (True, signal.SIGKILL, 5.0),
    )
    for whole_group, sig, wait in steps:
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            if whole_group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
    # Workers left behind by a server that exited are still in its process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    if process.poll() is None:
        say(f"warning: {name} (pid {process.pid}) did not stop")


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """One timed run of a query at fixed concurrency."""

    requests: int  # answered with 200
    elapsed: float
    p50: float  # seconds
    p99: float
    errors: int
    server_cpu: float  # seconds
    client_cpu: float | None  # seconds used by the load generator, None for raw

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0


def percentile(latencies: Sequence[float], p: float) -> float:
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Single:
    """One request alone: its time, size and the server's memory."""

    seconds: float
    bytes: int
    rows: int
    memory: Memory | None = None


class Target(Protocol):
    name: str

    def load(self, query: Query, seconds: float, concurrency: int) -> LoadResult: ...

    def once(self, query: Query) -> Single: ...

    def pids(self) -> list[int]: ...

    def close(self) -> None: ...


def count_rows(body: bytes, form: Form) -> int:
    """Solutions in a SPARQL JSON result, or triples in N-Triples (parsed as a stream, so that
    counting costs little memory)."""
    if form is Form.CONSTRUCT:
        return body.count(b"\n")
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return sum(1 for _ in solutions)


def get(url: httpx.URL, accept: str) -> tuple[int, bytes]:
    """One GET of ``url`` on a new connection: the status and the body."""
    connection = http.client.HTTPConnection(url.host, url.port, timeout=600)
    try:
        connection.request("GET", str(url.raw_path, "ascii"), headers={"Accept": accept})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_wrk(
    wrk: str, urls: Sequence[httpx.URL], accept: str, seconds: float, connections: int
) -> LoadResult:
    """``connections`` keep-alive connections on two wrk threads, for ``seconds``, sending GETs
    of ``urls`` in turn: wrk, written in C, stays far from saturating a core where a Python
    client would be the limit. Its own CPU time (user and system, from the kernel's account of
    this process's finished children) comes back as ``client_cpu``."""
    threads = min(2, connections)
    paths = ", ".join(json.dumps(str(url.raw_path, "ascii")) for url in urls)
    script = (
        f"paths = {{ {paths} }}\ncounter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format(nil, paths[counter % #paths + 1])\nend\n"
        + (BENCH / "wrk_report.lua").read_text()
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="wrk-") as lua:
        lua.write(script)
        lua.flush()
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s"]
        command += ["--timeout", "600s", "-H", f"Accept: {accept}", "-s", lua.name, str(urls[0])]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"^WRK-REPORT (.*)$", done.stdout, re.MULTILINE)
    if done.returncode or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    report = {k: int(v) for k, v in (pair.split("=") for pair in found[1].split())}
    failed = report["socket_errors"] + report["status_errors"]
    return LoadResult(
        requests=report["requests"] - report["status_errors"],
        elapsed=report["duration_us"] / 1e6,
        p50=report["p50_us"] / 1e6,
        p99=report["p99_us"] / 1e6,
        errors=failed,
        server_cpu=0.0,
        client_cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )


class HttpTarget:
    """A SPARQL endpoint served by a process this script started, loaded by wrk."""

    def __init__(
        self,
        name: str,
        process: subprocess.Popen[bytes],
        endpoint: str,
        wrk: str,
        health: str | None = None,
    ):
        self.name = name
        self.process = process
        self.endpoint = httpx.URL(endpoint)
        self.wrk = wrk
        self.health = health  # tipgraph's /health: polled until every worker is ready

    def settle(self, timeout: float = 60) -> None:
        """Wait until the server is ready to be measured. wrk closes its connections at the
        end of a run, and tipgraph stops the queries still running then (a client that went
        away), replacing their workers: a run started before the new ones are up would
        measure their start."""
        deadline = time.monotonic() + timeout
        while self.health and time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                state = httpx.get(self.health, timeout=2).json()
                if state["ready"] == state["workers"] and not state.get("preparing"):
                    return
            time.sleep(0.1)

    def url(self, query: Query, text: str | None = None) -> httpx.URL:
        return self.endpoint.copy_with(params={"query": text or query.text})

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def load(self, query: Query, seconds: float, concurrency: int) -> LoadResult:
        self.settle()
        pids = self.pids()
        server_cpu = cpu_seconds(pids)
        urls = [self.url(query, text) for text in query.texts]
        result = run_wrk(self.wrk, urls, query.form.media_type, seconds, concurrency)
        result.server_cpu = cpu_seconds(pids) - server_cpu
        return result

    def once(self, query: Query) -> Single:
        self.settle()
        began = time.perf_counter()
        status, body = get(self.url(query), query.form.media_type)
        seconds = time.perf_counter() - began
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
        return Single(seconds, len(body), count_rows(body, query.form))

    def close(self) -> None:
        stop_process(self.process, self.name)


class RawTarget:
    """pyoxigraph in a worker process (raw_worker.py), driven over pipes."""

    name = "raw"

    def __init__(self, database: Path, log: Path) -> None:
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH / "raw_worker.py"), str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
        )
        self.call_raw(None)  # wait for {"ready": true}

    def call_raw(self, command: dict[str, Any] | None) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(json.dumps(command).encode() + b"\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"raw worker ended; see {self.log.name}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def pids(self) -> list[int]:
        return [self.process.pid]

    def load(self, query: Query, seconds: float, concurrency: int) -> LoadResult:
        before = cpu_seconds(self.pids())
        answer = self.call_raw(
            {
                "cmd": "load",
                "queries": list(query.texts),
                "form": query.form.value,
                "seconds": seconds,
                "concurrency": concurrency,
            }
        )
        return LoadResult(
            requests=len(answer["latencies"]),
            elapsed=answer["elapsed"],
            p50=percentile(answer["latencies"], 50),
            p99=percentile(answer["latencies"], 99),
            errors=answer["errors"],
            server_cpu=cpu_seconds(self.pids()) - before,
            client_cpu=None,
        )

    def once(self, query: Query) -> Single:
        answer = self.call_raw({"cmd": "once", "query": query.text, "form": query.form.value})
        return Single(answer["seconds"], answer["bytes"], answer["rows"])

    def close(self) -> None:
        """End the worker: at the end of its input when idle, by SIGTERM when still busy (after
        an interruption; it holds nothing that needs a clean shutdown)."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                assert self.process.stdin is not None
                self.process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2)
            stop_process(self.process, self.name)
        self.log.close()


def wait_until_ready(
    name: str, process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 60
) -> bool:
    """Poll ``url`` until it answers 200; False (with the reason) when the process ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            say(
                f"skipping {name}: it exited with code {process.returncode}" + (":" if tail else "")
            )
            for line in tail:
                say(f"    {line}")
            return False
        with contextlib.suppress(httpx.HTTPError, ValueError):
            answer = httpx.get(url, timeout=2)
            # tipgraph's /health also lists what it still reads in the background since it
            # started (the figures table, the search index): measured during that, the server
            # would be slower than it is once idle.
            if answer.status_code == 200 and not answer.json().get("preparing"):
                return True
        time.sleep(0.2)
    say(f"skipping {name}: {url} did not answer within {timeout:.0f} s (log: {log})")
    stop_process(process, name)
    return False


def start_oxigraph(binary: str, database: Path, logs: Path, wrk: str) -> HttpTarget | None:
    port = free_port()
    log = logs / "oxigraph.log"
    command = [binary, "serve-read-only", "--location", str(database)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    process = start_process(command, log)
    base = f"http://127.0.0.1:{port}"
    probe = str(httpx.URL(f"{base}/query", params={"query": "ASK {}"}))
    if not wait_until_ready("oxigraph", process, probe, log):
        return None
    return HttpTarget("oxigraph", process, f"{base}/query", wrk)


def start_tipgraph(
    command: Sequence[str], store: Path, root: Path, logs: Path, wrk: str
) -> HttpTarget | None:
    port = free_port()
    log = logs / "tipgraph.log"
    full = [*command, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)]
    full += ["--workers", "2", "--max-rows", "1000000", "--timeout", "60"]
    full += ["--client-seconds", "0", "--client-queries", "0"]  # one client stands for many
    full += ["--cache-mb", "0"]  # the engine path: a repeated query is evaluated again
    try:
        process = start_process(full, log, cwd=root)
    except OSError as error:
        say(f"skipping tipgraph: cannot start {full[0]} ({error})")
        return None
    base = f"http://127.0.0.1:{port}"
    if not wait_until_ready("tipgraph", process, f"{base}/health", log):
        return None
    return HttpTarget("tipgraph", process, f"{base}/sparql", wrk, health=f"{base}/health")


# --------------------------------------------------------------------------------------------
# Data and store
# --------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    root: Path
    database: Path  # the Oxigraph directory all targets read
    store: Path | None  # the tipgraph --store directory, None when tipgraph did not build it
    manifest: dict[str, Any]
    builder: str
    build_seconds: float | None


def prepare_data(triples: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """Generate the synthetic root, or reuse the cached one made with the same parameters."""
    folder = CACHE / f"triples-{triples}-seed-{seed}"
    root = folder / "root"
    wanted = manifest_for(triples, seed)
    with contextlib.suppress(OSError, ValueError):
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        if all(manifest.get(k) == v for k, v in wanted.items()):
            say(f"reusing generated data: {manifest['triples']:,} triples")
            return root, manifest
    say(f"generating about {triples:,} triples …")
    for stale in ("store", "oxigraph-fallback", "built.json"):
        path = folder / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    manifest = generate(triples, root, seed)
    say(f"generated {manifest['triples']:,} triples in {manifest['seconds']} s")
    return root, manifest


def prepared_for(
    triples: int, seed: int, tipgraph: Sequence[str]
) -> tuple[Prepared, Path, Path] | None:
    """The data of ``triples`` and ``seed``, the store tipgraph built of it (once, then reused)
    and the folder for the servers' logs; None (said why) when tipgraph could not build it."""
    CACHE.mkdir(exist_ok=True)
    root, manifest = prepare_data(triples, seed)
    prepared = prepare_store(root, manifest, tipgraph, rebuild=False)
    if prepared.store is None:
        say("tipgraph load could not build the store; nothing to measure")
        return None
    logs = root.parent / "logs"
    logs.mkdir(exist_ok=True)
    return prepared, prepared.store, logs


def fallback_build(root: Path, database: Path) -> None:
    """Load the root like ``tipgraph load`` does (ontology graph, one graph per data folder),
    with pyoxigraph directly: for developing the benchmark while ``tipgraph load`` is missing."""
    if database.exists():
        shutil.rmtree(database)
    store = ox.Store(str(database))
    for path in sorted((root / "ontology").rglob("*.ttl")):
        store.bulk_load(
            path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"{GRAPH}ontology")
        )
    for path in sorted((root / "data").rglob("*.ttl")):
        graph = ox.NamedNode(f"{GRAPH}{path.parent.name}")
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE, to_graph=graph)
    store.optimize()  # as tipgraph load does: scans are much slower before
    del store


def prepare_store(
    root: Path, manifest: dict[str, Any], tipgraph: Sequence[str], rebuild: bool
) -> Prepared:
    """Build the store once with ``tipgraph load`` (reusing an earlier build of the same data);
    fall back to loading with pyoxigraph when tipgraph cannot."""
    folder = root.parent
    store, fallback, record = folder / "store", folder / "oxigraph-fallback", folder / "built.json"
    built: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        built = json.loads(record.read_text(encoding="utf-8"))
    database = store / "current" / "oxigraph"
    if not rebuild and built.get("builder") == "tipgraph" and database.is_dir():
        say("reusing the store built by tipgraph load")
        return Prepared(root, database, store, manifest, "tipgraph load (cached)", None)

    if store.exists():
        shutil.rmtree(store)
    command = [*tipgraph, "--root", str(root), "load", "--store", str(store), "--no-validate"]
    say(f"building the store: {' '.join(command)}")
    began = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        output = (done.stderr or done.stdout).strip().splitlines()
        problem = f"exit code {done.returncode}" + (f": {output[-1]}" if output else "")
        if done.returncode == 0:
            problem = f"no {database} after it" if not database.is_dir() else ""
    except OSError as error:
        problem = str(error)
    seconds = time.perf_counter() - began
    if not problem:
        record.write_text(json.dumps({"builder": "tipgraph"}) + "\n", encoding="utf-8")
        shutil.rmtree(fallback, ignore_errors=True)
        say(f"built in {seconds:.1f} s")
        return Prepared(root, database, store, manifest, "tipgraph load", seconds)
    say(f"tipgraph load failed ({problem})")

    if not rebuild and built.get("builder") == "pyoxigraph" and fallback.is_dir():
        say("reusing the fallback store loaded with pyoxigraph (tipgraph serve will be skipped)")
        return Prepared(root, fallback, None, manifest, "pyoxigraph fallback (cached)", None)
    say("FALLBACK: loading with pyoxigraph directly; tipgraph serve will be skipped")
    began = time.perf_counter()
    fallback_build(root, fallback)
    seconds = time.perf_counter() - began
    record.write_text(json.dumps({"builder": "pyoxigraph"}) + "\n", encoding="utf-8")
    say(f"loaded in {seconds:.1f} s")
    return Prepared(root, fallback, None, manifest, "pyoxigraph fallback", seconds)


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    """The medians over the rounds for one query and one target."""

    query: str
    target: str
    rows: int | None  # None: the single request failed
    bytes: int | None
    once_seconds: float | None  # one request alone, after the warm-up
    rate: float
    p50: float
    p99: float
    cpu_per_request: float  # seconds of server CPU per request
    client_cpu_share: float | None  # cores used by wrk
    errors: int
    samples: int


@dataclass
class LargeRow:
    """The large result fetched alone (median over the rounds)."""

    target: str
    rows: int
    bytes: int
    seconds: float
    before_mib: float
    peak_mib: float
    small_rows: int
    small_bytes: int
    small_seconds: float
    small_growth_mib: float

    @property
    def growth_mib(self) -> float:
        return self.peak_mib - self.before_mib


@dataclass
class Results:
    setup: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    large: list[LargeRow] = field(default_factory=list)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def with_limit(query: Query, limit: int) -> Query:
    text = query.text.replace("LIMIT 100000", f"LIMIT {limit}")
    return Query(f"{query.name}-{limit}", text, query.form, query.description)


def rotated(targets: Sequence[Target], by: int) -> list[Target]:
    by %= len(targets)
    return [*targets[by:], *targets[:by]]


def try_once(target: Target, query: Query) -> Single | None:
    """One request; a failure is reported and gives None."""
    try:
        return target.once(query)
    except (RuntimeError, OSError, http.client.HTTPException, ValueError, KeyError) as error:
        say(f"WARNING: {target.name} failed {query.name}: {error}")
        return None


def warm_up(
    targets: Sequence[Target], queries: Sequence[Query]
) -> dict[tuple[str, str], Single | None]:
    """Run each query on each target twice; keep the second timing and check the results agree."""
    singles: dict[tuple[str, str], Single | None] = {}
    for target in targets:
        say(f"warming up {target.name} …")
        for query in queries:
            try_once(target, query)
            singles[(query.name, target.name)] = try_once(target, query)
    for query in queries:
        sizes = {t.name: single.rows for t in targets if (single := singles[(query.name, t.name)])}
        if len(set(sizes.values())) > 1:
            say(f"WARNING: {query.name} returns different numbers of rows: {sizes}")
        elif sizes and not next(iter(sizes.values())):
            say(f"WARNING: {query.name} returns no rows")
    return singles


def measure(
    targets: Sequence[Target],
    queries: Sequence[Query],
    seconds: float,
    rounds: int,
    concurrency: int,
    singles: dict[tuple[str, str], Single | None],
    progress: Callable[[str], None] = say,
) -> tuple[list[Row], list[LargeRow]]:
    rows: list[Row] = []
    large: list[LargeRow] = []
    for query in queries:
        runs: dict[str, list[LoadResult]] = {t.name: [] for t in targets}
        alone: dict[str, list[tuple[Single, Single]]] = {t.name: [] for t in targets}
        for round_ in range(rounds):
            for target in rotated(targets, round_):
                if singles[(query.name, target.name)] is None:
                    progress(f"  {query.name:<10} {target.name}: skipped, it failed in the warm-up")
                    continue
                result = target.load(query, seconds, concurrency)
                runs[target.name].append(result)
                progress(
                    f"  {query.name:<10} round {round_ + 1}/{rounds} {target.name:<9}"
                    f"{result.rate:9.1f} req/s  p50 {result.p50 * 1000:8.2f} ms"
                    f"  p99 {result.p99 * 1000:8.2f} ms"
                    + (f"  {result.errors} errors" if result.errors else "")
                )
                if query.name == LARGE_QUERY and (pair := measure_alone(target, query)):
                    alone[target.name].append(pair)
        for target in targets:
            results = runs[target.name]
            single = singles[(query.name, target.name)]
            client = [r.client_cpu / r.elapsed for r in results if r.client_cpu is not None]
            rows.append(
                Row(
                    query=query.name,
                    target=target.name,
                    rows=single.rows if single else None,
                    bytes=single.bytes if single else None,
                    once_seconds=single.seconds if single else None,
                    rate=median([r.rate for r in results]),
                    p50=median([r.p50 for r in results]),
                    p99=median([r.p99 for r in results]),
                    cpu_per_request=median(
                        [r.server_cpu / r.requests for r in results if r.requests]
                    ),
                    client_cpu_share=median(client) if client else None,
                    errors=sum(r.errors for r in results),
                    samples=sum(r.requests for r in results),
                )
            )
            pairs = alone[target.name]
            if pairs:
                big = [b for _, b in pairs]
                small = [s for s, _ in pairs]
                large.append(
                    LargeRow(
                        target=target.name,
                        rows=big[0].rows,
                        bytes=big[0].bytes,
                        seconds=median([b.seconds for b in big]),
                        before_mib=median([b.memory.before for b in big if b.memory]),
                        peak_mib=median([b.memory.peak for b in big if b.memory]),
                        small_rows=small[0].rows,
                        small_bytes=small[0].bytes,
                        small_seconds=median([s.seconds for s in small]),
                        small_growth_mib=median([s.memory.growth for s in small if s.memory]),
                    )
                )
    return rows, large


def measure_alone(target: Target, query: Query) -> tuple[Single, Single] | None:
    """The large query alone, at SMALL_ROWS and in full, with the server's peak memory.

    Sent twice in full first: tipgraph replaces the workers still busy when wrk stops, and a
    new worker's store fills its caches on its first large query (about 33 MiB, once); sent
    twice, both workers have. Memory that follows the result shows in every run after that.
    """
    for _ in range(2):
        try_once(target, query)
    measured = []
    for variant in (with_limit(query, SMALL_ROWS), query):
        time.sleep(0.5)  # let the allocator settle after the load run
        with measure_memory(target.pids()) as memory:
            single = try_once(target, variant)
        if single is None:
            return None
        single.memory = memory[0]
        measured.append(single)
    return measured[0], measured[1]


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def ratio(value: float, reference: float) -> str:
    if not reference or value != value or reference != reference:  # zero or NaN
        return "-"
    return f"{value / reference:.2f}"


def main_table(results: Results) -> tuple[list[str], list[list[str]]]:
    head = ["query", "target", "rows", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "client CPU"]
    head += ["time vs oxigraph", "req/s vs oxigraph", "errors"]
    reference = {r.query: r for r in results.rows if r.target == REFERENCE}
    body = []
    for r in results.rows:
        ref = reference.get(r.query)
        body.append(
            [
                r.query,
                r.target,
                "failed" if r.rows is None else f"{r.rows:,}",
                f"{r.rate:,.1f}",
                f"{r.p50 * 1000:,.2f}",
                f"{r.p99 * 1000:,.2f}",
                f"{r.cpu_per_request * 1000:,.2f}",
                "-" if r.client_cpu_share is None else f"{r.client_cpu_share:.2f}",
                ratio(r.p50, ref.p50) if ref else "-",
                ratio(r.rate, ref.rate) if ref else "-",
                str(r.errors),
            ]
        )
    return head, body


def large_table(results: Results) -> tuple[list[str], list[list[str]]]:
    head = ["target", "rows", "MB", "one request s", "time vs oxigraph", "RSS before MiB"]
    head += ["peak MiB", "growth MiB", f"growth at {SMALL_ROWS // 1000}k rows MiB"]
    reference = next((r for r in results.large if r.target == REFERENCE), None)
    body = [
        [
            r.target,
            f"{r.rows:,}",
            f"{r.bytes / 1e6:.1f}",
            f"{r.seconds:.3f}",
            ratio(r.seconds, reference.seconds) if reference else "-",
            f"{r.before_mib:.0f}",
            f"{r.peak_mib:.0f}",
            f"{r.growth_mib:.0f}",
            f"{r.small_growth_mib:.0f}",
        ]
        for r in results.large
    ]
    return head, body


def verdicts(results: Results) -> list[str]:
    """tipgraph against the targets of bench/README.md."""
    by = {(r.query, r.target): r for r in results.rows}
    lines = []
    for query in dict.fromkeys(r.query for r in results.rows):
        tip, ref, raw = (
            by.get((query, "tipgraph")),
            by.get((query, REFERENCE)),
            by.get((query, "raw")),
        )
        if not tip or not ref:
            continue
        time_ratio, rate_ratio = tip.p50 / ref.p50, tip.rate / ref.rate
        if query == "point":
            ok = rate_ratio >= 1 / 3 and tip.p50 < 0.002
            rule = "req/s >= 1/3 of oxigraph's and p50 < 2 ms"
        elif query == LARGE_QUERY:
            continue
        elif query == "construct":
            ok = time_ratio <= 1.2 and rate_ratio >= 1 / 1.2
            rule = "time <= 1.2 and req/s >= 1/1.2 of oxigraph's"
        elif raw and raw.once_seconds is not None and raw.once_seconds < 0.010:
            lines.append(
                f"  {query}: under 10 ms of engine work "
                f"(raw {raw.once_seconds * 1000:.1f} ms), no target"
            )
            continue
        else:
            ok = time_ratio <= 1.1 and rate_ratio >= 1 / 1.1
            rule = "time <= 1.1 and req/s >= 1/1.1 of oxigraph's"
        lines.append(
            f"  {query}: {'met' if ok else 'MISSED'} ({rule}; time {time_ratio:.2f}, "
            f"req/s {rate_ratio:.2f}, p50 {tip.p50 * 1000:.2f} ms)"
        )
    tip_large = next((r for r in results.large if r.target == "tipgraph"), None)
    ref_large = next((r for r in results.large if r.target == REFERENCE), None)
    if tip_large and ref_large:
        time_ratio = tip_large.seconds / ref_large.seconds
        memory = (
            f"growth {tip_large.small_growth_mib:.0f} MiB at {tip_large.small_rows:,} rows, "
            f"{tip_large.growth_mib:.0f} MiB at {tip_large.rows:,}"
        )
        # Holding a whole response costs at least its size: growing by well under the extra
        # bytes of the full result over the small one means memory does not follow result size.
        extra_mib = (tip_large.bytes - tip_large.small_bytes) / 2**20
        if extra_mib < 4:
            flat, judged = True, "memory not judged: too few rows in this data"
        else:
            flat = tip_large.growth_mib - tip_large.small_growth_mib < 0.5 * extra_mib
            judged = "memory flat" if flat else "memory GROWS with the result"
        ok = time_ratio <= 1.1 and flat
        lines.append(
            f"  {LARGE_QUERY}: {'met' if ok else 'MISSED'} (time <= 1.1 of oxigraph's and memory "
            f"flat; time {time_ratio:.2f}; {judged}; {memory})"
        )
    return lines


def text_table(head: list[str], body: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    lines = []
    for n, row in enumerate([head, *body]):
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(head: list[str], body: list[list[str]]) -> str:
    align = ["---" if i < 2 else "---:" for i in range(len(head))]
    rows = [head, align, *body]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def report(results: Results, markdown: bool) -> None:
    setup = results.setup
    say()
    say(
        f"{setup['triples']:,} triples ({setup['observations']:,} observations, "
        f"{setup['reports']} reports), store by {setup['builder']}; "
        f"{setup['concurrency']} clients, {setup['seconds']} s, {setup['rounds']} rounds, "
        f"medians; {setup['cpus']} CPUs; pyoxigraph {setup['pyoxigraph']}, {setup['oxigraph']}"
    )
    say(
        "CPU ms/req: server CPU time per request (all its processes); client CPU: cores used "
        "by wrk (of its 2 threads; near 2.0, the load generator is the limit);"
    )
    say("time vs oxigraph = p50 / p50 of the Oxigraph server; req/s vs oxigraph likewise")
    say()
    tables = [main_table(results)]
    if results.large:
        tables.append(large_table(results))
    for head, body in tables:
        say(text_table(head, body))
        say()
    lines = verdicts(results)
    if lines:
        say("tipgraph against the targets (bench/README.md):")
        for line in lines:
            say(line)
        say()
    if markdown:
        for head, body in tables:
            say(markdown_table(head, body))
            say()


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def default_tipgraph() -> list[str]:
    """The tipgraph command of this interpreter's environment."""
    beside = Path(sys.executable).parent / "tipgraph"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("tipgraph")
    return [found] if found else [sys.executable, "-c", "from tipgraph.cli import main; main()"]


def default_oxigraph() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph") or "oxigraph"


def default_wrk() -> str:
    return shutil.which("wrk") or "wrk"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000, help="data size (default 1M)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per query and target (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}"
    )
    parser.add_argument(
        "--queries", default=",".join(QUERIES), help=f"comma-separated, of {', '.join(QUERIES)}"
    )
    parser.add_argument("--wrk", default=default_wrk(), help="the load generator (Debian's wrk)")
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    parser.add_argument("--json", type=Path, help="write every measurement to this file")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the store")
    parser.add_argument("--oxigraph", default=default_oxigraph(), help="the oxigraph binary")
    parser.add_argument(
        "--tipgraph",
        default=None,
        help="the tipgraph command (default: the one beside this Python)",
    )
    args = parser.parse_args(argv)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    for name in args.targets:
        if name not in TARGETS:
            parser.error(f"unknown target {name!r}")
    for name in args.queries:
        if name not in QUERIES:
            parser.error(f"unknown query {name!r}")
    args.tipgraph = args.tipgraph.split() if args.tipgraph else default_tipgraph()
    return args


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (and Ctrl-C) stop the servers on the way out, in main()'s finally.
    signal.signal(signal.SIGTERM, interrupt)
    CACHE.mkdir(exist_ok=True)
    root, manifest = prepare_data(args.triples, args.seed)
    prepared = prepare_store(root, manifest, args.tipgraph, args.rebuild)
    logs = root.parent / "logs"
    logs.mkdir(exist_ok=True)

    targets: list[Target] = []
    try:
        for name in args.targets:
            target: Target | None
            if name == "raw":
                target = RawTarget(prepared.database, logs / "raw.log")
            elif name == "oxigraph":
                target = start_oxigraph(args.oxigraph, prepared.database, logs, args.wrk)
            elif prepared.store is None:
                say("skipping tipgraph: the store was not built by tipgraph load")
                target = None
            else:
                target = start_tipgraph(args.tipgraph, prepared.store, root, logs, args.wrk)
            if target is not None:
                targets.append(target)
        if not targets:
            say("no target started")
            return 1
        say(f"targets: {', '.join(t.name for t in targets)}")
        queries = [QUERIES[name] for name in args.queries]
        singles = warm_up(targets, queries)
        version = subprocess.run(
            [args.oxigraph, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        results = Results(
            setup={
                "triples": manifest["triples"],
                "observations": manifest["observations"],
                "reports": manifest["reports"],
                "builder": prepared.builder,
                "build_seconds": prepared.build_seconds,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "concurrency": args.concurrency,
                "cpus": os.cpu_count(),
                "pyoxigraph": ox.__version__,
                "oxigraph": version,
                "targets": [t.name for t in targets],
            }
        )
        results.rows, results.large = measure(
            targets, queries, args.seconds, args.rounds, args.concurrency, singles
        )
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        for target in targets:
            target.close()
    report(results, args.markdown)
    if args.json:
        args.json.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
