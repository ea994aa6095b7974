"""The "raw pyoxigraph" target of run.py: queries evaluated in-process, without HTTP.

    python bench/raw_worker.py DIR

Opens the Oxigraph database DIR read-only and answers commands, one JSON object a line on stdin,
with one JSON object a line on stdout:

- ``{"cmd": "load", "queries": […], "form": "select"|"construct", "seconds": 5,
  "concurrency": 8}`` runs the queries in turn in ``concurrency`` threads for ``seconds``
  (pyoxigraph releases the GIL while it evaluates) and answers
  ``{"elapsed": s, "latencies": [s, …], "errors": 0}``;
- ``{"cmd": "once", "query": …, "form": …}`` runs it once and answers
  ``{"seconds": s, "bytes": n, "rows": n}``;
- ``{"cmd": "quit"}``, or the end of the input, ends the worker.

A command that fails is answered ``{"error": "…"}``.

Each evaluation is ``store.query(q, use_default_graph_as_union=True)`` serialised to SPARQL JSON
(SELECT) or N-Triples (CONSTRUCT), the work an endpoint does apart from HTTP. It runs in its own
process so that its memory and CPU time can be measured like those of the servers.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

import pyoxigraph as ox


def evaluate(store: ox.Store, query: str, form: str) -> bytes:
    result = store.query(query, use_default_graph_as_union=True)
    if form == "construct":
        assert isinstance(result, ox.QueryTriples)
        body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    else:
        assert isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
    assert body is not None  # serialize() without an output returns the bytes
    return body


def count_rows(body: bytes, form: str) -> int:
    """Solutions in a SPARQL JSON result, or triples in N-Triples (parsed as a stream, so that
    counting costs little memory)."""
    if form == "construct":
        return body.count(b"\n")
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return sum(1 for _ in solutions)


def load(
    store: ox.Store, queries: list[str], form: str, seconds: float, concurrency: int
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    start = time.perf_counter()
    deadline = start + seconds

    def client(index: int) -> None:
        mine = latencies[index]
        turn = index
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            turn += 1
            try:
                evaluate(store, queries[turn % len(queries)], form)
            except Exception:
                errors[index] += 1
                continue
            mine.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "elapsed": time.perf_counter() - start,
        "latencies": [x for mine in latencies for x in mine],
        "errors": sum(errors),
    }


def once(store: ox.Store, query: str, form: str) -> dict[str, Any]:
    began = time.perf_counter()
    body = evaluate(store, query, form)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "bytes": len(body), "rows": count_rows(body, form)}


def main() -> int:
    store = ox.Store.read_only(sys.argv[1])
    print(json.dumps({"ready": True}), flush=True)  # noqa: T201
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        try:
            if command["cmd"] == "load":
                answer = load(
                    store,
                    command["queries"],
                    command["form"],
                    command["seconds"],
                    command["concurrency"],
                )
            elif command["cmd"] == "once":
                answer = once(store, command["query"], command["form"])
            else:
                answer = {"error": f"unknown command {command['cmd']!r}"}
        except (SyntaxError, OSError, ValueError, KeyError) as error:
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
