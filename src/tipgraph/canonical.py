"""Quads in a fixed order with blank-node labels drawn from the data: equal data, equal bytes."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
SortKey = tuple[str, str, str, str]
LABEL_HEX = 16  # 64 bits of the hash in the label; equal hashes are told apart by a suffix


def _graph_key(graph: object) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


class BlankNodeLabeller:
    """Labels every blank node of a dataset by what it says and where it hangs.

    A node's *shape* hashes its outgoing statements (graph, predicate, object), nested blank
    objects by their own shape. Its label hashes the shape with its incoming statements (graph,
    subject, predicate), a blank subject by that subject's final label: parents are labelled
    before their children, so children of identical parents still get distinct labels. Nodes
    equal in both (exact duplicates) are interchangeable, so numbering them in any order gives
    the same output. Blank nodes in a cycle (Turtle's ``[]`` syntax cannot write one) fall back
    to a traversal from each node, still independent of the load order.
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

    def _shape(self, node: str, path: frozenset[str]) -> tuple[str, bool]:
        """The hash of ``node``'s outgoing statements, and whether a cycle was met."""
        if node in self._shapes:
            return self._shapes[node], False
        if node in path:
            return "cycle", True
        cyclic, lines = False, []
        for graph, predicate, obj in self._out.get(node, ()):
            key = str(obj)
            if isinstance(obj, ox.BlankNode):
                shape, met = self._shape(obj.value, path | {node})
                key, cyclic = f"_:{shape}", cyclic or met
            lines.append(f"{graph} {predicate} {key}")
        digest = _digest(lines)
        if not cyclic:  # a cyclic shape depends on where the walk began: never reuse it
            self._shapes[node] = digest
        return digest, cyclic

    def _label(self, nodes: list[str]) -> dict[str, str]:
        labels: dict[str, str] = {}
        taken: dict[str, int] = {}
        pending = set(nodes)
        while pending:
            ready = sorted(n for n in pending if self._parents_done(n, labels))
            if not ready:  # only cycles are left: label them all, unlabelled parents as "?"
                ready = sorted(pending)
            hashes = sorted((self._hash(node, labels), node) for node in ready)
            for digest, node in hashes:
                base = f"b{digest[:LABEL_HEX]}"
                count = taken.get(digest, 0)
                taken[digest] = count + 1
                labels[node] = base if count == 0 else f"{base}x{count}"
            pending.difference_update(ready)
        return labels

    def _parents_done(self, node: str, labels: dict[str, str]) -> bool:
        return all(
            not isinstance(subject, ox.BlankNode) or subject.value in labels
            for _, subject, _ in self._in.get(node, ())
        )

    def _hash(self, node: str, labels: dict[str, str]) -> str:
        incoming = [
            f"{graph} {self._parent(subject, labels)} {predicate}"
            for graph, subject, predicate in self._in.get(node, ())
        ]
        return _digest([self._shape(node, frozenset())[0], "^", *incoming])

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


def _key(quad: ox.Quad) -> SortKey:
    return (_graph_key(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """All ``quads`` relabelled and sorted by graph, subject, predicate, object (N-Quads form).

    The whole dataset is held in memory to be sorted: fine for the reports of today; millions of
    triples will want an external sort of the N-Quads lines instead.
    """
    every = list(quads)
    labeller = BlankNodeLabeller(every)
    relabelled = [
        ox.Quad(
            labeller.term(quad.subject),  # type: ignore[arg-type]
            quad.predicate,
            labeller.term(quad.object),
            quad.graph_name,
        )
        for quad in every
    ]
    relabelled.sort(key=_key)
    return relabelled


def merged_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of sorted ``quads``, every graph merged, sorted by s, p, o."""
    unique = {(str(q.subject), str(q.predicate), str(q.object)): q.triple for q in quads}
    return [unique[key] for key in sorted(unique)]
