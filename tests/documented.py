"""Moved to tests/helpers/documented.py; kept for the modules that still import it here."""

from .helpers.documented import documented as documented
from .helpers.documented import table as table
