"""Accept-header negotiation (tipgraph.sparql) on arbitrary headers: it never raises, picks only
an offered type, never one the client refused (q=0), and follows the q-values, then the
server's order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tipgraph.formats import ALIASES, HTML, MEDIA_TYPES, MediaType
from tipgraph.negotiation import format_by_name, negotiate, parse_accept, prefers_html
from tipgraph.web.representations import OFFERED, RDF_TYPES

OFFERS: list[tuple[MediaType, ...]] = [
    MEDIA_TYPES,
    OFFERED,
    RDF_TYPES,
    (HTML,),
    (*MEDIA_TYPES, HTML),
]
# The pieces real Accept headers are made of, and some they should not be.
TYPES = st.sampled_from(
    [m.name for m in (*MEDIA_TYPES, HTML)]
    + ["*/*", "text/*", "application/*", "image/png", "application/xhtml+xml"]
)
Q_VALUES = st.sampled_from(["0", "0.0", "0.001", "0.5", "0.9", "1", "1.0", "1.000"])
headers = st.text(alphabet=st.characters(codec="latin-1"), max_size=200) | st.lists(
    st.sampled_from(
        [
            *ALIASES,
            "text/html",
            "*/*",
            ";q=0",
            ";q=",
            ";q=nan",
            ";q=-1",
            ";q=2",
            ",",
            ";",
            " ",
            "/",
            "*",
            "q=0.5",
        ]
    ),
    max_size=12,
).map("".join)


@st.composite
def accept_headers(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Well-formed Accept headers: (media range, q-value) pairs, each range at most once."""
    ranges = draw(st.lists(TYPES, unique=True, max_size=6))
    return [(r, draw(Q_VALUES)) for r in ranges]


def written(ranges: list[tuple[str, str]], spaces: bool) -> str:
    gap = " " if spaces else ""
    return f",{gap}".join(f"{r};{gap}q={q}" for r, q in ranges)


def expected(ranges: list[tuple[str, str]], offered: tuple[MediaType, ...]) -> MediaType | None:
    """RFC 9110 §12.5.1, written out: each type takes the q of its most specific range."""

    def quality(media: MediaType) -> float | None:
        main, sub = media.name.split("/")
        for candidate in (f"{main}/{sub}", f"{main}/*", "*/*"):
            for range_, q in ranges:
                if range_ == candidate:
                    return float(q)
        return None

    if not ranges:  # no Accept header: anything goes
        return offered[0]
    best: MediaType | None = None
    best_q = 0.0
    for media in offered:  # server order breaks ties: the first of the best wins
        q = quality(media)
        if q is not None and q > best_q:
            best, best_q = media, q
    return best


@given(header=headers | st.none(), offered=st.sampled_from(OFFERS))
def test_negotiation_never_raises_and_picks_an_offered_type(
    header: str | None, offered: tuple[MediaType, ...]
) -> None:
    chosen = negotiate(header, offered)
    assert chosen is None or chosen in offered
    assert isinstance(prefers_html(header), bool)
    for accepted in parse_accept(header):
        assert 0.0 <= accepted.q <= 1.0


@given(ranges=accept_headers(), offered=st.sampled_from(OFFERS), spaces=st.booleans())
def test_negotiation_follows_q_values_then_server_order(
    ranges: list[tuple[str, str]], offered: tuple[MediaType, ...], spaces: bool
) -> None:
    assert negotiate(written(ranges, spaces), offered) == expected(ranges, offered)


@given(ranges=accept_headers(), offered=st.sampled_from(OFFERS))
def test_a_type_refused_with_q_0_is_never_chosen(
    ranges: list[tuple[str, str]], offered: tuple[MediaType, ...]
) -> None:
    refused = {r for r, q in ranges if float(q) == 0}
    chosen = negotiate(written(ranges, spaces=True), offered)
    assert chosen is None or chosen.name not in refused


@given(ranges=accept_headers(), offered=st.sampled_from(OFFERS))
def test_case_does_not_matter(
    ranges: list[tuple[str, str]], offered: tuple[MediaType, ...]
) -> None:
    header = written(ranges, spaces=True)
    assert negotiate(header.upper(), offered) == negotiate(header, offered)


@given(ranges=accept_headers())
def test_prefers_html_only_when_html_wins(ranges: list[tuple[str, str]]) -> None:
    header = written(ranges, spaces=False)
    assert prefers_html(header) == (bool(header) and expected(ranges, (*MEDIA_TYPES, HTML)) == HTML)


@given(name=st.text(max_size=40))
def test_format_names_never_raise(name: str) -> None:
    media = format_by_name(name)
    assert media is None or media in MEDIA_TYPES
