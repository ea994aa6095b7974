"""Complete dumps of a store version, byte-identical for equal data, with checksums."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from itertools import groupby
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from tipgraph.canonical import canonical_lines
from tipgraph.formats import DUMP_TYPES, MediaType
from tipgraph.namespaces import PREFIXES, sparql_prologue
from tipgraph.sorting import sorted_lines

DUMPS = "dumps"  # the folder of a store version that holds them
STEM = "tipgraph"
CHECKSUMS = "SHA256SUMS"
LISTING = "dumps.json"
GZIP = "application/gzip"
Progress = Callable[[str], None]
TURTLE_PREFIXES = {
    **PREFIXES,
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
}


@dataclass(frozen=True)
class DumpFormat:
    """One dump format: its option name, file extension, media type and what it counts."""

    name: str
    extension: str
    media_type: str
    label: str
    unit: str  # what a file of this format holds: "triples", "quads" or "rows"
    rdf_format: ox.RdfFormat | None = None

    @property
    def file_name(self) -> str:
        return f"{STEM}.{self.extension}"


def _dump_format(media: MediaType) -> DumpFormat:
    """A dump format from the registry's entry for an RDF format."""
    assert media.rdf_format is not None
    unit = "quads" if media.rdf_format.supports_datasets else "triples"
    name = media.short_names[0]
    return DumpFormat(name, media.extension, media.name, media.label, unit, media.rdf_format)


FORMATS: tuple[DumpFormat, ...] = (
    *(_dump_format(media) for media in DUMP_TYPES),
    DumpFormat("csv", "csv", "text/csv", "CSV (statistics)", "rows"),
)
BY_NAME = {f.name: f for f in FORMATS}


@dataclass(frozen=True)
class DumpFile:
    """One file of a dump folder, as listed in ``dumps.json``."""

    name: str
    format: str
    label: str
    media_type: str
    bytes: int
    sha256: str
    count: int
    unit: str
    compressed: bool
    role: str = "data"  # "validation": the proof of the load (tipgraph.quality), not the data

    @property
    def content_type(self) -> str:
        """What the file is served as: a .gz is a download of its own type, not an encoding."""
        if self.compressed:
            return GZIP
        textual = self.media_type.startswith("text/") or self.media_type.endswith("json")
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


@dataclass(frozen=True)
class CanonicalFiles:
    """The store written once in canonical order: the source of every other format."""

    quads: Path  # N-Quads, by graph, subject, predicate, object
    triples: Path  # N-Triples, every graph merged, sorted, each triple once
    quad_count: int
    triple_count: int


def write_canonical(store: ox.Store, folder: Path) -> CanonicalFiles:
    """``tipgraph.nq`` and ``tipgraph.nt`` in ``folder``, sorted on disk (memory bounded)."""
    quads, triples = folder / f"{STEM}.nq", folder / f"{STEM}.nt"
    quad_count = triple_count = 0
    with tempfile.TemporaryDirectory(prefix=".sorting-", dir=folder) as scratch:
        unsorted = Path(scratch) / "triples.nt"
        with quads.open("wb", buffering=1 << 20) as nq, unsorted.open("wb") as nt:
            for triple_line, quad_line in canonical_lines(store, Path(scratch)):
                nt.write(triple_line)
                nq.write(quad_line)
                quad_count += 1
        with unsorted.open("rb") as lines, triples.open("wb", buffering=1 << 20) as out:
            for line in sorted_lines(lines, unique=True, folder=Path(scratch)):
                out.write(line)
                triple_count += 1
    return CanonicalFiles(quads, triples, quad_count, triple_count)


def write_rdf(canonical: CanonicalFiles, dump: DumpFormat, stream: BinaryIO) -> int:
    """Write the canonical quads or triples as ``dump``; their number."""
    assert dump.rdf_format is not None
    source, count = (
        (canonical.quads, canonical.quad_count)
        if dump.unit == "quads"
        else (canonical.triples, canonical.triple_count)
    )
    if dump.rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        with source.open("rb") as lines:
            shutil.copyfileobj(lines, stream, 1 << 20)
        return count
    prefixes = (
        TURTLE_PREFIXES if dump.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    )
    source_format = ox.RdfFormat.N_QUADS if dump.unit == "quads" else ox.RdfFormat.N_TRIPLES
    statements = ox.parse(path=source, format=source_format)
    if dump.unit == "triples":
        statements = (quad.triple for quad in statements)  # type: ignore[assignment]
    ox.serialize(statements, stream, dump.rdf_format, prefixes=prefixes)
    return count


