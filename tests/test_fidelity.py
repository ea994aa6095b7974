"""`tipgraph validate` enforces fidelity: one mutation of the bundled data per rule, each caught.

Each test breaks a copy of the checkout the way a curator might (a value, its scale, its
qualifier, a dropped figure, a shifted offset, an edited text …) and runs `tipgraph validate`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tipgraph.cli import main
from tipgraph.coverage import parse_numeral
from tipgraph.locations import subject_lines

from .helpers import REPORT
from .helpers.documented import documented

OBS = f"https://w3id.org/tipgraph/id/observation/{REPORT}/"


def _validate(root: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "validate", *options])
    return result.exit_code, result.stdout


def _file(root: Path, name: str) -> Path:
    return root / "data" / REPORT / name


def _edit_observation(root: Path, slug: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in one observation's description; its first line."""
    statistics = _file(root, "statistics.ttl")
    text = statistics.read_text(encoding="utf-8")
    block = re.search(rf"^obs:{re.escape(slug)} a qb:Observation ;\n(?:    .*\n)*", text, re.M)
    assert block is not None, slug
    assert old in block[0], (slug, old)
    edited = block[0].replace(old, new, 1)
    statistics.write_text(text[: block.start()] + edited + text[block.end() :], encoding="utf-8")
    return text.count("\n", 0, block.start()) + 1


def _results(out: str) -> list[dict[str, object]]:
    body = json.loads(out)
    assert body["conforms"] is False
    return list(body["results"])


def _one(results: list[dict[str, object]], focus: str, shape: str) -> dict[str, object]:
    (found,) = [r for r in results if r["focus_node"] == focus and r["shape"] == shape]
    return found


