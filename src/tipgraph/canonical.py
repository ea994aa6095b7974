"""Quads in a fixed order with blank-node labels drawn from the data: equal data, equal bytes."""

from __future__ import annotations

import hashlib
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tipgraph.sorting import sorted_lines

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
LABEL_HEX = 16  # 64 bits of the hash in the label; equal hashes are told apart by a suffix


def _graph_key(graph: object) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


@dataclass
class _Visit:
    """A blank node on the walk's stack: its outgoing statements and the lines hashed so far."""

    node: str
    edges: list[tuple[str, str, Term]]
    lines: list[str] = field(default_factory=list)
    cyclic: bool = False


class BlankNodeLabeller:
    """Labels every blank node of a dataset by what it says and where it hangs.

    A node's *shape* hashes its outgoing statements (graph, predicate, object), nested blank
    objects by their own shape. Its label hashes the shape with its incoming statements (graph,
    subject, predicate), a blank subject by that subject's final label: parents are labelled
    before their children, so children of identical parents still get distinct labels. Nodes
    equal in both (exact duplicates) are interchangeable, so numbering them in any order gives
    the same output. Blank nodes in a cycle (Turtle's ``[]`` syntax cannot write one) fall back
    to a traversal from each node, independent of the load order unless nodes of the cycle are
    indistinguishable (a ring of equal nodes): those are then numbered in the order of their names.
    """

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self._out: dict[str, list[tuple[str, str, Term]]] = defaultdict(list)
        self._in: dict[str, list[tuple[str, Term, str]]] = defaultdict(list)
        for quad in quads:
            graph = _graph_key(quad.graph_name)
            subject, predicate, obj = quad.subject, str(quad.predicate), quad.object
            if isinstance(subject, ox.BlankNode):
                self._out[subject.value].append((graph, predicate, obj))
            if isinstance(obj, ox.BlankNode):
                self._in[obj.value].append((graph, subject, predicate))
        self._shapes: dict[str, str] = {}
        self.labels = self._label(sorted(set(self._out) | set(self._in)))

    def _shape(self, start: str) -> str:
        """The hash of ``start``'s outgoing statements, children hashed before their parent.

        The walk keeps its own stack (an RDF list is a chain of blank nodes as long as the list,
        too deep for Python's recursion). A node met again on the path from ``start`` is a cycle:
        it counts as ``cycle``, and the shapes that contain one are not kept, as they depend on
        where the walk began.
        """
        if start in self._shapes:
            return self._shapes[start]
        stack = [_Visit(start, self._out.get(start, []))]
        on_path = {start}
        while True:
            visit = stack[-1]
            while len(visit.lines) < len(visit.edges):  # one line per statement, in order
                graph, predicate, obj = visit.edges[len(visit.lines)]
                if not isinstance(obj, ox.BlankNode):
                    visit.lines.append(f"{graph} {predicate} {obj}")
                elif obj.value in self._shapes:
                    visit.lines.append(f"{graph} {predicate} _:{self._shapes[obj.value]}")
                elif obj.value in on_path:
                    visit.lines.append(f"{graph} {predicate} _:cycle")
                    visit.cyclic = True
                else:
                    stack.append(_Visit(obj.value, self._out.get(obj.value, [])))
                    on_path.add(obj.value)
                    break
            else:  # every statement hashed: the node is done, its parent resumes
                stack.pop()
                on_path.discard(visit.node)
                digest = _digest(visit.lines)
                if not visit.cyclic:
                    self._shapes[visit.node] = digest
                if not stack:
                    return digest
                parent = stack[-1]
                graph, predicate, _ = parent.edges[len(parent.lines)]
                parent.lines.append(f"{graph} {predicate} _:{digest}")
                parent.cyclic = parent.cyclic or visit.cyclic

    def _label(self, nodes: list[str]) -> dict[str, str]:
        """Labels given in rounds: a node once every blank subject pointing at it has its own.

        A round's hashes are all taken before any of its labels is given. When no node is ready
        while some are left, only cycles (and what hangs from them) remain: they are labelled
        all in one last round, unlabelled parents counting as ``?``.
        """
        labels: dict[str, str] = {}
        taken: dict[str, int] = {}
        waiting = {node: self._blank_parents(node) for node in nodes}
        pending = set(nodes)
        ready = sorted(node for node in nodes if waiting[node] == 0)
        while pending:
            if not ready:
                ready = sorted(pending)
            hashes = sorted((self._hash(node, labels), node) for node in ready)
            for digest, node in hashes:
                base = f"b{digest[:LABEL_HEX]}"
                count = taken.get(digest, 0)
                taken[digest] = count + 1
                labels[node] = base if count == 0 else f"{base}x{count}"
            pending.difference_update(ready)
            ready = sorted(self._freed(ready, waiting, pending))
        return labels

    def _blank_parents(self, node: str) -> int:
        return sum(isinstance(subject, ox.BlankNode) for _, subject, _ in self._in.get(node, ()))

    def _freed(self, done: list[str], waiting: dict[str, int], pending: set[str]) -> set[str]:
        """The pending nodes whose last unlabelled blank parent was among ``done``."""
        freed: set[str] = set()
        for node in done:
            for _, _, obj in self._out.get(node, ()):
                if isinstance(obj, ox.BlankNode) and obj.value in pending:
                    waiting[obj.value] -= 1
                    if waiting[obj.value] == 0:
                        freed.add(obj.value)
        return freed

    def _hash(self, node: str, labels: dict[str, str]) -> str:
        incoming = [
            f"{graph} {self._parent(subject, labels)} {predicate}"
            for graph, subject, predicate in self._in.get(node, ())
        ]
        return _digest([self._shape(node), "^", *incoming])

    @staticmethod
    def _parent(subject: Term, labels: dict[str, str]) -> str:
        if isinstance(subject, ox.BlankNode):
            return f"_:{labels.get(subject.value, '?')}"
        return str(subject)

    def term(self, term: Term) -> Term:
        """``term`` with a blank node replaced by its stable label."""
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(self.labels[term.value])
        return term


Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def graphs_in_order(store: ox.Store) -> list[Graph]:
    """The graphs of ``store`` holding triples, in canonical order: the default graph first."""
    named = sorted(store.named_graphs(), key=str)
    default = ox.DefaultGraph()
    has_default = next(iter(store.quads_for_pattern(None, None, None, default)), None) is not None
    return [default, *named] if has_default else list(named)


