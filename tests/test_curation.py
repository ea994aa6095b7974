"""The curator's workbench on real paragraphs of the 2018 report: new-report, draft, the
checklist validate keeps, filling a draft in, and locate --quote."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from tipgraph.cli import main
from tipgraph.config import EndpointSettings, Settings
from tipgraph.web.app import create_app

from .helpers import REPORT as REPORT_SLUG
from .helpers import ROOT

SLUG = "az-test-2019"
REPORT = ROOT / "data" / REPORT_SLUG
# Two paragraphs of the 2018 report: figures (45, 17, 15, 110,000 manats, 51), a vague
# quantity ("thousands") and names of bodies in data/reference/.
PARAGRAPHS = (REPORT / "source.en.txt").read_text(encoding="utf-8")[5000:7000]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A checkout with the ontology, the shapes and the reference data, and no report."""
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    # As a word processor saves it: a byte order mark and CRLF line endings.
    (tmp_path / "report.txt").write_bytes(
        b"\xef\xbb\xbf" + PARAGRAPHS.replace("\n", "\r\n").encode()
    )
    return tmp_path


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def new_report(root: Path, *extra: str) -> Result:
    return run(
        root,
        "new-report",
        SLUG,
        "--text",
        str(root / "report.txt"),
        "--title",
        "Test report on 2018",
        "--publisher",
        "MIA",
        "--issued",
        "2019",
        "--period",
        "2018",
        *extra,
    )


def test_a_new_report_validates_as_created(root: Path) -> None:
    result = new_report(root)
    assert result.exit_code == 0, result.output
    folder = root / "data" / SLUG
    text = (folder / "source.en.txt").read_bytes()
    assert text.decode() == PARAGRAPHS + ("" if PARAGRAPHS.endswith("\n") else "\n")
    report = (folder / "report.ttl").read_text(encoding="utf-8")
    assert hashlib.sha256(text).hexdigest() in report
    assert f"dcat:byteSize {len(text)}" in report
    assert "dcterms:publisher agency:mia" in report
    assert {p.name for p in folder.iterdir()} >= {"statistics.ttl", "NOTES.md", "report.ttl"}
    checked = run(root, "validate")
    assert checked.exit_code == 0, checked.output
    assert "not curated yet" in checked.output and f"tipgraph draft {SLUG}" in checked.output


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("--publisher", "Ministry of Nothing"), "no single organisation"),
        (("--period", "1950"), "period:1950 is not in data/reference/periods.ttl"),
    ],
)
def test_a_new_report_that_cannot_be_made_says_why_and_writes_nothing(
    root: Path, change: tuple[str, str], words: str
) -> None:
    result = new_report(root, *change)
    assert result.exit_code == 2 and words in result.output
    assert not (root / "data" / SLUG).exists()


def test_a_text_that_is_not_utf8_names_its_line(root: Path) -> None:
    (root / "report.txt").write_bytes(b"first line\nsecond \xff line\n")
    result = new_report(root)
    assert result.exit_code == 2 and "report.txt:2: not UTF-8" in result.output


def test_the_draft_proposes_every_numeral_and_validate_lists_each_item(root: Path) -> None:
    new_report(root)
    result = run(root, "draft", SLUG)
    assert result.exit_code == 0, result.output
    draft = (root / "data" / SLUG / "draft.ttl").read_text(encoding="utf-8")
    stated = re.findall(r'tip:statedValue "([^"]+)"', draft)
    assert stated == ["45", "17", "15", "110,000", "51"]
    assert "numeral-kind:vague-quantity" in draft  # "thousands"
    assert "sdmx-measure:obsValue 110000" in draft
    assert "<https://w3id.org/tipgraph/id/agency/ngo-support-council>" in draft
    checked = run(root, "validate")
    assert checked.exit_code == 1
    todos = len(re.findall(r"^    tip:todo \"", draft, re.MULTILINE))
    guesses = len(re.findall(r"^    tip:guess \"", draft, re.MULTILINE))
    assert checked.output.count("Violation: To do:") == todos
    assert checked.output.count("Violation: A guess to check:") == guesses
    assert checked.output.count("Violation: A draft figure") == len(stated)
    assert "violation(s)" in checked.output
    assert f"{len(stated) + todos + guesses} violation(s)" in checked.output
    assert f"the draft's checklist: {len(stated) + todos + guesses} item(s)" in checked.output
    assert "data/az-test-2019/draft.ttl:" in checked.output  # each item's file and line