def test_a_changed_value_is_a_violation_with_its_words_and_line(checkout_copy: Path) -> None:
    line = _edit_observation(
        checkout_copy,
        "victims-identified-2014-2018",
        "sdmx-measure:obsValue 356 ;",
        "sdmx-measure:obsValue 365 ;",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert f"<{OBS}victims-identified-2014-2018>  [data/{REPORT}/statistics.ttl:{line}]" in out
    assert "sdmx-measure:obsValue 365 is not what its words say" in out
    assert "the stated value “356” reads 356." in out
    assert "    value:  365\n" in out
    assert '    stated: "356"\n' in out
    assert "    quote:  “" in out and "identified 356 victims" in out
    message = next(line for line in out.splitlines() if "is not what its words say" in line)
    documented("a figure that is not its words (validate)", code, message.strip())

    code, out = _validate(checkout_copy, "--format", "json")
    result = _one(_results(out), f"<{OBS}victims-identified-2014-2018>", "tipgraph:ValueIsTheWords")
    assert result["locations"] == [f"data/{REPORT}/statistics.ttl:{line}"]
    assert result["path"] == "sdmx-measure:obsValue"
    assert (result["value"], result["stated"]) == ("365", "356")

    code, out = _validate(checkout_copy, "--format", "turtle")
    assert code == 1
    assert "sh:conforms false" in out
    assert "is not what its words say" in out


def test_a_scale_slip_is_a_violation(checkout_copy: Path) -> None:
    _edit_observation(
        checkout_copy,
        "modern-slavery-victims-2016",
        "sdmx-measure:obsValue 40300000 ;",
        "sdmx-measure:obsValue 40300 ;",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert (
        "sdmx-measure:obsValue 40,300 is not what its words say: the stated value "
        "“40.3 million” reads 40,300,000 (a scale slip: the value is 1,000 times too small)."
    ) in out


def test_a_value_stated_in_words_is_read(checkout_copy: Path) -> None:
    _edit_observation(
        checkout_copy,
        "state-programmes-2014-2018",
        "sdmx-measure:obsValue 1 ;",
        "sdmx-measure:obsValue 2 ;",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert (
        "sdmx-measure:obsValue 2 is not what its words say: the stated value “one” reads 1." in out
    )


def test_an_interpretation_explains_only_the_reading_it_gives(checkout_copy: Path) -> None:
    # "an agreement" is read as 1 by an interpretation that quotes it; 2 is explained by none.
    _edit_observation(
        checkout_copy,
        "agreements-signed-by-president-2014-2018",
        "sdmx-measure:obsValue 1 ;",
        "sdmx-measure:obsValue 2 ;",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert (
        "The stated value “an agreement” is no number tipgraph can read, and no interpretation "
        "of this observation quotes it and gives the value read (2)."
    ) in out


def test_an_exact_qualifier_on_qualified_words_is_a_violation(checkout_copy: Path) -> None:
    _edit_observation(
        checkout_copy,
        "pupils-reached-2018",
        "tip:valueQualifier qualifier:about ;",
        "tip:valueQualifier qualifier:exact ;",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert (
        "tip:valueQualifier qualifier:exact, but the words qualify the figure (“about”): "
        "an exact qualifier needs a bare numeral."
    ) in out
    assert "hint:   Use qualifier:about: the words give it." in out


def test_a_qualifier_the_words_do_not_give_is_a_violation(checkout_copy: Path) -> None:
    _edit_observation(
        checkout_copy,
        "school-meetings-2018",
        "tip:valueQualifier qualifier:more-than ;",
        "tip:valueQualifier qualifier:about ;",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert (
        "tip:valueQualifier qualifier:about, but the words do not say so (they say “more than”)"
        in out
    )


def test_a_dropped_figure_leaves_its_numeral_uncovered(checkout_copy: Path) -> None:
    statistics = _file(checkout_copy, "statistics.ttl")
    text = statistics.read_text(encoding="utf-8")
    block = re.search(
        r"^obs:victims-sheltered-2014-2018 a qb:Observation ;\n(?:    .*\n)*", text, re.M
    )
    assert block is not None
    statistics.write_text(text[: block.start()] + text[block.end() :], encoding="utf-8")
    code, out = _validate(checkout_copy)
    assert code == 1
    assert re.search(
        rf"The numeral “312” of the source text \(data/{REPORT}/source\.en\.txt:\d+:\d+\) is "
        "neither stated by an observation nor listed as a non-statistical numeral.",
        out,
    )
    assert (
        "a `tip:NonStatisticalNumeral` with its reason (a year, an ordinal …) — "
        "`tipgraph locate` prints its selectors."
    ) in out


def test_a_shifted_offset_is_a_violation(checkout_copy: Path) -> None:
    report = _file(checkout_copy, "report.ttl")
    text = report.read_text(encoding="utf-8")
    start, end = map(int, re.search(r"oa:start (\d+) ; oa:end (\d+)", text).groups())  # type: ignore[union-attr]
    shifted = text.replace(
        f"oa:start {start} ; oa:end {end}", f"oa:start {start + 1} ; oa:end {end + 1}", 1
    )
    report.write_text(shifted, encoding="utf-8")
    code, out = _validate(checkout_copy)
    assert code == 1
    assert "The passage is not verbatim in its source text at its offsets" in out
    assert f"data/{REPORT}/report.ttl:" in out


def test_an_edited_prefix_is_a_violation(checkout_copy: Path) -> None:
    report = _file(checkout_copy, "report.ttl")
    text = report.read_text(encoding="utf-8")
    report.write_text(re.sub(r'oa:prefix "', 'oa:prefix "x', text, count=1), encoding="utf-8")
    code, out = _validate(checkout_copy)
    assert code == 1
    assert "does not stand right before the passage in its source text" in out


def test_an_edited_text_is_a_violation(checkout_copy: Path) -> None:
    source = _file(checkout_copy, "source.en.txt")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("356", "365", 1), encoding="utf-8")
    code, out = _validate(checkout_copy)
    assert code == 1
    assert "The source text's SHA-256 is" in out
    assert "is not verbatim in its source text at its offsets" in out


def test_a_figure_without_its_quote_is_a_violation(checkout_copy: Path) -> None:
    _edit_observation(
        checkout_copy,
        "workers-without-contract-2018",
        "prov:wasDerivedFrom",
        "rdfs:seeAlso",
    )
    code, out = _validate(checkout_copy)
    assert code == 1
    assert "Every figure needs its quote" in out


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("twenty", Decimal(20)),
        ("twenty-one", Decimal(21)),
        ("a dozen", Decimal(12)),
        ("about two hundred and five", Decimal(205)),
        ("three million", Decimal(3_000_000)),
        ("1.5 billion", Decimal(1_500_000_000)),
        ("70 percent", Decimal(70)),
        ("at least 12", Decimal(12)),
        ("an agreement", None),
        ("hundreds", None),
        ("each 35", None),
    ],
)
def test_number_words_scales_and_percent_are_read(words: str, value: Decimal | None) -> None:
    assert parse_numeral(words) == value


def test_subject_lines_follow_prefixes_and_skip_long_strings(tmp_path: Path) -> None:
    file = tmp_path / "x.ttl"
    file.write_text(
        "@prefix ex: <https://example.org/> .\n"
        "ex:a ex:p 1 ;\n"
        '    ex:q """\n'
        "ex:b is inside a string\n"
        '""" .\n'
        "<https://example.org/c> ex:p 2 .\n"
        "ex:b ex:p 3 .\n",
        encoding="utf-8",
    )
    assert subject_lines(file) == {
        "https://example.org/a": 2,
        "https://example.org/c": 6,
        "https://example.org/b": 7,
    }