CSV_COLUMNS = (
    "observation", "indicator", "indicator_label", "exploitation_form", "area", "period",
    "value", "unit", "qualifier", "stated_value", "report", "quote", "interpretation",
)  # fmt: skip
# An observation and its quote are read from the graph that states the observation (its
# report): per graph, Oxigraph answers three times faster than over the union of all graphs.
# The indicators' labels are read apart, once (joined in the query, they cost seven times more).
CSV_QUERY = """SELECT ?observation ?indicator ?indicator_label ?exploitation_form ?area ?period
  ?value ?unit ?qualifier ?stated_value ?report ?quote ?interpretation
WHERE {
  GRAPH ?graph {
    ?observation a qb:Observation .
    OPTIONAL { ?observation tip:indicator ?indicator }
    OPTIONAL { ?observation tip:exploitationForm ?exploitation_form }
    OPTIONAL { ?observation sdmx-dimension:refArea ?area }
    OPTIONAL { ?observation sdmx-dimension:refPeriod ?period }
    OPTIONAL { ?observation sdmx-measure:obsValue ?value }
    OPTIONAL { ?observation sdmx-attribute:unitMeasure ?unit }
    OPTIONAL { ?observation tip:valueQualifier ?qualifier }
    OPTIONAL { ?observation tip:statedValue ?stated_value }
    OPTIONAL { ?observation prov:wasDerivedFrom ?source .
      ?source a tip:Quote ; prov:value ?quote . OPTIONAL { ?source prov:wasQuotedFrom ?report } }
    OPTIONAL { ?observation tip:interpretation ?reading .
      ?reading skos:prefLabel ?interpretation FILTER(LANGMATCHES(LANG(?interpretation), "en")) }
  }
}"""
CONCEPT_LABELS = """SELECT ?concept ?label WHERE {
  ?concept a skos:Concept ; skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en"))
}"""


