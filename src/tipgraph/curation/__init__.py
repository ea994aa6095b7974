"""The curator's workbench: from a new report's text to validated linked data.

- :mod:`.scaffold` creates a report's folder (``tipgraph new-report``);
- :mod:`.drafting` proposes a quote and a figure, or a non-statistical numeral, for every
  numeral of its text nothing accounts for yet (``tipgraph draft``);
- :mod:`.turtle` writes the Turtle both produce, the way the curated files are written.
"""
