"""Finding resources by label: an index built at load time (Oxigraph has no text index).

Every label (skos:prefLabel, rdfs:label, dcterms:title, schema:name; skos:altLabel and
skos:notation as alternatives) of every resource minted under ``…/id/`` and of every ontology term
is normalised (NFKD, accents stripped, Azerbaijani letters folded, casefolded) and cut into
tokens; a query matches a label when each of its tokens begins one of the label's tokens.

Ranking: the whole label equal to the query, then the label beginning with it, then its tokens
beginning the label's; a preferred label before an alternative, shorter labels first, then the
IRI. Labels are numbered once in that static order (kind, length, IRI), so each kind of match is
a stream of label numbers in rank order and a search stops as soon as it has enough resources.

The labels are saved beside the store version (``search.json``) by ``tipgraph load``; a server
whose store has none (a SPARQL service) builds them from the store when it starts.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tipgraph.namespaces import ID, SCHEMA, TIP, compact_iri, sparql_prologue
from tipgraph.store.reader import StoreReader

SEARCH_FILE = "search.json"  # in the store version's folder, beside manifest.json
FORMAT = 1  # bump when the file's shape changes: an older file is then rebuilt from the store
PREFERRED, ALTERNATIVE = 0, 1
MATCH_EXACT, MATCH_LABEL_PREFIX, MATCH_TOKEN_PREFIX = 0, 1, 2
MAX_QUERY_TOKENS = 8  # a query is a few words typed in a box
LANGUAGE_ORDER = {"en": 0, "az": 1, "ru": 2}

# A solution, by variable: tipgraph's Nodes (a reader's) or pyoxigraph's own terms (a store's
# at load time); the index reads only a term's value and a literal's language.
Row = Mapping[str, Any]

LABELS = f"""SELECT ?s ?kind ?label WHERE {{
  VALUES (?p ?kind) {{
    (skos:prefLabel {PREFERRED}) (rdfs:label {PREFERRED}) (dcterms:title {PREFERRED})
    (schema:name {PREFERRED}) (skos:altLabel {ALTERNATIVE}) (skos:notation {ALTERNATIVE})
  }}
  ?s ?p ?label
  FILTER(isLiteral(?label) && isIRI(?s)
         && (STRSTARTS(STR(?s), "{ID}") || STRSTARTS(STR(?s), "{TIP}")))
}}"""
TYPES = f"""SELECT ?s ?type ?typeLabel WHERE {{
  ?s a ?type
  FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{ID}") || STRSTARTS(STR(?s), "{TIP}")))
  OPTIONAL {{
    ?type rdfs:label|skos:prefLabel ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en"))
  }}
}}"""
SCHEMES = """SELECT ?s ?schemeLabel WHERE {
  ?s skos:inScheme ?scheme . ?scheme skos:prefLabel|rdfs:label|dcterms:title ?schemeLabel
  FILTER(LANGMATCHES(LANG(?schemeLabel), "en"))
}"""

# Letters NFKD leaves whole, folded as a reader typing without them would (Azerbaijani ə and ı
# first: "Daxili Isler" finds "Daxili İşlər"). Applied after casefolding.
FOLDED = str.maketrans(
    {"ə": "e", "ı": "i", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "ħ": "h"}
)
# Combining marks (Unicode blocks): what is left of accents once NFKD has decomposed them.
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
TOKEN = re.compile(r"\w+")


def normalise(text: str) -> str:
    """``text`` as it is compared: casefolded, accents stripped, letters folded, spaces single.

    >>> normalise("Daxili  İşlər Nazirliyi")
    'daxili isler nazirliyi'
    """
    if text.isascii():  # most labels: casefold is lower, nothing to decompose
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(COMBINING.sub("", decomposed).translate(FOLDED).split())


def tokens(normalised: str) -> list[str]:
    """The words of a normalised text (letters and digits; punctuation separates).

    >>> tokens("qeyri-hokumet teskilatlari (qht)")
    ['qeyri', 'hokumet', 'teskilatlari', 'qht']
    """
    return TOKEN.findall(normalised)


@dataclass(frozen=True)
class Label:
    """One label of a resource, as saved."""

    resource: int  # its position in SearchIndex.resources
    text: str
    language: str  # "" for a plain literal
    kind: int  # PREFERRED or ALTERNATIVE


@dataclass(frozen=True)
class Resource:
    iri: str
    type_label: str  # "" when it has no type


@dataclass(frozen=True)
class Hit:
    """One found resource: the label that matched best, and how it matched."""

    iri: str
    label: str
    language: str
    type_label: str
    match: int  # MATCH_EXACT, MATCH_LABEL_PREFIX or MATCH_TOKEN_PREFIX


class SearchIndex:
    """The labels of one store version, searchable by prefix (see the module's docstring)."""

    def __init__(
        self,
        version: str,
        resources: Sequence[Resource],
        labels: Iterable[Label],
        *,
        ranked: bool = False,  # the labels are distinct and in rank order already (as saved)
    ):
        self.version = version
        self.resources = list(resources)
        self.labels = list(labels) if ranked else sorted(set(labels), key=self._static_rank)
        self.normalised = [normalise(label.text) for label in self.labels]
        self.label_tokens = [tokens(text) for text in self.normalised]
        self._exact: dict[str, list[int]] = {}
        postings: dict[str, list[int]] = {}
        first: dict[str, list[int]] = {}
        for number, words in enumerate(self.label_tokens):
            self._exact.setdefault(self.normalised[number], []).append(number)
            for word in dict.fromkeys(words):
                postings.setdefault(word, []).append(number)
            if words:
                first.setdefault(words[0], []).append(number)
        self._words = sorted(postings)
        self._postings = [postings[w] for w in self._words]
        # Cumulative posting sizes: how many labels a prefix reaches, without reading them.
        self._reach = [0]
        for numbers in self._postings:
            self._reach.append(self._reach[-1] + len(numbers))
        self._first_words = sorted(first)
        self._first_postings = [first[w] for w in self._first_words]

    def _static_rank(self, label: Label) -> tuple[int, int, str, int, str]:
        return (
            label.kind,
            len(label.text),
            self.resources[label.resource].iri,
            LANGUAGE_ORDER.get(label.language, len(LANGUAGE_ORDER)),
            label.text,
        )

    def __len__(self) -> int:
        return len(self.resources)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The resources whose labels match ``query``, best first, at most ``limit``."""
        wanted = normalise(query)
        words = tokens(wanted)[:MAX_QUERY_TOKENS]
        if not words or limit < 1:
            return []
        found: dict[int, Hit] = {}
        streams = (
            (MATCH_EXACT, iter(self._exact.get(wanted, ()))),
            (MATCH_LABEL_PREFIX, self._label_prefix_matches(wanted, words)),
            (MATCH_TOKEN_PREFIX, self._token_prefix_matches(words)),
        )
        for match, numbers in streams:
            for number in numbers:
                label = self.labels[number]
                if label.resource not in found:
                    found[label.resource] = self._hit(label, match)
                    if len(found) == limit:
                        return list(found.values())
        return list(found.values())

    def _hit(self, label: Label, match: int) -> Hit:
        resource = self.resources[label.resource]
        return Hit(resource.iri, label.text, label.language, resource.type_label, match)

    def _label_prefix_matches(self, wanted: str, words: list[str]) -> Iterator[int]:
        """Labels beginning with the query, in rank order: their first word begins with the
        query's first word."""
        lo, hi = _prefix_range(self._first_words, words[0])
        for number in _merged(self._first_postings[lo:hi]):
            if self.normalised[number].startswith(wanted):
                yield number

    def _token_prefix_matches(self, words: list[str]) -> Iterator[int]:
        """Labels with a word beginning with each of the query's words, in rank order: read
        from the word that reaches the fewest labels, the others checked on each label."""
        ranges = [_prefix_range(self._words, word) for word in words]
        narrowest = min(
            range(len(words)), key=lambda i: self._reach[ranges[i][1]] - self._reach[ranges[i][0]]
        )
        lo, hi = ranges[narrowest]
        others = [w for i, w in enumerate(words) if i != narrowest]
        for number in _merged(self._postings[lo:hi]):
            label_words = self.label_tokens[number]
            if all(any(t.startswith(w) for t in label_words) for w in others):
                yield number

    # ------------------------------------------------------------------ building and saving

    @classmethod
    def from_store(cls, store: ox.Store, version: str) -> SearchIndex:
        """The index of an Oxigraph store (at load time), reading the union of its graphs."""

        def select(query: str) -> list[Row]:
            # pyoxigraph's own terms: turning 400,000 of them into Nodes took a third of
            # the time at 1M triples, and only their value (and a literal's language) is read.
            solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
            assert isinstance(solutions, ox.QuerySolutions)
            names = [v.value for v in solutions.variables]
            return [{n: t for n in names if (t := s[n]) is not None} for s in solutions]

        return cls._assemble(version, select(LABELS), select(TYPES), select(SCHEMES))

    @classmethod
    def from_reader(cls, reader: StoreReader, version: str) -> SearchIndex:
        """The index of the store a server reads (a SPARQL service has no saved index)."""
        return cls._assemble(
            version, reader.select(LABELS), reader.select(TYPES), reader.select(SCHEMES)
        )

    @classmethod
    def _assemble(
        cls,
        version: str,
        label_rows: Sequence[Row],
        type_rows: Sequence[Row],
        scheme_rows: Sequence[Row],
    ) -> SearchIndex:
        iris = sorted({row["s"].value for row in label_rows})
        position = {iri: number for number, iri in enumerate(iris)}
        kinds = _type_labels(type_rows, scheme_rows)
        resources = [Resource(iri, kinds.get(iri, "")) for iri in iris]
        labels = {
            Label(
                position[row["s"].value],
                row["label"].value,
                row["label"].language or "",
                int(row["kind"].value),
            )
            for row in label_rows
            if row["label"].value.strip()
        }
        return cls(version, resources, _preferred_kind(labels))

    def write(self, folder: Path) -> None:
        """Save the labels beside a store version (the word lists are rebuilt when read)."""
        body = {
            "format": FORMAT,
            "version": self.version,
            "resources": [[r.iri, r.type_label] for r in self.resources],
            "labels": [[lb.resource, lb.text, lb.language, lb.kind] for lb in self.labels],
        }
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        (folder / SEARCH_FILE).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> SearchIndex | None:
        """The index saved beside a store version; None if there is none (or an older kind)."""
        try:
            body = json.loads((folder / SEARCH_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if body.get("format") != FORMAT:
            return None
        resources = [Resource(iri, kind) for iri, kind in body["resources"]]
        labels = [Label(r, text, lang, kind) for r, text, lang, kind in body["labels"]]
        return cls(body["version"], resources, labels, ranked=True)


def _prefix_range(words: list[str], prefix: str) -> tuple[int, int]:
    """The positions of the sorted ``words`` that begin with ``prefix``."""
    lo = bisect.bisect_left(words, prefix)
    hi = bisect.bisect_left(words, prefix + "\U0010ffff", lo)
    return lo, hi


def _merged(postings: list[list[int]]) -> Iterator[int]:
    """The label numbers of several ascending lists, ascending, each once."""
    if len(postings) == 1:
        yield from postings[0]
        return
    last = -1
    for number in heapq.merge(*postings):
        if number != last:
            yield number
            last = number


def _preferred_kind(labels: set[Label]) -> list[Label]:
    """Each text of a resource once: a label both preferred and alternative is preferred."""
    best: dict[tuple[int, str, str], Label] = {}
    for label in labels:
        key = (label.resource, label.text, label.language)
        if key not in best or label.kind < best[key].kind:
            best[key] = label
    return list(best.values())


def _type_labels(type_rows: Sequence[Row], scheme_rows: Sequence[Row]) -> dict[str, str]:
    """What kind of thing each resource is, in words: the label of a type (the dataset's own
    types first), a concept's scheme, or a type's name ("FormalOrganization" → "Formal
    organization")."""
    choices: dict[str, list[tuple[int, str]]] = {}
    for row in type_rows:
        type_iri = row["type"].value
        label = row["typeLabel"].value if "typeLabel" in row else _words_of(type_iri)
        # The dataset's own types, then schema.org's (written for people), then the others.
        preference = 0 if type_iri.startswith(TIP) else 2 if type_iri.startswith(SCHEMA) else 4
        preference += 0 if "typeLabel" in row else 1
        choices.setdefault(row["s"].value, []).append((preference, label))
    for row in scheme_rows:
        choices.setdefault(row["s"].value, []).append((-1, row["schemeLabel"].value))
    return {iri: min(options)[1] for iri, options in choices.items()}


@functools.cache  # a few types, named for every resource
def _words_of(type_iri: str) -> str:
    """A type's local name as words: ``org:FormalOrganization`` → ``Formal organization``."""
    name = re.split(r"[#/:]", compact_iri(type_iri))[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    text = " ".join([words[0], *(w.lower() for w in words[1:])]) if words else name
    return text[:1].upper() + text[1:]
