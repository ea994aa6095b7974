"""README's table "What happens when…": each row is checked by a test that calls
:func:`documented` with what really happened, so the table cannot drift from the behaviour.

A row is ``| when | answer | message |``. The answer cell starts with the status or exit code;
the message cell's fragments (split on ``…``) must appear in the real message, in order, with
any number standing for any number (README shows the defaults, tests run with small limits).
"""

from __future__ import annotations

import re

from . import ROOT

HEADING = "### What happens when…"


def table() -> dict[str, tuple[str, str]]:
    """Each row's ``when`` with its answer and message cells (without backticks)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(HEADING, 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("When…", "---"):
            rows[cells[0].replace("`", "")] = (cells[1], cells[2].strip("`"))
    return rows


def _numbers(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "0", text)


def documented(when: str, answer: int | str, message: str) -> None:
    """Assert that README's row ``when`` gives ``answer`` (a status or exit code, or words
    the answer cell starts with: ``closed``) and ``message``."""
    rows = table()
    assert when in rows, f"README's table has no row {when!r}"
    documented_answer, documented_message = rows[when]
    if isinstance(answer, str):
        assert documented_answer.startswith(answer), (when, documented_answer, answer)
    else:
        code = re.search(r"\d+", documented_answer)
        assert code is not None and int(code.group()) == answer, (when, documented_answer, answer)
    position = 0
    actual = _numbers(message)
    for fragment in _numbers(documented_message).split("…"):
        found = actual.find(fragment.strip(), position)
        assert found >= 0, f"{when}: README says {documented_message!r}, the user reads {message!r}"
        position = found + len(fragment.strip())