def test_a_filled_in_draft_validates_and_the_next_draft_proposes_the_rest(root: Path) -> None:
    new_report(root)
    run(root, "draft", SLUG)
    folder = root / "data" / SLUG
    draft = (folder / "draft.ttl").read_text(encoding="utf-8")
    # The curator does one figure ("15 projects") and the vague quantity in the draft itself.
    blocks = draft.split("\n\n")
    figure = next(b for b in blocks if 'tip:statedValue "15"' in b)
    quote_name = re.search(r"prov:wasDerivedFrom quote:(\S+)", figure)[1]  # type: ignore[index]
    numeral = next(b for b in blocks if "tip:NonStatisticalNumeral" in b)

    def finish(block: str, *added: str) -> str:
        """The block without its checklist (and guessed actors), with ``added`` lines."""
        kept = [
            line
            for line in block.rstrip().splitlines()
            if not line.lstrip().startswith(("tip:todo", "tip:guess", "tip:actor"))
        ]
        lines = [*kept, *(f"    {line} ;" for line in added)]
        return "\n".join(lines).rstrip(" ;.") + " .\n"

    done = finish(
        figure.replace("a tip:DraftFigure", "a qb:Observation"),
        "tip:indicator indicator:ngo-projects-funded",
        "sdmx-dimension:refArea country:aze",
        "tip:exploitationForm exploitation:all",
    )
    finished = finish(numeral)
    edited = draft.replace(figure, done).replace(numeral, finished)
    (folder / "draft.ttl").write_text(edited, encoding="utf-8")
    waiting = run(root, "validate").output
    assert "The draft holds 2 finished item(s)" in waiting and f"tipgraph accept {SLUG}" in waiting
    accepted = run(root, "accept", SLUG)
    assert accepted.exit_code == 0, accepted.output
    assert "moved 1 figure(s) to statistics.ttl, 1 other item(s)" in accepted.output
    assert "and 1 quote(s)" in accepted.output
    assert "4 item(s) left in the draft" in accepted.output
    statistics = (folder / "statistics.ttl").read_text(encoding="utf-8")
    assert 'tip:statedValue "15"' in statistics and "@prefix indicator:" in statistics
    report = (folder / "report.ttl").read_text(encoding="utf-8")
    assert f"quote:{quote_name} a tip:Quote" in report and "vague-quantity" in report
    again = run(root, "draft", SLUG)
    assert again.exit_code == 0, again.output
    redrafted = (folder / "draft.ttl").read_text(encoding="utf-8")
    assert 'tip:statedValue "15"' not in redrafted and "vague-quantity" not in redrafted
    assert re.findall(r'tip:statedValue "([^"]+)"', redrafted) == ["45", "17", "110,000", "51"]
    assert f"quote:{quote_name} a tip:Quote" not in redrafted  # reused, not proposed again
    (folder / "draft.ttl").unlink()
    checked = run(root, "validate")
    # What is left: the numerals nobody has done yet, one violation each; the done ones pass.
    assert "Violation" in checked.output
    assert "“15”" not in checked.output and "“thousands”" not in checked.output
    assert checked.output.count("is neither stated by an observation") == 4


def test_locate_prints_a_whole_quote(root: Path) -> None:
    source = REPORT / "source.en.txt"
    result = run(root, "locate", str(source), "356 victims", "--quote", "victims-total")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("quote:victims-total a tip:Quote ;")
    assert "prov:wasQuotedFrom report:az-mia-thb-2018" in result.output
    start = source.read_text(encoding="utf-8").index("356 victims")
    assert f"oa:start {start} ; oa:end {start + len('356 victims')}" in result.output
    bad = run(root, "locate", str(source), "356 victims", "--quote", "Not A Name")
    assert bad.exit_code == 2


