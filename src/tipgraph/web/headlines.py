"""What the home page leads to: each report's headline figures, and the lists to browse.

The rule for a headline figure: an observation of one of :data:`HEADLINE_INDICATORS` (victims
identified and sheltered, trafficking and forced-labour offences detected and prosecuted,
criminal groups neutralised) in the report's own dataset and for the report's own country
(the dataset's ``dcterms:spatial``: not the world figures a report quotes), in the order of
that list, then by period; at most :data:`HEADLINES_SHOWN` a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tipgraph.describe import LABEL, choose
from tipgraph.namespaces import ID, SCHEMA, TIP
from tipgraph.store.reader import Node, StoreReader

HEADLINES_SHOWN = 8
HEADLINE_INDICATORS = tuple(
    f"{ID}indicator/{name}"
    for name in (
        "victims-identified",
        "thb-crimes-detected",
        "thb-crimes-prosecuted",
        "forced-labour-crimes-detected",
        "forced-labour-crimes-prosecuted",
        "criminal-groups-neutralised",
        "victims-sheltered",
        "convictions",
    )
)
_VALUES = " ".join(f"(<{iri}> {rank})" for rank, iri in enumerate(HEADLINE_INDICATORS))
HEADLINES = f"""
SELECT $report ?observation ?value ?unit ?rank ?period WHERE {{
  ?dataset a qb:DataSet ; dcterms:source $report ; dcterms:spatial ?country .
  VALUES (?indicator ?rank) {{ {_VALUES} }}
  ?observation tip:indicator ?indicator ; qb:dataSet ?dataset ;
      sdmx-dimension:refArea ?country ; sdmx-measure:obsValue ?value .
  OPTIONAL {{ ?observation sdmx-attribute:unitMeasure ?unit }}
  OPTIONAL {{ ?observation sdmx-dimension:refPeriod ?period }}
}} ORDER BY ?rank ?period ?observation LIMIT {HEADLINES_SHOWN}"""
LABELS = f"SELECT $s ?label WHERE {{ $s {LABEL} ?label }}"


@dataclass(frozen=True)
class Headline:
    """One headline figure: its number, unit and label, and the observation it links to."""

    observation: str
    value: str  # with thousands separators
    unit: str | None  # the unit's label, lower-cased
    label: str
    lexical: str  # the value as the data writes it
    unit_iri: str | None


@dataclass(frozen=True)
class Browse:
    """One list the home page leads to: a class's instances (``class_iri``) or a page."""

    label: str
    blurb: str
    class_iri: str | None = None
    path: str | None = None


BROWSE = (
    Browse("Indicators", "what the figures count", path="/id/scheme/indicators"),
    Browse("All figures", "every observation, filtered and sorted", path="/figures"),
    Browse("Government agencies", "the bodies that act", f"{SCHEMA}GovernmentOrganization"),
    Browse(
        "International partners and civil society",
        "organisations the agencies work with",
        f"{SCHEMA}Organization",
    ),
    Browse("Agreements", "signed with other states and bodies", f"{TIP}Agreement"),
    Browse("Legal acts", "laws, decrees and orders", f"{TIP}LegalAct"),
    Browse("Action plans", "national plans", f"{TIP}ActionPlan"),
    Browse("Plan goals", "what the plans aim at", f"{TIP}PlanGoal"),
    Browse("Activities", "trainings, meetings, campaigns", f"{TIP}Activity"),
)


def _label(reader: StoreReader, iri: str, languages: Sequence[str]) -> str | None:
    chosen = choose((r["label"] for r in reader.select(LABELS, {"s": iri})), languages)
    return chosen.value if chosen else None


def _number(value: Node) -> str:
    """``356`` → ``356``; ``7045`` → ``7,045``; decimals as written."""
    try:
        number = float(value.value)
    except ValueError:
        return value.value
    return f"{number:,.0f}" if number.is_integer() else value.value


def headlines(reader: StoreReader, report: str, languages: Sequence[str]) -> list[Headline]:
    """The headline figures of ``report`` (see the module's rule)."""
    found = []
    for row in reader.select(HEADLINES, {"report": report}):
        iri = row["observation"].value
        unit_iri = row["unit"].value if "unit" in row else None
        unit = _label(reader, unit_iri, languages) if unit_iri else None
        found.append(
            Headline(
                observation=iri,
                value=_number(row["value"]),
                unit=unit.lower() if unit else None,
                label=_label(reader, iri, languages) or iri.rsplit("/", 1)[-1],
                lexical=row["value"].value,
                unit_iri=unit_iri,
            )
        )
    return found
