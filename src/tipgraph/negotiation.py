"""Content negotiation: the Accept header (RFC 9110 §12.5.1) against the offered formats."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from tipgraph.formats import ALIASES, HTML, MEDIA_TYPES, MediaType, by_name


def format_by_name(name: str) -> MediaType | None:
    """A ``format=`` parameter value (short name or media type) as a MediaType, if known."""
    return by_name(name)


@dataclass(frozen=True)
class AcceptRange:
    """One entry of an Accept header: ``type/subtype`` (``*`` allowed) with its q-value."""

    type: str
    subtype: str
    q: float

    def matches(self, media: str) -> int:
        """Specificity of the match with ``media`` (2 exact, 1 type/*, 0 */*), or -1."""
        main, sub = media.split("/", 1)
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[AcceptRange]:
    """The ranges of an Accept header (RFC 9110 §12.5.1); malformed entries are ignored."""
    if not header or not header.strip():
        return [AcceptRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = ALIASES.get(fields[0].lower(), fields[0].lower())
        if media.count("/") != 1:
            continue
        main, sub = media.split("/")
        q: float | None = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = _q_value(value)
        if q is not None and main and sub and not (main == "*" and sub != "*"):
            ranges.append(AcceptRange(main, sub, q))
    return ranges


def _q_value(value: str) -> float | None:
    """A q parameter's weight, clamped to 0–1; None if it is no number (or NaN)."""
    try:
        q = float(value)
    except ValueError:
        return None
    return None if math.isnan(q) else min(max(q, 0.0), 1.0)


@functools.lru_cache(maxsize=512)  # clients send the same few Accept headers over and over
def negotiate(accept: str | None, offered: tuple[MediaType, ...]) -> MediaType | None:
    """The offered type the client prefers most, or None if it accepts none of them.

    Each offered type takes the q-value of its most specific matching range; ties go to the
    server's order. ``q=0`` means "not acceptable".
    """
    ranges = parse_accept(accept)
    best: tuple[float, int] = (0.0, 0)
    chosen = None
    for position, media in enumerate(offered):
        matching = [(r.matches(media.name), r.q) for r in ranges if r.matches(media.name) >= 0]
        if not matching:
            continue
        q = max(matching)[1]
        score = (q, -position)
        if q > 0 and (chosen is None or score > best):
            best, chosen = score, media
    return chosen


@functools.lru_cache(maxsize=512)  # by the header alone: hashing the offer costs more
def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) prefers an HTML page to any RDF or results format."""
    return bool(accept) and negotiate(accept, (*MEDIA_TYPES, HTML)) == HTML


@functools.lru_cache(maxsize=512)
def accepts_a_format(accept: str | None) -> bool:
    """Whether a client accepts any SPARQL results or RDF format tipgraph writes."""
    return negotiate(accept, MEDIA_TYPES) is not None