def test_the_review_page_colours_every_numeral_by_what_accounts_for_it(root: Path) -> None:
    new_report(root)
    before = run(root, "review", SLUG, "-o", "-")
    assert before.exit_code == 0, before.output
    assert before.output.count('<mark class="missing" title=') == 6
    run(root, "draft", SLUG)
    after = run(root, "review", SLUG, "-o", "-").output
    assert after.count('<mark class="missing" title=') == 0
    assert (
        after.count('<mark class="draft" title=') == 5
        and after.count('<mark class="numeral" title=') == 1
    )
    assert '<span class="passage">' in after  # the drafted quotes' extents
    assert "<script" not in after and "http" not in after.split("<body>")[0]  # self-contained


def test_the_review_of_the_2018_report_is_all_green_and_grey() -> None:
    result = run(ROOT, "review", REPORT_SLUG, "-o", "-")
    assert result.exit_code == 0, result.output
    page = result.output
    figures, numerals = (
        page.count('<mark class="figure" title='),
        page.count('<mark class="numeral" title='),
    )
    assert figures > 60 and numerals > 15
    assert '<mark class="missing" title=' not in page and '<mark class="draft" title=' not in page
    link = re.search(r'<mark class="figure" title="([^"]+)"><a href="([^"]+)">', page)
    assert link is not None and link[2].startswith("https://w3id.org/tipgraph/id/observation/")


@pytest.mark.slow
def test_a_drafted_figure_filled_in_is_loaded_and_has_its_page(root: Path) -> None:
    """The whole round trip on a one-line text: new-report, draft, fill in, validate, load,
    and the figure's page and the text's page served."""
    (root / "report.txt").write_text(
        "In 2018, 15 projects on trafficking in human beings were funded.\n", encoding="utf-8"
    )
    assert new_report(root).exit_code == 0
    assert run(root, "draft", SLUG).exit_code == 0
    folder = root / "data" / SLUG
    blocks = (folder / "draft.ttl").read_text(encoding="utf-8").split("\n\n")
    figure = next(b for b in blocks if "a tip:DraftFigure" in b)
    quote = next(b for b in blocks if "a tip:Quote" in b)
    year = next(b for b in blocks if "a tip:NonStatisticalNumeral" in b)
    assert "sdmx-dimension:refPeriod period:2018" in figure  # "In 2018" in its sentence
    done = re.sub(r'\s*tip:(todo|guess) "[^"]*" ;', "", figure)
    done = re.sub(r'\s*tip:guess "[^"]*" \.', " .", done)
    done = done.replace("a tip:DraftFigure", "a qb:Observation").replace(
        "tip:valueQualifier",
        "tip:indicator indicator:ngo-projects-funded ;\n"
        "    sdmx-dimension:refArea country:aze ;\n"
        "    tip:exploitationForm exploitation:all ;\n"
        "    sdmx-attribute:unitMeasure unit:project ;\n"
        "    tip:valueQualifier",
    )
    assert "tip:todo" not in done and "tip:guess" not in done
    with (folder / "statistics.ttl").open("a", encoding="utf-8") as statistics:
        statistics.write("\n" + done.replace("obs:at-", "obs:projects-funded-") + "\n")
    with (folder / "report.ttl").open("a", encoding="utf-8") as report:
        report.write("\n" + quote + "\n\n" + re.sub(r'\s*tip:guess "[^"]*" ;', "", year) + "\n")
    assert run(root, "draft", SLUG).output.startswith("nothing to draft")
    assert not (folder / "draft.ttl").exists()
    checked = run(root, "validate", str(root / "data"))
    assert checked.exit_code == 0, checked.output
    store = root / "store"
    loaded = run(root, "load", "--store", str(store))
    assert loaded.exit_code == 0, loaded.output
    app = create_app(EndpointSettings(store=store, workers=1, timeout=10))
    with TestClient(app) as client:
        iri = "/id/observation/az-test-2019/projects-funded-9"
        page = client.get(iri, headers={"Accept": "text/html"}, follow_redirects=True)
        assert page.status_code == 200 and "15 projects" in page.text
        text = client.get(f"/id/report/{SLUG}/text/en", headers={"Accept": "text/html"})
        assert text.status_code == 200 and "projects-funded-9" in text.text


