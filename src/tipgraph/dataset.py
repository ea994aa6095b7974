"""Assemble the dataset: find the ontology and data files and parse each into its named graph.

Layout (see README): ``ontology/**/*.ttl`` go to the ontology graph; every other Turtle file goes
to the graph named after the folder that holds it (``data/az-mia-thb-2018/*.ttl`` →
``…/graph/az-mia-thb-2018``). A folder holding ``source.<lang>.txt`` is a report: its text is
attached to ``…/id/report/<folder>/text/<lang>`` as ``prov:value`` so that SHACL can check every
quote against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tipgraph.errors import DataLayoutError, DataSyntaxError, SourceTextError
from tipgraph.namespaces import ONTOLOGY_GRAPH, PROV, graph_iri, source_text_iri

# A report's working draft (tipgraph draft, tipgraph accept): parsed and validated with the
# report's files, so that its checklist shows, and never published while anything is left in it.
DRAFT_FILE = "draft.ttl"
SOURCE_TEXT_NAME = re.compile(r"^source\.(?P<language>[a-z]{2,3}(?:-[A-Za-z0-9]+)*)\.txt$")
RDF_SUFFIXES = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


@dataclass(frozen=True)
class SourceText:
    """One language version of a report's verbatim text."""

    path: Path
    iri: str
    graph: str
    text: str


@dataclass
class AssembledDataset:
    """Every parsed quad, in its named graph, and where each subject was stated."""

    store: ox.Store
    files: list[Path] = field(default_factory=list)
    texts: list[SourceText] = field(default_factory=list)
    subject_files: dict[str, set[Path]] = field(default_factory=dict)

    def files_of(self, subject: str) -> list[Path]:
        """The files that state something about ``subject`` (an IRI or blank node id), sorted."""
        return sorted(self.subject_files.get(subject, ()))

    def __len__(self) -> int:
        return len(self.store)


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files below ``folder``, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in RDF_SUFFIXES and p.is_file())


def parse_file(path: Path, graph: str) -> Iterator[ox.Quad]:
    """Parse one RDF file into quads of ``graph``; a syntax error names the file, line, column."""
    target = ox.NamedNode(graph)
    try:
        for quad in ox.parse(path=path, format=RDF_SUFFIXES[path.suffix], rename_blank_nodes=True):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
    except SyntaxError as error:
        raise DataSyntaxError(path, error.lineno, error.offset, error.msg) from None
    except UnicodeDecodeError as error:
        raise DataSyntaxError(path, None, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise DataLayoutError(f"{path}: cannot read ({error.strerror})") from None


def read_source_texts(folder: Path) -> list[SourceText]:
    """The ``source.<lang>.txt`` files of a report folder, read verbatim."""
    texts = []
    for path in sorted(folder.glob("source.*.txt")):
        match = SOURCE_TEXT_NAME.match(path.name)
        if match is None:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise SourceTextError(f"{path}: not UTF-8 text ({error.reason})") from None
        texts.append(
            SourceText(
                path=path,
                iri=source_text_iri(folder.name, match["language"]),
                graph=graph_iri(folder.name),
                text=text,
            )
        )
    return texts


def data_sources(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Each data file under ``paths`` (files or folders) with the graph it belongs to."""
    found: dict[Path, str] = {}
    for path in paths:
        if path.is_dir():
            for file in rdf_files(path):
                found[file] = graph_iri(file.parent.name)
        elif path.is_file():
            if path.suffix not in RDF_SUFFIXES:
                raise DataLayoutError(
                    f"{path}: not an RDF file (expected one of {', '.join(sorted(RDF_SUFFIXES))})."
                )
            found[path] = graph_iri(path.parent.name)
        else:
            raise DataLayoutError(f"{path}: no such file or folder.")
    return sorted(found.items())


def report_folders(paths: Iterable[Path]) -> list[Path]:
    """The folders under ``paths`` (or holding a file of ``paths``) that hold a source text."""
    folders: set[Path] = set()
    for path in paths:
        if path.is_dir():
            folders.update(text.parent for text in path.rglob("source.*.txt"))
        elif any(path.parent.glob("source.*.txt")):
            folders.add(path.parent)
    return sorted(folders)


def source_texts(data_paths: Iterable[Path]) -> list[SourceText]:
    """The source texts of every report under ``data_paths``."""
    return [text for folder in report_folders(data_paths) for text in read_source_texts(folder)]


def source_text_quad(text: SourceText) -> ox.Quad:
    """The quad attaching a source text to its IRI (``prov:value``) in its report's graph."""
    return ox.Quad(
        ox.NamedNode(text.iri),
        ox.NamedNode(f"{PROV}value"),
        ox.Literal(text.text),
        ox.NamedNode(text.graph),
    )


def assemble_dataset(ontology_dir: Path, data_paths: Iterable[Path]) -> AssembledDataset:
    """Parse the ontology and the data into one in-memory store, one named graph per folder."""
    data_paths = [Path(p) for p in data_paths]
    sources = [(file, ONTOLOGY_GRAPH) for file in rdf_files(ontology_dir)]
    sources += data_sources(data_paths)
    assembled = AssembledDataset(store=ox.Store())
    for file, graph in sources:
        quads = list(parse_file(file, graph))
        assembled.store.extend(quads)
        assembled.files.append(file)
        for quad in quads:
            if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
                assembled.subject_files.setdefault(quad.subject.value, set()).add(file)
    for text in source_texts(data_paths):
        assembled.texts.append(text)
        assembled.store.add(source_text_quad(text))
        assembled.subject_files.setdefault(text.iri, set()).add(text.path)
    return assembled
