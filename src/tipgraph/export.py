"""Complete dumps of a store version, byte-identical for equal data, with checksums."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from tipgraph.canonical import canonical_lines
from tipgraph.formats import DUMP_TYPES, MediaType
from tipgraph.namespaces import PREFIXES, sparql_prologue
from tipgraph.observation_table import (
    ALL_LABELS,
    ALL_ROWS,
    COLUMNS,
    METADATA_FILE,
    METADATA_TYPE,
    NAMES,
    csvw_metadata,
    pick_labels,
    table_rows,
    write_table,
)
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


CSV_COLUMNS = NAMES  # the columns of tipgraph.csv: tipgraph.observation_table.COLUMNS
METADATA_UNIT = "columns"
METADATA_ROLE = "metadata"  # DumpFile.role of the CSVW description: about a dump, not data
# The datasets' titles and licences, for the CSVW description of the table.
TABLE_SOURCES = """SELECT ?title ?licence WHERE {
  ?dataset a qb:DataSet .
  OPTIONAL { ?dataset dcterms:title ?title FILTER(LANGMATCHES(LANG(?title), "en")) }
  OPTIONAL { ?dataset dcterms:license ?licence }
}"""


def write_statistics_csv(store: ox.Store, stream: BinaryIO) -> int:
    """Every qb:Observation as one CSV row (RFC 4180, UTF-8), sorted; the number of rows.

    The columns and their cells: :mod:`tipgraph.observation_table`.
    """
    labels = pick_labels(_values(_select(store, ALL_LABELS, union=True)))
    return write_table(table_rows(_values(_select(store, ALL_ROWS)), labels), stream)


def write_table_metadata(store: ox.Store, folder: Path) -> DumpFile:
    """``tipgraph.csv-metadata.json`` (CSVW) in ``folder``, as listed in ``dumps.json``."""
    sources = list(_values(_select(store, TABLE_SOURCES, union=True)))
    metadata = csvw_metadata(
        (s["title"] for s in sources if "title" in s),
        (s["licence"] for s in sources if "licence" in s),
    )
    path = folder / METADATA_FILE
    path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    listed = listed_file(
        path, "CSVW metadata of tipgraph.csv", METADATA_TYPE, len(COLUMNS), METADATA_UNIT,
        METADATA_ROLE,
    )  # fmt: skip
    return replace(listed, format="csvw")


def _values(solutions: ox.QuerySolutions) -> Iterator[dict[str, str]]:
    """Each solution as its bound variables' lexical values."""
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield {n: term.value for n in names if (term := solution[n]) is not None}


def _select(store: ox.Store, query: str, *, union: bool = False) -> ox.QuerySolutions:
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


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
    files.append(write_table_metadata(store, folder))
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
