"""Benchmark ``tipgraph validate`` against Jena's ``shacl validate`` on the same data and shapes.

    python bench/validate.py                                   # 10k, 100k and 1M triples
    python bench/validate.py --sizes 20000,100000 --runs 1     # a quick look

For each size, the synthetic root of ``generate.py`` (cached as for ``run.py``) is validated by:

- ``tipgraph``: ``tipgraph --root ROOT validate``, as curators run it: every report in its own
  process (one per core), pySHACL-turbo checking the shapes with Oxigraph selecting the SPARQL
  targets, then the fidelity rules and the rule across reports;
- ``reference``: the same with ``--reference`` (pySHACL alone), up to ``--reference-up-to``
  triples (it is the slow one);
- ``jena``: Jena's ``shacl validate`` (Debian's ``libapache-jena-java``) on the same triples,
  merged into one N-Triples file with the source texts as ``prov:value`` (as tipgraph checks
  them), and the same shapes in one file. It checks the shapes only: no fidelity rules.

Runs alternate between the engines; the table shows medians of wall time and CPU time (all
processes), the ratio to Jena, and how tipgraph's time grows per triple from the smallest size.
Jena's command is Debian's jars with the class path the tests use (tests/web/test_clients.py);
``--jena "java -cp … shacl.shacl"`` gives another.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from run import default_tipgraph, prepare_data, say

JENA_JARS = Path("/usr/share/java")
JENA_CLASSPATH = ("jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-iri", "jena-shacl")
JENA_CLASSPATH += ("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io")
JENA_CLASSPATH += ("commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore")
JENA_CLASSPATH += ("jackson-core", "jackson-databind", "jackson-annotations", "jakarta.json-api")
JENA_CLASSPATH += ("jsonld-java", "protobuf", "thrift", "titanium-json-ld", "slf4j-api")
JENA_CLASSPATH += ("slf4j-nop",)
SHADED_MESSAGES = "org/apache/jena/ext/xerces/"


@dataclass
class Timing:
    wall: float
    cpu: float
    ok: bool  # the data conformed, as every generated root does


def timed(command: Sequence[str], conforms: str | None = None) -> Timing:
    """Run ``command``; its wall time, its CPU time, and whether it reported conformance."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    output = done.stdout + done.stderr
    ok = done.returncode == 0 and (conforms is None or conforms in output)
    if not ok:
        say(f"  {command[0]} failed ({done.returncode}): {output.strip()[-500:]}")
    return Timing(wall, cpu, ok)


def jena_command(folder: Path) -> list[str]:
    """Jena's shacl command from Debian's jars (with the message bundles its Xerces needs)."""
    java = shutil.which("java")
    if java is None or not (JENA_JARS / "jena-shacl.jar").is_file():
        raise SystemExit(
            "Jena is needed: apt-get install -y --no-install-recommends libapache-jena-java "
            "default-jre-headless (or give --jena)"
        )
    messages = folder / "jena-messages"
    with zipfile.ZipFile(JENA_JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(SHADED_MESSAGES) and name.endswith(".properties"):
                target = messages / "xerces" / name.removeprefix(SHADED_MESSAGES)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [str(JENA_JARS / f"{name}.jar") for name in JENA_CLASSPATH]
    return [java, "-cp", ":".join([*jars, str(messages)]), "shacl.shacl"]


def export_for_jena(root: Path, folder: Path) -> tuple[Path, Path]:
    """The root's triples (the union of its graphs, source texts included) and its shapes, as
    N-Triples files for Jena (written once per root)."""
    from tipgraph.dataset import assemble_dataset, rdf_files

    data, shapes = folder / "data.nt", folder / "shapes.nt"
    if not data.exists():
        assembled = assemble_dataset(root / "ontology", [root / "data"])
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in assembled.store)
        with data.open("wb") as out:
            ox.serialize(triples, out, format=ox.RdfFormat.N_TRIPLES)
        found = [
            quad.triple
            for file in rdf_files(root / "shapes")
            for quad in ox.parse(path=file, format=ox.RdfFormat.TURTLE)
        ]
        shapes.write_bytes(ox.serialize(found, format=ox.RdfFormat.N_TRIPLES) or b"")
    return data, shapes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="triples, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2, help="runs per engine and size (2)")
    parser.add_argument("--reference-up-to", type=int, default=100_000, help="pySHACL alone")
    parser.add_argument("--tipgraph", default=None, help="the tipgraph command")
    parser.add_argument("--jena", default=None, help="Jena's shacl command")
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    args.tipgraph = args.tipgraph.split() if args.tipgraph else default_tipgraph()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    smallest: tuple[int, float] | None = None
    for size in args.sizes:
        root, manifest = prepare_data(size, args.seed)
        folder = root.parent / "jena"
        folder.mkdir(exist_ok=True)
        jena = args.jena.split() if args.jena else jena_command(folder)
        data, shapes = export_for_jena(root, folder)
        commands = {
            "tipgraph": ([*args.tipgraph, "--root", str(root), "validate"], None),
            "jena": ([*jena, "validate", "--shapes", str(shapes), "--data", str(data)], "true"),
        }
        if size <= args.reference_up_to:
            commands["reference"] = ([*commands["tipgraph"][0], "--reference"], None)
        runs: dict[str, list[Timing]] = {name: [] for name in commands}
        for run in range(args.runs):
            order = list(commands) if run % 2 == 0 else list(reversed(commands))
            for name in order:
                command, conforms = commands[name]
                runs[name].append(timing := timed(command, conforms))
                say(f"  {size:,} triples, {name}: {timing.wall:.1f} s wall, {timing.cpu:.1f} s CPU")
        triples = int(manifest["triples"])
        wall = {name: statistics.median(t.wall for t in found) for name, found in runs.items()}
        cpu = {name: statistics.median(t.cpu for t in found) for name, found in runs.items()}
        growth = "-"
        if smallest is None:
            smallest = (triples, wall["tipgraph"])
        else:
            growth = f"{(wall['tipgraph'] / smallest[1]) / (triples / smallest[0]):.2f}"
        reports = len([p for p in (root / "data").iterdir() if any(p.glob("source.*.txt"))])
        rows.append(
            [
                f"{triples:,}",
                str(reports),
                f"{wall['tipgraph']:.1f} ({cpu['tipgraph']:.1f})",
                f"{wall['jena']:.1f} ({cpu['jena']:.1f})",
                f"{wall['tipgraph'] / wall['jena']:.2f}",
                f"{wall['reference']:.1f} ({cpu['reference']:.1f})" if "reference" in wall else "-",
                growth,
                "yes" if all(t.ok for found in runs.values() for t in found) else "NO",
            ]
        )
    head = ["triples", "reports", "tipgraph s (CPU)", "Jena s (CPU)", "tipgraph / Jena"]
    head += ["pySHACL alone s (CPU)", "tipgraph time per triple vs smallest", "all conform"]
    say()
    say("| " + " | ".join(head) + " |")
    say("|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|")
    for row in rows:
        say("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
