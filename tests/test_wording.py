"""Units agree with numbers, and numbers are written one way."""

from __future__ import annotations

import pytest

from tipgraph.wording import PERCENT, number, plural, quantity

UNIT = "https://w3id.org/tipgraph/id/unit/"


@pytest.mark.parametrize(
    ("noun", "many"),
    [("person", "persons"), ("country", "countries"), ("criminal group", "criminal groups"),
     ("legal act", "legal acts"), ("case", "cases"), ("day", "days")],
)  # fmt: skip
def test_plurals(noun: str, many: str) -> None:
    assert plural(noun) == many


def test_numbers_are_written_one_way() -> None:
    assert [number(v) for v in ("356", "85000", "40300000", "2.50", "x")] == [
        "356", "85,000", "40,300,000", "2.5", "x",
    ]  # fmt: skip


def test_units_agree_with_numbers() -> None:
    assert quantity("356", f"{UNIT}person", "Person") == "356 persons"
    assert quantity("1", f"{UNIT}person", "Person") == "1 person"
    assert quantity("60000", f"{UNIT}azn", "Azerbaijani manat") == "60,000 manats"
    assert quantity("59", PERCENT, "Percent") == "59 %"
    assert quantity("7", None, None) == "7"


def test_the_figure_page_says_persons(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(
        "/id/observation/az-mia-thb-2018/victims-identified-2014-2018",
        headers={"Accept": "text/html"},
    ).text
    assert '<span class="value">356 persons</span>' in html
