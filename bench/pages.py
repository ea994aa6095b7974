"""Benchmark dereferencing: tipgraph's /doc/ documents against the same description elsewhere.

    python bench/pages.py --triples 1000000            # about five minutes
    python bench/pages.py --triples 20000 --seconds 2 --rounds 1   # a quick check

Uses the data and store of ``run.py`` (same cache). For each sample resource, the targets are:

- ``raw``: pyoxigraph CONSTRUCTs the resource's concise bounded description (its triples and
  its blank nodes' triples) as N-Triples, in a worker process with no HTTP: the floor;
- ``oxigraph``: the Oxigraph server answers the same CONSTRUCT: the reference;
- ``tipgraph-nt``: ``GET /doc/….nt`` from ``tipgraph serve``: the same triples;
- ``tipgraph-ttl``: ``GET /doc/….ttl``: the same triples as Turtle, with the prefixes;
- ``tipgraph-html``: ``GET /doc/….html``: the page people read (labels in their language,
  backlinks with counts, the figure's quote in its paragraph, an indicator's chart), which asks
  the store many more questions than one CONSTRUCT. No target applies to it; it is measured so
  that a slow page shows.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence

import httpx
import pyoxigraph as ox
import run
from generate import SAMPLE_AGENCY, SAMPLE_OBSERVATION
from queries import Form, Query

ID = "https://w3id.org/tipgraph/id/"
RESOURCES = {
    "observation": SAMPLE_OBSERVATION,
    "agency": SAMPLE_AGENCY,  # the most frequent actor: a page with thousands of backlinks
    "indicator": f"{ID}indicator/victims-identified",
}


def concise_bounded_description(iri: str) -> str:
    return (
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?b ?bp ?bo }} WHERE {{ {{ <{iri}> ?p ?o }} UNION "
        f"{{ <{iri}> ?p0 ?b FILTER(isBlank(?b)) ?b ?bp ?bo }} }}"
    )


QUERIES = [
    Query(name, concise_bounded_description(iri), Form.CONSTRUCT, f"/doc/ of the {name}")
    for name, iri in RESOURCES.items()
]


class DocumentTarget(run.HttpTarget):
    """``tipgraph serve``'s document of each resource, with the given twin suffix."""

    def __init__(self, server: run.HttpTarget, name: str, suffix: str, owner: bool) -> None:
        super().__init__(name, server.process, str(server.endpoint), server.wrk, server.health)
        self.suffix = suffix
        self.owner = owner  # the targets share one server: only one stops it

    def url(self, query: Query, text: str | None = None) -> httpx.URL:
        path = f"/doc/{RESOURCES[query.name][len(ID) :]}{self.suffix}"
        return self.endpoint.copy_with(path=path, query=None)

    def once(self, query: Query) -> run.Single:
        began = time.perf_counter()
        status, body = run.get(self.url(query), "*/*")
        seconds = time.perf_counter() - began
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
        triples = 0
        if self.suffix in (".nt", ".ttl"):
            format = ox.RdfFormat.from_extension(self.suffix[1:])
            triples = sum(1 for _ in ox.parse(body, format=format))
        return run.Single(seconds, len(body), triples)

    def close(self) -> None:
        if self.owner:
            super().close()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000, help="data size (default 1M)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per resource and target")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--oxigraph", default=run.default_oxigraph(), help="the oxigraph binary")
    parser.add_argument("--tipgraph", default=None, help="the tipgraph command")
    parser.add_argument("--wrk", default=run.default_wrk(), help="the load generator")
    args = parser.parse_args(argv)
    args.tipgraph = args.tipgraph.split() if args.tipgraph else run.default_tipgraph()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, run.interrupt)
    found = run.prepared_for(args.triples, args.seed, args.tipgraph)
    if found is None:
        return 1
    prepared, store, logs = found
    root, manifest = prepared.root, prepared.manifest
    targets: list[run.Target] = []
    try:
        targets.append(run.RawTarget(prepared.database, logs / "raw.log"))
        oxigraph = run.start_oxigraph(args.oxigraph, prepared.database, logs, args.wrk)
        if oxigraph is not None:
            targets.append(oxigraph)
        server = run.start_tipgraph(args.tipgraph, store, root, logs, args.wrk)
        if server is None:
            return 1
        targets.append(DocumentTarget(server, "tipgraph-nt", ".nt", owner=True))
        targets.append(DocumentTarget(server, "tipgraph-ttl", ".ttl", owner=False))
        targets.append(DocumentTarget(server, "tipgraph-html", ".html", owner=False))
        singles = run.warm_up(targets, QUERIES)
        rows, _ = run.measure(
            targets, QUERIES, args.seconds, args.rounds, args.concurrency, singles
        )
    except KeyboardInterrupt:
        run.say("interrupted")
        return 130
    finally:
        for target in targets:
            target.close()
    results = run.Results(setup={}, rows=rows)
    run.say()
    run.say(
        f"{manifest['triples']:,} triples; {args.concurrency} clients, {args.seconds} s, "
        f"{args.rounds} rounds, medians; {os.cpu_count()} CPUs; pyoxigraph {ox.__version__}"
    )
    run.say("rows: triples of the description (HTML: not counted); ratios to the Oxigraph server")
    head, body = run.main_table(results)
    run.say(run.text_table(head, body))
    if args.markdown:
        run.say()
        run.say(run.markdown_table(head, body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
