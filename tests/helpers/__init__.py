"""What the tests share besides fixtures (those stay in the conftest.py files): the checkout,
servers started for a test, README's table of what happens when."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
REPORT = "az-mia-thb-2018"
