"""Complete dumps of a store version, byte-identical for equal data, with checksums."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from tipgraph.canonical import canonical_quads, merged_triples
from tipgraph.namespaces import PREFIXES, sparql_prologue

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


FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("nt", "nt", "application/n-triples", "N-Triples", "triples", ox.RdfFormat.N_TRIPLES),
    DumpFormat("turtle", "ttl", "text/turtle", "Turtle", "triples", ox.RdfFormat.TURTLE),
    DumpFormat("nq", "nq", "application/n-quads", "N-Quads", "quads", ox.RdfFormat.N_QUADS),
    DumpFormat("trig", "trig", "application/trig", "TriG", "quads", ox.RdfFormat.TRIG),
    DumpFormat("jsonld", "jsonld", "application/ld+json", "JSON-LD", "quads", ox.RdfFormat.JSON_LD),
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

    @property
    def content_type(self) -> str:
        """What the file is served as: a .gz is a download of its own type, not an encoding."""
        if self.compressed:
            return GZIP
        textual = self.media_type.startswith("text/") or self.media_type.endswith("json")
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


def _counting(items: Iterable[ox.Quad] | Iterable[ox.Triple], tally: list[int]) -> Iterator[object]:
    for item in items:
        tally[0] += 1
        yield item


Statements = list[ox.Quad] | list[ox.Triple]


def _statements(store: ox.Store) -> dict[str, Statements]:
    """The store's canonical quads, and its triples with every graph merged."""
    quads = canonical_quads(store.quads_for_pattern(None, None, None, None))
    return {"quads": quads, "triples": merged_triples(quads)}


def write_rdf(items: Statements, dump: DumpFormat, stream: BinaryIO) -> int:
    """Write canonical quads or triples (see :func:`_statements`) as ``dump``; their number."""
    assert dump.rdf_format is not None
    tally = [0]
    prefixes = (
        TURTLE_PREFIXES if dump.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    )
    ox.serialize(_counting(items, tally), stream, dump.rdf_format, prefixes=prefixes)  # type: ignore[arg-type]
    return tally[0]


CSV_COLUMNS = (
    "observation", "indicator", "indicator_label", "exploitation_form", "area", "period",
    "value", "unit", "qualifier", "stated_value", "report", "quote",
)  # fmt: skip
CSV_QUERY = """SELECT ?observation ?indicator ?indicator_label ?exploitation_form ?area ?period
  ?value ?unit ?qualifier ?stated_value ?report ?quote
WHERE {
  ?observation a qb:Observation .
  OPTIONAL { ?observation tip:indicator ?indicator .
    OPTIONAL { ?indicator skos:prefLabel ?indicator_label
      FILTER(LANGMATCHES(LANG(?indicator_label), "en")) } }
  OPTIONAL { ?observation tip:exploitationForm ?exploitation_form }
  OPTIONAL { ?observation sdmx-dimension:refArea ?area }
  OPTIONAL { ?observation sdmx-dimension:refPeriod ?period }
  OPTIONAL { ?observation sdmx-measure:obsValue ?value }
  OPTIONAL { ?observation sdmx-attribute:unitMeasure ?unit }
  OPTIONAL { ?observation tip:valueQualifier ?qualifier }
  OPTIONAL { ?observation tip:statedValue ?stated_value }
  OPTIONAL { ?observation prov:wasDerivedFrom ?source .
    ?source a tip:Quote ; prov:value ?quote . OPTIONAL { ?source prov:wasQuotedFrom ?report } }
}"""


def write_statistics_csv(store: ox.Store, stream: BinaryIO) -> int:
    """Every qb:Observation as one CSV row (RFC 4180, UTF-8), sorted; the number of rows.

    A column with several values (two quotes, say) holds them sorted and joined by " | ".
    """
    rows: dict[str, list[set[str]]] = {}
    solutions = store.query(sparql_prologue() + CSV_QUERY, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for solution in solutions:
        observation = solution["observation"].value
        row = rows.setdefault(observation, [set() for _ in CSV_COLUMNS])
        for index, column in enumerate(CSV_COLUMNS):
            term = solution[column]
            if term is not None:
                row[index].add(term.value)
    writer = csv.writer(_Utf8(stream), lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for observation in sorted(rows):
        writer.writerow([" | ".join(sorted(values)) for values in rows[observation]])
    return len(rows)


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
    store: ox.Store, statements: dict[str, Statements], dump: DumpFormat, folder: Path
) -> list[DumpFile]:
    """The plain file and its gzip twin."""
    plain = folder / dump.file_name
    with plain.open("wb") as stream:
        if dump.rdf_format is None:
            count = write_statistics_csv(store, stream)
        else:
            count = write_rdf(statements[dump.unit], dump, stream)
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
    store: ox.Store, folder: Path, progress: Progress = lambda _: None
) -> list[DumpFile]:
    """Every format, plain and gzipped, into ``folder``, with SHA256SUMS and dumps.json."""
    folder.mkdir(parents=True, exist_ok=True)
    statements = _statements(store)
    files: list[DumpFile] = []
    for dump in FORMATS:
        progress(f"writing {dump.file_name}")
        files += _write_one(store, statements, dump, folder)
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files)
    (folder / CHECKSUMS).write_text(sums, encoding="utf-8")
    listing = {"files": [asdict(f) for f in files]}
    (folder / LISTING).write_text(json.dumps(listing, indent=2) + "\n", encoding="utf-8")
    return files


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
    return write_rdf(_statements(store)[dump.unit], dump, stream)