def write_statistics_csv(store: ox.Store, stream: BinaryIO) -> int:
    """Every qb:Observation as one CSV row (RFC 4180, UTF-8), sorted; the number of rows.

    A column with several values (two quotes, say) holds them sorted and joined by " | ". The
    cells are sorted on disk by observation (:func:`sorted_lines`), so memory stays bounded.
    """
    labels: dict[str, list[str]] = {}
    for row in _select(store, CONCEPT_LABELS, union=True):
        labels.setdefault(row["concept"].value, []).append(row["label"].value)
    label_column = CSV_COLUMNS.index("indicator_label")

    def cells(row: ox.QuerySolution) -> list[list[str]]:
        values = [[] if (term := row[c]) is None else [term.value] for c in CSV_COLUMNS]
        if (indicator := row["indicator"]) is not None:
            values[label_column] = labels.get(indicator.value, [])
        return values

    lines = (
        f"{row['observation'].value}\t{json.dumps(cells(row))}\n".encode()
        for row in _select(store, CSV_QUERY)
    )
    writer = csv.writer(_Utf8(stream), lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for _, group in groupby(sorted_lines(lines, unique=True), key=lambda c: c.split(b"\t", 1)[0]):
        merged: list[set[str]] = [set() for _ in CSV_COLUMNS]
        for line in group:  # one line per solution: several when a column has several values
            for cell, values in zip(merged, json.loads(line.split(b"\t", 1)[1]), strict=True):
                cell.update(values)
        writer.writerow([" | ".join(sorted(cell)) for cell in merged])
        rows += 1
    return rows


def _select(store: ox.Store, query: str, *, union: bool = False) -> ox.QuerySolutions:
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


class _Utf8:
    """Text written as UTF-8 to a binary stream (the csv module writes one row at a time)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text.encode("utf-8"))


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _Gzipped:
    """A gzip stream (mtime 0, no file name) fed in blocks of one size.

    zlib's output depends on how its input is split, so the file written during a load and one
    streamed by ``tipgraph dump --gzip`` are only byte-identical when both are fed alike.
    """

    BLOCK = 1 << 20

    def __init__(self, target: BinaryIO) -> None:
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=target, mtime=0, compresslevel=6)
        self._pending = bytearray()

    def write(self, data: bytes) -> int:
        self._pending += data
        while len(self._pending) >= self.BLOCK:
            self._gzip.write(self._pending[: self.BLOCK])
            del self._pending[: self.BLOCK]
        return len(data)

    def flush(self) -> None:
        """Nothing: a flush would end a deflate block where the other writer does not."""

    def close(self) -> None:
        self._gzip.write(self._pending)
        self._gzip.close()


def _gzip(plain: Path) -> Path:
    """``plain.gz``, streamed from ``plain``: equal input, equal bytes."""
    packed = plain.with_name(f"{plain.name}.gz")
    with plain.open("rb") as source, packed.open("wb") as raw:
        gz = _Gzipped(raw)
        while block := source.read(_Gzipped.BLOCK):
            gz.write(block)
        gz.close()
    return packed


def _write_one(
    store: ox.Store, canonical: CanonicalFiles, dump: DumpFormat, folder: Path
) -> tuple[Path, int]:
    """The plain file of one format, and how many statements (or rows) it holds."""
    plain = folder / dump.file_name
    if plain in (canonical.quads, canonical.triples):
        return plain, canonical.quad_count if plain == canonical.quads else canonical.triple_count
    with plain.open("wb", buffering=1 << 20) as stream:
        if dump.rdf_format is None:
            return plain, write_statistics_csv(store, stream)
        return plain, write_rdf(canonical, dump, stream)


def _listed(dump: DumpFormat, plain: Path, count: int) -> list[DumpFile]:
    """The plain file and its gzip twin (written here), as listed in ``dumps.json``."""
    return [
        DumpFile(
            name=path.name,
            format=dump.name,
            label=dump.label,
            media_type=dump.media_type,
            bytes=path.stat().st_size,
            sha256=_file_hash(path),
            count=count,
            unit=dump.unit,
            compressed=path != plain,
        )
        for path in (plain, _gzip(plain))
    ]


def write_dumps(
    store: ox.Store, folder: Path, progress: Progress = lambda _: None, *, threads: int = 2
) -> list[DumpFile]:
    """Every format, plain and gzipped, into ``folder``, with SHA256SUMS and dumps.json.

    The formats are written one after the other (pyoxigraph's serialisers hold the GIL), while
    ``threads`` compress and hash the finished ones (zlib lets go of it).
    """
    folder.mkdir(parents=True, exist_ok=True)
    progress("sorting the statements")
    canonical = write_canonical(store, folder)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending = []
        for dump in FORMATS:
            progress(f"writing {dump.file_name}")
            plain, count = _write_one(store, canonical, dump, folder)
            pending.append(pool.submit(_listed, dump, plain, count))
        files = [file for future in pending for file in future.result()]
    write_listing(folder, files)
    return files


def write_listing(folder: Path, files: list[DumpFile]) -> None:
    """SHA256SUMS and dumps.json in ``folder``, for ``files``."""
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files)
    (folder / CHECKSUMS).write_text(sums, encoding="utf-8")
    listing = {"files": [asdict(f) for f in files]}
    (folder / LISTING).write_text(json.dumps(listing, indent=2) + "\n", encoding="utf-8")


def listed_file(
    path: Path, label: str, media_type: str, count: int, unit: str, role: str
) -> DumpFile:
    """A file written beside the dumps (not a dump format), as listed in ``dumps.json``."""
    return DumpFile(
        name=path.name,
        format=path.stem,
        label=label,
        media_type=media_type,
        bytes=path.stat().st_size,
        sha256=_file_hash(path),
        count=count,
        unit=unit,
        compressed=False,
        role=role,
    )


def read_dumps(folder: Path) -> list[DumpFile]:
    """The files listed in ``folder/dumps.json``; [] when the version has no dumps."""
    try:
        listing = json.loads((folder / LISTING).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [DumpFile(**entry) for entry in listing["files"]]


def write_dump(store: ox.Store, dump: DumpFormat, stream: BinaryIO, compress: bool = False) -> int:
    """One format of the whole store to ``stream`` (e.g. stdout), gzipped or not; the count."""
    if compress:
        gz = _Gzipped(stream)
        count = write_dump(store, dump, gz)  # type: ignore[arg-type]
        gz.close()
        return count
    if dump.rdf_format is None:
        return write_statistics_csv(store, stream)
    with tempfile.TemporaryDirectory(prefix="tipgraph-dump-") as folder:
        return write_rdf(write_canonical(store, Path(folder)), dump, stream)