def _blank_node_quads(files: Iterable[tuple[Graph, Path]]) -> Iterator[ox.Quad]:
    """The quads with a blank node among the N-Triples ``files`` (one per graph)."""
    for graph, file in files:
        with file.open("rb") as lines:
            for line in lines:
                if b"_:" in line:
                    for triple in ox.parse(line, ox.RdfFormat.N_TRIPLES):
                        if isinstance(triple.subject, ox.BlankNode) or isinstance(
                            triple.object, ox.BlankNode
                        ):
                            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def _relabelled(line: bytes, labeller: BlankNodeLabeller) -> bytes:
    if b"_:" not in line:
        return line
    triple = next(iter(ox.parse(line, ox.RdfFormat.N_TRIPLES)))
    relabelled = ox.Triple(
        labeller.term(triple.subject),  # type: ignore[arg-type]
        triple.predicate,
        labeller.term(triple.object),
    )
    return ox.serialize([relabelled], None, ox.RdfFormat.N_TRIPLES) or b""


def canonical_lines(store: ox.Store, scratch: Path) -> Iterator[tuple[bytes, bytes]]:
    """Every quad of ``store`` as an N-Triples and an N-Quads line, by graph, subject, predicate,
    object.

    Oxigraph writes each graph as N-Triples into the folder ``scratch``; a first reading labels
    the blank nodes from the data (:class:`BlankNodeLabeller`: equal data, equal lines whatever
    the load), a second relabels and sorts each graph's lines on disk. Only the statements with
    blank nodes are held in memory.
    """
    files = [
        (graph, scratch / f"graph-{number}.nt")
        for number, graph in enumerate(graphs_in_order(store))
    ]
    for graph, file in files:
        store.dump(file, ox.RdfFormat.N_TRIPLES, from_graph=graph)
    labeller = BlankNodeLabeller(_blank_node_quads(files))
    for graph, file in files:
        suffix = b" .\n" if isinstance(graph, ox.DefaultGraph) else f" {graph} .\n".encode()
        with file.open("rb") as lines:
            for line in sorted_lines((_relabelled(ln, labeller) for ln in lines), folder=scratch):
                yield line, line[:-3] + suffix
        file.unlink()


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` relabelled and sorted as :func:`canonical_lines` gives them (small inputs)."""
    store = ox.Store()
    store.extend(quads)
    with tempfile.TemporaryDirectory() as folder:
        data = b"".join(quad for _, quad in canonical_lines(store, Path(folder)))
    return list(ox.parse(data, ox.RdfFormat.N_QUADS))
