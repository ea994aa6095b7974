"""README's "Python API" section runs as written: its examples are doctests on the bundled store."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from tipgraph.store.location import StoreVersion

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_api_examples() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, "README's Python API section has no example"
    return "\n".join(blocks)


def test_readme_python_examples_pass(
    built_store: StoreVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIPGRAPH_STORE", str(built_store.path.parent))
    monkeypatch.chdir(README.parent)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(_python_api_examples(), {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, "README's Python API examples fail: see the output above"
