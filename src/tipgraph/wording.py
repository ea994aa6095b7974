"""Numbers in words people read: "356 persons", "1 person", "about 60,000 manats", "59 %"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

PERCENT = "https://w3id.org/tipgraph/id/unit/percent"
# Units whose label is not the word a count takes (a currency's name, a symbol).
WORDS = {
    "https://w3id.org/tipgraph/id/unit/azn": ("manat", "manats"),
}


def plural(noun: str) -> str:
    """The English plural of a unit's label (its last word): person → persons, country →
    countries, criminal group → criminal groups."""
    head, _, last = noun.rpartition(" ")
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def number(lexical: str) -> str:
    """A value with thousands separators (356, 85,000, 40,300,000, 2.5)."""
    try:
        value = Decimal(lexical)
    except InvalidOperation:
        return lexical
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,f}".rstrip("0").rstrip(".")


def quantity(lexical: str, unit_iri: str | None, unit_label: str | None) -> str:
    """The value with its unit, the unit's word agreeing with the number."""
    shown = number(lexical)
    if unit_iri == PERCENT:
        return f"{shown} %"
    if not unit_label and unit_iri not in WORDS:
        return shown
    one, many = WORDS.get(unit_iri or "", (None, None))
    if one is None:
        one = (unit_label or "").lower()
        many = plural(one)
    try:
        is_one = Decimal(lexical) == 1
    except InvalidOperation:
        is_one = False
    return f"{shown} {one if is_one else many}"