def test_serve_review_shows_the_working_files_only_when_asked(root: Path) -> None:
    new_report(root)
    run(root, "draft", SLUG)
    store = root / "store"
    assert run(root, "load", "--store", str(store), str(root / "data" / "reference")).exit_code == 0
    plain = create_app(EndpointSettings(store=store, workers=1))
    with TestClient(plain) as client:
        assert client.get(f"/review/{SLUG}").status_code == 404
    asked = create_app(EndpointSettings(store=store, workers=1, review=Settings.load(root=root)))
    with TestClient(asked) as client:
        page = client.get(f"/review/{SLUG}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert page.text.count('<mark class="draft" title=') == 5
        assert client.get("/review/no-such-report").status_code == 404
        assert client.get("/review/..%2Fdata").status_code == 404


@pytest.mark.slow
def test_a_shape_violation_names_its_file_and_line_and_how_to_fix_it(root: Path) -> None:
    shutil.copytree(REPORT, root / "data" / REPORT_SLUG)
    statistics = root / "data" / REPORT_SLUG / "statistics.ttl"
    text = statistics.read_text(encoding="utf-8")
    line = "    tip:indicator indicator:share-of-women-and-girls-among-victims ;\n"
    statistics.write_text(text.replace(line, "", 1), encoding="utf-8")
    result = run(root, "validate", "--format", "json")
    assert result.exit_code == 1
    found = [
        r
        for r in json.loads(result.output)["results"]
        if r["path"] == "tip:indicator" and r.get("hint")
    ]
    assert found, result.output
    assert found[0]["hint"].startswith("Add a `tip:indicator` statement")
    assert found[0]["locations"] == [f"data/{REPORT_SLUG}/statistics.ttl:30"]


@pytest.mark.parametrize(
    ("language", "sentence", "missed"),
    [
        # An Azerbaijani name with a case ending ("Mərkəzi" → "Mərkəzinin") is linked.
        (
            "az",
            "Əmək Münasibətlərinin Monitorinqi Mərkəzinin əməkdaşları 79 tikinti obyektində "
            "yoxlama aparmışdır.",
            "",
        ),
        # A Russian name as the reference writes it is linked; in another case it is not.
        (
            "ru",
            "Центр мониторинга трудовых отношений выявил 946 человек. Сотрудники Центра "
            "мониторинга трудовых отношений проверили 195 объектов.",
            "195",
        ),
    ],
)
def test_the_draft_links_names_in_the_language_of_the_text(
    root: Path, language: str, sentence: str, missed: str
) -> None:
    (root / "report.txt").write_text(sentence + "\n", encoding="utf-8")
    assert new_report(root, "--language", language).exit_code == 0
    assert run(root, "draft", SLUG).exit_code == 0
    draft = (root / "data" / SLUG / "draft.ttl").read_text(encoding="utf-8")
    figures = re.split(r"\n(?=obs:)", draft)[1:]
    assert figures, draft
    for figure in figures:
        linked = "agency/labour-relations-monitoring-centre>" in figure
        assert linked == (f'tip:statedValue "{missed}"' not in figure), figure


def test_accept_moves_nothing_from_a_draft_that_does_not_parse(root: Path) -> None:
    new_report(root)
    run(root, "draft", SLUG)
    folder = root / "data" / SLUG
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    draft = (folder / "draft.ttl").read_text(encoding="utf-8")
    broken = draft.replace("a tip:DraftFigure ;", "a tip:DraftFigure ;;; oops", 1)
    (folder / "draft.ttl").write_text(broken, encoding="utf-8")
    result = run(root, "accept", SLUG)
    assert result.exit_code == 2 and "draft.ttl: does not parse" in result.output
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before | {"draft.ttl": broken.encode()}
    assert run(root, "accept", "no-such-report").exit_code == 2
