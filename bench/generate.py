"""Generate a synthetic tipgraph root shaped like the real data, for benchmarking.

    python bench/generate.py --triples 1000000 --out bench/.cache/root --seed 1

The output is a tipgraph root that conforms to the shapes (``tipgraph validate`` exits 0) and
whose source texts are fully covered (``tipgraph coverage`` finds no missing numeral):

- ``ontology/`` and ``shapes/`` copied from this repository (the real code lists: indicators,
  units, qualifiers, forms of exploitation … of ``ontology/vocabularies/``);
- ``data/synthetic-reference/data.ttl``, shared by every report, like ``data/reference/``: the
  areas and periods schemes, the countries (``…/id/country/<ISO alpha-3>``: the shapes allow no
  other name, so these are the real codes), the periods (``…/id/period/<year>`` and the five-year
  plan periods ``…/id/period/<start>-<end>``), each country's ministries and their units
  (``…/id/agency/synthetic-<country>-<n>``) and the international partners
  (``…/id/organization/synthetic-<acronym>``);
- one report folder per country and year, ``data/synthetic-<country>-<year>/``, holding
  ``source.en.txt`` (the report's text: its title, then one sentence per quote) and
  ``data.ttl``: the ``tip:AnnualReport``, its ``tip:SourceText`` (with the text's SHA-256), its
  ``qb:DataSet``, its quotes (``tip:Quote`` with a ``oa:TextQuoteSelector`` and a
  ``oa:TextPositionSelector`` that really select the sentence in ``source.en.txt``), its
  observations (most of the triples, as in the real data: every dimension, attribute and label
  the data structure and the shapes require, the stated numeral verbatim in the quote, no two
  with the same dimension values), legal acts, agreements and activities (each read from its own
  sentence), and the year in the title as a ``tip:NonStatisticalNumeral``. Every IRI a report
  mints contains its folder name (``…/id/observation/synthetic-aze-2014/17``,
  ``…/id/legal-act/synthetic-aze-2014-3``), so no two reports describe the same resource.

The number of reports grows with the size (about one per 6,000 triples, at least two; at most
50 countries by 34 years, so reports grow beyond about 10 million triples) and the reference
data stays small (at most about 400 agencies), so validating one report with the reference
folder takes about the same time at any size. (It grows with the square of the report's
observations: IC-12 compares every two observations of a dataset.) Turtle and text are written
as text, report by report (only one report is held in memory), so a million triples take a few
seconds. The same ``--seed`` and ``--triples`` always give the same files. ``manifest.json`` in
the root records what was made.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
# Bump when the shape of the generated data changes, so that cached roots are regenerated.
GENERATOR_VERSION = 2

ID = "https://w3id.org/tipgraph/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
REFERENCE = "synthetic-reference"  # the folder (and named graph) of the shared resources

PREFIXES = {
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "qb": "http://purl.org/linked-data/cube#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "spdx": "http://spdx.org/rdf/terms#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "time": "http://www.w3.org/2006/time#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "tip": "https://w3id.org/tipgraph/ontology#",
    "scheme": f"{ID}scheme/",
    "country": f"{ID}country/",
    "period": f"{ID}period/",
    "indicator": f"{ID}indicator/",
    "unit": f"{ID}unit/",
    "qualifier": f"{ID}qualifier/",
    "exploitation": f"{ID}exploitation/",
    "org-type": f"{ID}org-type/",
    "act-type": f"{ID}act-type/",
    "policy-area": f"{ID}policy-area/",
    "numeral-kind": f"{ID}numeral-kind/",
    "agency": f"{ID}agency/",
    "partner": f"{ID}organization/",
    "report": f"{ID}report/",
    "dataset": f"{ID}dataset/",
    "legal-act": f"{ID}legal-act/",
    "agreement": f"{ID}agreement/",
    "activity": f"{ID}activity/",
}
LICENSE = "<https://creativecommons.org/publicdomain/zero/1.0/>"
STRUCTURE = f"<{ID}structure/thb-statistics>"

# (ISO 3166-1 alpha-3, alpha-2, English, Russian): the countries, in the order reports are made.
COUNTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("aze", "AZ", "Azerbaijan", "Азербайджан"),
    ("geo", "GE", "Georgia", "Грузия"),
    ("arm", "AM", "Armenia", "Армения"),
    ("kaz", "KZ", "Kazakhstan", "Казахстан"),
    ("uzb", "UZ", "Uzbekistan", "Узбекистан"),
    ("tur", "TR", "Turkey", "Турция"),
    ("ukr", "UA", "Ukraine", "Украина"),
    ("mda", "MD", "Moldova", "Молдова"),
    ("kgz", "KG", "Kyrgyzstan", "Киргизия"),
    ("tjk", "TJ", "Tajikistan", "Таджикистан"),
    ("tkm", "TM", "Turkmenistan", "Туркмения"),
    ("blr", "BY", "Belarus", "Беларусь"),
    ("rus", "RU", "Russia", "Россия"),
    ("irn", "IR", "Iran", "Иран"),
    ("are", "AE", "United Arab Emirates", "Объединённые Арабские Эмираты"),
    ("usa", "US", "United States", "США"),
    ("deu", "DE", "Germany", "Германия"),
    ("fra", "FR", "France", "Франция"),
    ("ita", "IT", "Italy", "Италия"),
    ("esp", "ES", "Spain", "Испания"),
    ("pol", "PL", "Poland", "Польша"),
    ("rou", "RO", "Romania", "Румыния"),
    ("bgr", "BG", "Bulgaria", "Болгария"),
    ("grc", "GR", "Greece", "Греция"),
    ("srb", "RS", "Serbia", "Сербия"),
    ("alb", "AL", "Albania", "Албания"),
    ("mkd", "MK", "North Macedonia", "Северная Македония"),
    ("bih", "BA", "Bosnia and Herzegovina", "Босния и Герцеговина"),
    ("hrv", "HR", "Croatia", "Хорватия"),
    ("svn", "SI", "Slovenia", "Словения"),
    ("hun", "HU", "Hungary", "Венгрия"),
    ("svk", "SK", "Slovakia", "Словакия"),
    ("cze", "CZ", "Czechia", "Чехия"),
    ("aut", "AT", "Austria", "Австрия"),
    ("che", "CH", "Switzerland", "Швейцария"),
    ("nld", "NL", "Netherlands", "Нидерланды"),
    ("bel", "BE", "Belgium", "Бельгия"),
    ("ltu", "LT", "Lithuania", "Литва"),
    ("lva", "LV", "Latvia", "Латвия"),
    ("est", "EE", "Estonia", "Эстония"),
    ("fin", "FI", "Finland", "Финляндия"),
    ("swe", "SE", "Sweden", "Швеция"),
    ("nor", "NO", "Norway", "Норвегия"),
    ("dnk", "DK", "Denmark", "Дания"),
    ("irl", "IE", "Ireland", "Ирландия"),
    ("gbr", "GB", "United Kingdom", "Великобритания"),
    ("prt", "PT", "Portugal", "Португалия"),
    ("cyp", "CY", "Cyprus", "Кипр"),
    ("isr", "IL", "Israel", "Израиль"),
    ("mng", "MN", "Mongolia", "Монголия"),
)
# The reporting years, in the order they are used: 2014 first, so that the first report is always
# synthetic-aze-2014; then the later years, then the earlier ones.
YEARS: tuple[int, ...] = (*range(2014, 2024), *range(2013, 1989, -1))
PLAN_START, PLAN_YEARS = 1989, 5  # action plans: 1989–1993, 1994–1998 … 2019–2023

# (English, Azerbaijani, Russian) names of the ministries every country has.
DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("Internal Affairs", "Daxili İşlər", "внутренних дел"),
    ("Labour and Social Protection", "Əmək və Əhalinin Sosial Müdafiəsi", "труда и соцзащиты"),
    ("Education", "Təhsil", "образования"),
    ("Health", "Səhiyyə", "здравоохранения"),
    ("Justice", "Ədliyyə", "юстиции"),
    ("Foreign Affairs", "Xarici İşlər", "иностранных дел"),
    ("Youth and Sports", "Gənclər və İdman", "молодёжи и спорта"),
    ("Economy", "İqtisadiyyat", "экономики"),
    ("Emergency Situations", "Fövqəladə Hallar", "по чрезвычайным ситуациям"),
    ("Culture", "Mədəniyyət", "культуры"),
    ("Migration", "Miqrasiya", "по миграции"),
    ("Family, Women and Children Affairs", "Ailə, Qadın və Uşaq", "по делам семьи и детей"),
)
# (English, Azerbaijani, organisation type) of the units below the ministries.
UNIT_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "Department for Combating Trafficking in Human Beings",
        "İnsan Alverinə qarşı Mübarizə İdarəsi",
        "police-unit",
    ),
    ("Hotline Service", "Qaynar Xətt Xidməti", "service-centre"),
    ("Assistance Centre for Victims", "Qurbanlara Yardım Mərkəzi", "service-centre"),
    ("Shelter", "Sığınacaq", "service-centre"),
    ("Regional Office", "Regional İdarə", "state-agency"),
    ("Labour Inspection Service", "Əmək Müfəttişliyi Xidməti", "monitoring-body"),
    ("Training Centre", "Tədris Mərkəzi", "state-agency"),
    ("Border Checkpoint", "Sərhəd Keçid Məntəqəsi", "police-unit"),
)
# Where the units are: names without numerals, so that quoting a unit adds no numeral to a text.
DISTRICTS: tuple[str, ...] = (
    "Northern", "Southern", "Eastern", "Western", "Central", "Capital", "Coastal", "Mountain",
    "Border", "River", "Lake", "Valley", "Steppe", "Forest", "Harbour", "Airport", "Railway",
    "Industrial", "Highland", "Lowland", "Northwestern", "Northeastern", "Southwestern",
    "Southeastern", "Metropolitan",
)  # fmt: skip
MINISTRY = 0  # the Ministry of Internal Affairs: the publisher of every report
PARTNERS: tuple[tuple[str, str], ...] = (
    ("IOM", "International Organization for Migration"),
    ("UNODC", "United Nations Office on Drugs and Crime"),
    ("OSCE", "Organization for Security and Co-operation in Europe"),
    ("ILO", "International Labour Organization"),
    ("ICMPD", "International Centre for Migration Policy Development"),
    ("UNICEF", "United Nations Children's Fund"),
    ("UNHCR", "United Nations High Commissioner for Refugees"),
    ("CoE", "Council of Europe"),
    ("EU", "European Union"),
    ("GRETA", "Group of Experts on Action against Trafficking in Human Beings"),
)
# (type, English name in a sentence, policy area)
ACT_TYPES: tuple[tuple[str, str, str], ...] = (
    ("law", "law", "legal-framework"),
    ("presidential-decree", "presidential decree", "protection"),
    ("presidential-order", "presidential order", "prevention"),
    ("cabinet-decision", "cabinet decision", "protection"),
)
AGREEMENT_TYPES = ("intergovernmental-agreement", "treaty", "collective-agreement")
# (class, what it is in a sentence)
ACTIVITY_KINDS: tuple[tuple[str, str], ...] = (
    ("tip:Meeting", "a meeting"),
    ("tip:AwarenessActivity", "an awareness campaign"),
    ("tip:Training", "a training course"),
)
POLICY_AREAS = ("prevention", "protection", "prosecution", "partnership", "capacity-building")
TOPICS = (
    "the protection of victims of trafficking in human beings",
    "the prevention of forced labour",
    "the identification of victims",
    "labour migration",
    "the rehabilitation and reintegration of victims",
    "cooperation with civil society",
    "the prosecution of trafficking offences",
    "child protection",
)
OPENINGS = (
    "According to the {actor}, ",
    "The {actor} reported the following figures: ",
    "Data of the {actor} show these results: ",
)
# How a stated value is worded for each qualifier, and how often each qualifier is used.
QUALIFIERS: tuple[tuple[str, str, float], ...] = (
    ("exact", "", 0.75),
    ("about", "about ", 0.10),
    ("more-than", "more than ", 0.10),
    ("nearly", "nearly ", 0.05),
)
CONTEXT = 32  # characters of oa:prefix and oa:suffix, as tipgraph's quoting module makes them

# Observations: the share split by a form of exploitation, the other areas and periods.
P_FORM = 0.4
P_ACTOR = 0.10
QUOTE_GROUP = (4, 16)  # observations stated in one sentence (one quote): uniform in this range
# One legal act, agreement or activity (each with its own quoted sentence) per this many
# observations of a report (at least one of each).
OBSERVATIONS_PER_ACT = 250
OBSERVATIONS_PER_AGREEMENT = 500
OBSERVATIONS_PER_ACTIVITY = 200
# Sizing: triples of one observation with its share of its quote (12 required + the optional
# actor + 14 a quote) and of the acts, agreements and activities; triples of a report without
# them (report, text, dataset, title quote, the year numeral); triples per report aimed at.
TRIPLES_PER_OBSERVATION = (
    12 + P_ACTOR + 14 / (sum(QUOTE_GROUP) / 2) + 23 / OBSERVATIONS_PER_ACT
) + (23 / OBSERVATIONS_PER_AGREEMENT + 26 / OBSERVATIONS_PER_ACTIVITY)
TRIPLES_PER_REPORT_FIXED = 58
# Validation of a report costs time quadratic in its observations (IC-12 compares every two
# observations of a dataset), so reports are kept small and made more numerous as size grows.
TRIPLES_PER_REPORT = 6_000
MIN_OBSERVATIONS = 20  # per report
# Agencies per country: 20 at the smallest size, more as size grows (up to 48), but at most about
# MAX_AGENCIES in all (at least 8 a country), so that the reference data, validated with every
# report, stays smaller than a report. With fewer than 20, a country has only the first
# MIN_MINISTRIES ministries.
AGENCIES_PER_COUNTRY = (20, 48)
MAX_AGENCIES = 400
MIN_AGENCIES = 8
MIN_MINISTRIES = 6


def report_slug(country: str, year: int) -> str:
    """The folder (and named graph) name of a synthetic report."""
    return f"synthetic-{country}-{year}"


def observation_iri(country: str, year: int, number: int) -> str:
    """The IRI of the ``number``-th observation (from 1) of a report."""
    return f"{ID}observation/{report_slug(country, year)}/{number}"


def agency_iri(country: str, number: int) -> str:
    """The IRI of the ``number``-th agency (from 0; 0 is the Ministry of Internal Affairs)."""
    return f"{ID}agency/synthetic-{country}-{number}"


# Resources every generated root holds, whatever its size: the first report is always made, its
# first observation exists, and the Ministry of Internal Affairs of the first country is the most
# frequent actor.
FIRST_COUNTRY = COUNTRIES[0][0]
FIRST_YEAR = YEARS[0]
SAMPLE_OBSERVATION = observation_iri(FIRST_COUNTRY, FIRST_YEAR, 1)
SAMPLE_AGENCY = agency_iri(FIRST_COUNTRY, MINISTRY)


def plan_period(year: int) -> tuple[int, int]:
    """The five-year action-plan period that holds ``year``."""
    start = PLAN_START + (year - PLAN_START) // PLAN_YEARS * PLAN_YEARS
    return start, start + PLAN_YEARS - 1


@dataclass(frozen=True)
class Concept:
    """A concept of one of the real SKOS schemes, as a prefixed name with its English label."""

    name: str
    label: str


@dataclass(frozen=True)
class Vocabularies:
    """The real code lists the synthetic data points to."""

    indicators: list[Concept]
    exploitation_forms: list[Concept]

    @classmethod
    def read(cls, folder: Path) -> Vocabularies:
        store = ox.Store()
        for path in sorted(folder.glob("*.ttl")):
            store.load(path=path, format=ox.RdfFormat.TURTLE)
        schemes: dict[str, list[Concept]] = {}
        query = f"""
            SELECT ?scheme ?concept ?label WHERE {{
              ?concept <{SKOS}inScheme> ?scheme ; <{SKOS}prefLabel> ?label .
              FILTER (LANG(?label) = "en")
            }} ORDER BY ?concept"""
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            scheme, concept, label = (term.value for term in row)
            prefix, _, local = concept.removeprefix(ID).partition("/")
            schemes.setdefault(scheme.rsplit("/", 1)[1], []).append(
                Concept(f"{prefix}:{local}", label)
            )
        return cls(
            indicators=schemes["indicators"],
            exploitation_forms=schemes["exploitation-forms"],
        )


# The unit of measure of an indicator, guessed from words of its name (first match wins).
UNIT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unit:percent", ("share",)),
    ("unit:azn", ("amount", "funding", "financial-aid-to")),
    ("unit:criminal-group", ("groups-neutralised",)),
    ("unit:territorial-unit", ("cities-and-regions",)),
    ("unit:country", ("countries",)),
    ("unit:site", ("sites",)),
    ("unit:measure", ("measures",)),
    ("unit:project", ("projects",)),
    ("unit:agreement", ("contracts", "agreements")),
    ("unit:legal-act", ("laws", "decrees", "orders", "decisions", "programmes")),
    ("unit:document", ("materials",)),
    ("unit:case", ("crimes", "convictions", "case")),
    ("unit:event", ("meetings", "events")),
    ("unit:organization", ("organizations", "ngo", "bodies", "associations")),
)


def unit_of(indicator: Concept) -> str:
    """The unit of measure of an indicator, guessed from its name."""
    for unit, words in UNIT_WORDS:
        if any(word in indicator.name for word in words):
            return unit
    return "unit:person"


def literal(text: str, language: str | None = None) -> str:
    """A Turtle string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = escaped.replace("\r", "\\r")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


@dataclass(frozen=True)
class Blank:
    """A blank node object ``[ p o ; … ]``; its triples are counted with the link to it."""

    pairs: tuple[tuple[str, str], ...]

    def turtle(self) -> str:
        return "[ " + " ; ".join(f"{p} {o}" for p, o in self.pairs) + " ]"


Object = str | Blank | list[str] | list[Blank] | list[str | Blank]
SEPARATOR = " ;\n    "


class TurtleWriter:
    """Writes Turtle statements to one file, as they come, and counts the triples written."""

    def __init__(self, out: TextIO, prefixes: dict[str, str]) -> None:
        self.out = out
        self.triples = 0
        out.write("# Synthetic benchmark data (bench/generate.py): not real facts.\n\n")
        out.writelines(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes.items())
        out.write("\n")

    def subject(self, subject: str, pairs: Iterable[tuple[str, Object]]) -> None:
        """``subject p1 o1 ; p2 o2 … .``; a list of objects is written ``o1 , o2``."""
        lines = []
        for predicate, value in pairs:
            values = value if isinstance(value, list) else [value]
            terms = []
            for term in values:
                if isinstance(term, Blank):
                    terms.append(term.turtle())
                    self.triples += len(term.pairs)
                else:
                    terms.append(term)
            self.triples += len(values)
            lines.append(f"{predicate} {' , '.join(terms)}")
        self.out.write(f"{subject} {SEPARATOR.join(lines)} .\n\n")


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3, lowercase
    alpha2: str
    english: str
    russian: str


@dataclass(frozen=True)
class Agency:
    name: str  # prefixed name
    label: str  # English


@dataclass(frozen=True)
class Plan:
    """What to generate: the countries, the years (one report per country and year) and the
    number of units below each country's ministries."""

    countries: tuple[Country, ...]
    years: tuple[int, ...]
    ministries: int  # per country: the first of DOMAINS
    units: int  # per country, below the ministries

    @property
    def reports(self) -> list[tuple[Country, int]]:
        return [(country, year) for country in self.countries for year in self.years]


def make_plan(triples: int) -> Plan:
    """One report per about TRIPLES_PER_REPORT triples (at least two), as nearly square a grid
    of countries and years as the lists allow."""
    wanted = max(2, round(triples / TRIPLES_PER_REPORT))
    n_countries = min(len(COUNTRIES), max(2, -(-wanted // len(YEARS)), round(wanted**0.5)))
    n_years = min(len(YEARS), -(-wanted // n_countries))
    n_countries = min(len(COUNTRIES), -(-wanted // n_years))
    low, high = AGENCIES_PER_COUNTRY
    agencies = min(high, low + triples // 25_000, MAX_AGENCIES // n_countries)
    agencies = max(MIN_AGENCIES, agencies)
    ministries = len(DOMAINS) if agencies >= low else MIN_MINISTRIES
    countries = tuple(Country(*row) for row in COUNTRIES[:n_countries])
    return Plan(countries, YEARS[:n_years], ministries, agencies - ministries)


def scheme_members(plan: Plan) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """The countries, years and plan periods the reference data defines: the report years, the
    year before each (figures on the previous year) and their plan periods."""
    countries = [f"country:{c.code}" for c in plan.countries]
    years = sorted({y for year in plan.years for y in (year, year - 1)})
    plans = sorted({plan_period(year) for year in years})
    return countries, years, plans


def period_name(period: int | tuple[int, int]) -> str:
    if isinstance(period, int):
        return f"period:{period}"
    return f"period:{period[0]}-{period[1]}"


def period_label(period: int | tuple[int, int]) -> str:
    if isinstance(period, int):
        return str(period)
    return f"{period[0]}–{period[1]}"


def write_reference(
    plan: Plan, rng: random.Random, folder: Path
) -> tuple[int, dict[str, list[Agency]], list[Agency]]:
    """The areas and periods, countries, periods, agencies and partners:
    ``data/synthetic-reference/data.ttl``. Returns its triples, each country's agencies (the
    ministries first) and the partners."""
    folder.mkdir(parents=True)
    with (folder / "data.ttl").open("w", encoding="utf-8") as out:
        w = TurtleWriter(out, PREFIXES)
        countries, years, plans = scheme_members(plan)
        periods = [period_name(y) for y in years] + [period_name(p) for p in plans]
        for scheme, title, members in (
            ("areas", "Areas (synthetic)", countries),
            ("periods", "Periods (synthetic)", periods),
        ):
            w.subject(
                f"scheme:{scheme}",
                [
                    ("a", "skos:ConceptScheme"),
                    ("dcterms:title", literal(title, "en")),
                    (
                        "dcterms:description",
                        literal(f"The {scheme} of the synthetic benchmark data.", "en"),
                    ),
                    ("skos:hasTopConcept", members),
                ],
            )
        for country in plan.countries:
            w.subject(
                f"country:{country.code}",
                [
                    ("a", ["schema:Country", "dcterms:Location", "skos:Concept"]),
                    (
                        "skos:prefLabel",
                        [literal(country.english, "en"), literal(country.russian, "ru")],
                    ),
                    (
                        "skos:notation",
                        [
                            f'"{country.alpha2}"^^tip:iso3166Alpha2',
                            f'"{country.code.upper()}"^^tip:iso3166Alpha3',
                        ],
                    ),
                    ("skos:inScheme", "scheme:areas"),
                    ("skos:topConceptOf", "scheme:areas"),
                ],
            )
        every: list[int | tuple[int, int]] = [*years, *plans]
        for period in every:
            first, last = (period, period) if isinstance(period, int) else period
            label = period_label(period)
            pairs: list[tuple[str, Object]] = [
                ("a", ["time:ProperInterval", "dcterms:PeriodOfTime", "skos:Concept"]),
                ("skos:prefLabel", literal(label, "en")),
                ("rdfs:label", literal(label, "en")),
                (
                    "time:hasBeginning",
                    Blank(
                        (("a", "time:Instant"), ("time:inXSDDate", f'"{first}-01-01"^^xsd:date'))
                    ),
                ),
                (
                    "time:hasEnd",
                    Blank((("a", "time:Instant"), ("time:inXSDDate", f'"{last}-12-31"^^xsd:date'))),
                ),
                ("dcat:startDate", f'"{first}-01-01"^^xsd:date'),
                ("dcat:endDate", f'"{last}-12-31"^^xsd:date'),
            ]
            if isinstance(period, int):
                pairs.append(("time:intervalIn", period_name(plan_period(period))))
            pairs += [("skos:inScheme", "scheme:periods"), ("skos:topConceptOf", "scheme:periods")]
            w.subject(period_name(period), pairs)
        partners = []
        for acronym, english in PARTNERS:
            partner = Agency(f"partner:synthetic-{acronym.lower()}", english)
            partners.append(partner)
            w.subject(
                partner.name,
                [
                    ("a", ["org:FormalOrganization", "schema:Organization"]),
                    ("skos:prefLabel", literal(f"{english} (synthetic)", "en")),
                    ("skos:notation", literal(acronym)),
                    ("org:classification", "org-type:intergovernmental-organization"),
                ],
            )
        agencies = {c.code: write_agencies(w, c, plan, rng) for c in plan.countries}
    return w.triples, agencies, partners


def write_agencies(
    w: TurtleWriter, country: Country, plan: Plan, rng: random.Random
) -> list[Agency]:
    """A country's ministries and the units below them (one in three below an earlier unit)."""
    code = country.code
    ministries: list[int] = []  # the ministry of each unit
    parents: list[int | None] = []  # the earlier unit a unit is part of, if any
    for number in range(plan.units):
        if number > 0 and rng.random() < 0.33:
            above = rng.randrange(number)
            ministries.append(ministries[above])
            parents.append(above)
        else:
            ministries.append(rng.randrange(plan.ministries))
            parents.append(None)
    agencies = []
    for number, (english, azerbaijani, russian) in enumerate(DOMAINS[: plan.ministries]):
        name = agency_name(code, number)
        label = f"Ministry of {english} of {country.english}"
        pairs: list[tuple[str, Object]] = [
            ("a", ["org:FormalOrganization", "schema:GovernmentOrganization"]),
            (
                "skos:prefLabel",
                [
                    literal(label, "en"),
                    literal(f"{azerbaijani} Nazirliyi ({country.english})", "az"),
                    literal(f"Министерство {russian} ({country.russian})", "ru"),
                ],
            ),
            ("org:classification", "org-type:ministry"),
            ("dcterms:spatial", f"country:{code}"),
        ]
        units_of = [
            agency_name(code, plan.ministries + k) for k, m in enumerate(ministries) if m == number
        ]
        if units_of:
            pairs.append(("org:hasUnit", units_of))
        w.subject(name, pairs)
        agencies.append(Agency(name, label))
    for k, (ministry, parent) in enumerate(zip(ministries, parents, strict=True)):
        kind, kind_az, kind_type = UNIT_KINDS[k % len(UNIT_KINDS)]
        district = DISTRICTS[k // len(UNIT_KINDS) % len(DISTRICTS)]
        domain, domain_az, _ = DOMAINS[ministry]
        label = f"{kind} of the {district} District, Ministry of {domain} of {country.english}"
        label_az = f"{domain_az} Nazirliyinin {kind_az} ({district})"
        pairs = [
            ("a", ["org:OrganizationalUnit", "schema:GovernmentOrganization"]),
            ("skos:prefLabel", [literal(label, "en"), literal(label_az, "az")]),
            ("org:classification", f"org-type:{kind_type}"),
            ("dcterms:spatial", f"country:{code}"),
            ("org:unitOf", agencies[ministry].name),
        ]
        if parent is not None:
            pairs.append(("org:subOrganizationOf", agency_name(code, plan.ministries + parent)))
        w.subject(agency_name(code, plan.ministries + k), pairs)
        agencies.append(Agency(agency_name(code, plan.ministries + k), label))
    return agencies


def agency_name(code: str, number: int) -> str:
    """The prefixed name of a country's ``number``-th agency (the ministries come first)."""
    return f"agency:synthetic-{code}-{number}"


# ------------------------------------------------------------------------------------------------
# Reports
# ------------------------------------------------------------------------------------------------


@dataclass
class Passage:
    """One sentence of a report's text, quoted, and the resources read from it."""

    text: str
    resources: list[tuple[str, list[tuple[str, Object]]]] = field(default_factory=list)
    start: int = 0
    name: str = ""  # the quote's local name


def lowered(label: str) -> str:
    """A label inside a sentence: "Funding of NGO projects" → "funding of NGO projects"."""
    return label[:1].lower() + label[1:]


def value_and_numeral(unit: str, rng: random.Random) -> tuple[str, str]:
    """An obsValue (a Turtle integer or decimal) and the numeral that states it."""
    if unit == "unit:percent":
        value = f"{rng.randint(1, 999) / 10:.1f}"
        return value, f"{value}%"
    if unit == "unit:azn":
        amount = rng.randint(1_000, 50_000_000) / 100
        return f"{amount:.2f}", f"{amount:,.2f} manats"
    number = min(int(rng.paretovariate(1.1) * 10), 9_999_999)
    return str(number), f"{number:,}" if number >= 10_000 else str(number)


@dataclass
class ReportContext:
    """What a report's passages are made from."""

    country: Country
    year: int
    slug: str
    agencies: list[Agency]
    partners: list[Agency]
    others: list[Country]  # the other countries of the plan
    ministries: int  # the first agencies are ministries
    vocabularies: Vocabularies
    rng: random.Random


def figures_passages(ctx: ReportContext, n_observations: int) -> list[Passage]:
    """The sentences stating the observations, 4–16 figures each, and the observations."""
    rng = ctx.rng
    indicators = ctx.vocabularies.indicators
    cumulative = list(itertools.accumulate(1 / (1 + 0.15 * i) for i in range(len(indicators))))
    forms = [f for f in ctx.vocabularies.exploitation_forms if f.name != "exploitation:all"]
    everything = next(
        f for f in ctx.vocabularies.exploitation_forms if f.name == "exploitation:all"
    )
    own = ctx.country
    areas = [own] * 18 + ctx.others[:2]
    # (period, how a clause says it): the reporting year most often.
    distinct: list[tuple[int | tuple[int, int], str]] = [
        (ctx.year, ""),
        (ctx.year - 1, " in the previous year"),
        (plan_period(ctx.year), " over the plan period"),
    ]
    periods = [distinct[0]] * 8 + distinct[1:]
    qualifier_weights = list(itertools.accumulate(q[2] for q in QUALIFIERS))
    units = [unit_of(i) for i in indicators]
    n_agencies = len(ctx.agencies)
    used: set[tuple[str, str, str, str]] = set()
    passages = []
    number = 0
    while number < n_observations:
        size = min(rng.randint(*QUOTE_GROUP), n_observations - number)
        actor = ctx.agencies[int(n_agencies * rng.random() ** 3)]
        clauses = []
        observations = []
        for _ in range(size):
            number += 1
            for _attempt in range(20):
                i = bisect.bisect(cumulative, rng.random() * cumulative[-1])
                area = rng.choice(areas)
                period, when = rng.choice(periods)
                form = rng.choice(forms) if rng.random() < P_FORM else everything
                key = (indicators[i].name, area.code, period_name(period), form.name)
                if key not in used:
                    break
            else:  # the likely combinations are taken: the first free one, in a fixed order
                i, area, (period, when), form = next(
                    (i, a, p, f)
                    for i, a, p, f in itertools.product(
                        range(len(indicators)),
                        [own, *ctx.others[:2]],
                        distinct,
                        [everything, *forms],
                    )
                    if (indicators[i].name, a.code, period_name(p[0]), f.name) not in used
                )
                key = (indicators[i].name, area.code, period_name(period), form.name)
            used.add(key)
            indicator, unit = indicators[i], units[i]
            value, numeral = value_and_numeral(unit, rng)
            qualifier, wording, _ = QUALIFIERS[
                bisect.bisect(qualifier_weights, rng.random() * qualifier_weights[-1])
            ]
            stated = wording + numeral
            split = "" if form is everything else f" ({lowered(form.label)})"
            where = "" if area is own else f" in {area.english}"
            clauses.append(f"{lowered(indicator.label)}{split}{where}{when}: {stated}")
            label = f"{indicator.label}, {area.english}, {period_label(period)}"
            label += "" if form is everything else f", {lowered(form.label)}"
            pairs: list[tuple[str, Object]] = [
                ("a", "qb:Observation"),
                ("rdfs:label", literal(f"{label}: {stated}", "en")),
                ("qb:dataSet", f"dataset:{ctx.slug}"),
                ("sdmx-dimension:refArea", f"country:{area.code}"),
                ("sdmx-dimension:refPeriod", period_name(period)),
                ("tip:indicator", indicator.name),
                ("tip:exploitationForm", form.name),
                ("sdmx-measure:obsValue", value),
                ("sdmx-attribute:unitMeasure", unit),
                ("tip:valueQualifier", f"qualifier:{qualifier}"),
                ("tip:statedValue", literal(stated)),
            ]
            if rng.random() < P_ACTOR:
                pairs.append(("tip:actor", actor.name))
            observations.append((f"obs:{number}", pairs))
        opening = rng.choice(OPENINGS).format(actor=actor.label)
        passages.append(Passage(opening + "; ".join(clauses) + ".", observations))
    return passages


def other_passages(ctx: ReportContext, n_observations: int) -> list[Passage]:
    """The sentences naming legal acts, agreements and activities, and those resources."""
    rng, slug, year, code = ctx.rng, ctx.slug, ctx.year, ctx.country.code
    ministries = ctx.agencies[: ctx.ministries]
    passages = []
    for i in range(1, max(1, n_observations // OBSERVATIONS_PER_ACT) + 1):
        act_type, act_words, area = rng.choice(ACT_TYPES)
        topic = rng.choice(TOPICS)
        ministry = rng.choice(ministries)
        text = (
            f"The {ministry.label} prepared a {act_words} on {topic}, which was adopted "
            "during the reporting year."
        )
        title = f"{act_words.capitalize()} on {topic} ({ctx.country.english}, {year}, act {i})"
        pairs: list[tuple[str, Object]] = [
            ("a", "tip:LegalAct"),
            ("skos:prefLabel", literal(title, "en")),
            ("eli:type_document", f"act-type:{act_type}"),
            ("eli:number", literal(str(rng.randint(1, 999)))),
            (
                "eli:date_document",
                f'"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"^^xsd:date',
            ),
            ("eli:passed_by", ministry.name),
            ("eli:jurisdiction", f"country:{code}"),
            ("tip:policyArea", f"policy-area:{area}"),
        ]
        passages.append(Passage(text, [(f"legal-act:{slug}-{i}", pairs)]))
    for i in range(1, max(1, n_observations // OBSERVATIONS_PER_AGREEMENT) + 1):
        agency, partner = rng.choice(ctx.agencies), rng.choice(ctx.partners)
        counterpart = rng.choice(ctx.others)
        kind = rng.choice(AGREEMENT_TYPES)
        topic = rng.choice(TOPICS)
        text = (
            f"The {agency.label} and the {partner.label} signed an agreement on {topic} "
            f"with the participation of {counterpart.english}."
        )
        pairs = [
            ("a", "tip:Agreement"),
            ("skos:prefLabel", literal(f"Agreement on {topic} ({code.upper()} {year}, {i})", "en")),
            ("eli:type_document", f"act-type:{kind}"),
            ("tip:party", sorted([agency.name, partner.name])),
            ("tip:counterpartCountry", f"country:{counterpart.code}"),
            ("dcterms:temporal", period_name(year)),
            ("tip:policyArea", "policy-area:partnership"),
        ]
        passages.append(Passage(text, [(f"agreement:{slug}-{i}", pairs)]))
    n_agencies = len(ctx.agencies)
    for i in range(1, max(1, n_observations // OBSERVATIONS_PER_ACTIVITY) + 1):
        associated = sorted(
            {ctx.agencies[int(n_agencies * rng.random() ** 2)] for _ in range(3)},
            key=lambda a: a.name,
        )
        attendees = sorted({rng.choice(ctx.partners) for _ in range(2)}, key=lambda a: a.name)
        cls, what = rng.choice(ACTIVITY_KINDS)
        topic = rng.choice(TOPICS)
        text = (
            f"The {' and the '.join(a.label for a in associated)} organised {what} on {topic} "
            f"together with the {' and the '.join(a.label for a in attendees)}."
        )
        pairs = [
            ("a", cls),
            (
                "skos:prefLabel",
                literal(
                    f"{what.split(' ', 1)[1].capitalize()} on {topic} ({code.upper()} {year}, {i})",
                    "en",
                ),
            ),
            ("dcterms:description", literal(text, "en")),
            ("prov:wasAssociatedWith", [a.name for a in associated]),
            ("schema:attendee", [a.name for a in attendees]),
            ("tip:policyArea", f"policy-area:{rng.choice(POLICY_AREAS)}"),
            ("dcterms:temporal", period_name(year)),
            ("dcterms:spatial", f"country:{code}"),
        ]
        passages.append(Passage(text, [(f"activity:{slug}-{i}", pairs)]))
    return passages


def write_report(ctx: ReportContext, n_observations: int, folder: Path) -> tuple[int, int]:
    """One report folder (``source.en.txt`` and ``data.ttl``); returns (triples, quotes)."""
    rng, slug, year, country = ctx.rng, ctx.slug, ctx.year, ctx.country
    title = (
        f"Annual Report of {country.english} on Combating Trafficking in Human Beings "
        f"for {year} (synthetic)"
    )
    body = figures_passages(ctx, n_observations)
    for passage in other_passages(ctx, n_observations):
        body.insert(rng.randint(0, len(body)), passage)
    # The text: the title, then the sentences, a new paragraph every few sentences.
    passages = [Passage(title), *body]
    parts = []
    position = 0
    for number, passage in enumerate(passages):
        separator = "\n\n" if number == 1 else "\n" if rng.random() < 0.2 else " "
        if number > 0:
            parts.append(separator)
            position += len(separator)
        passage.start = position
        passage.name = "title" if number == 0 else str(number)
        parts.append(passage.text)
        position += len(passage.text)
    parts.append("\n")
    text = "".join(parts)
    data = text.encode("utf-8")
    folder.mkdir(parents=True)
    (folder / "source.en.txt").write_bytes(data)

    prefixes = {
        **PREFIXES,
        "quote": f"{ID}report/{slug}/quote/",
        "numeral": f"{ID}report/{slug}/numeral/",
        "obs": f"{ID}observation/{slug}/",
    }
    report, source = f"report:{slug}", f"<{ID}report/{slug}/text/en>"
    download = f"<{ID}report/{slug}/text/en.txt>"
    periods = sorted(
        {
            str(value)
            for passage in passages
            for _, pairs in passage.resources
            for predicate, value in pairs
            if predicate == "sdmx-dimension:refPeriod"
        }
        | {period_name(year)}
    )
    with (folder / "data.ttl").open("w", encoding="utf-8") as out:
        w = TurtleWriter(out, prefixes)
        w.subject(
            report,
            [
                ("a", "tip:AnnualReport"),
                ("dcterms:title", literal(title, "en")),
                (
                    "skos:prefLabel",
                    literal(f"Synthetic annual report of {country.english} on {year}", "en"),
                ),
                ("dcterms:publisher", ctx.agencies[MINISTRY].name),
                ("dcterms:issued", f'"{year + 1}"^^xsd:gYear'),
                ("dcterms:temporal", period_name(year)),
                ("dcterms:spatial", f"country:{country.code}"),
                ("dcterms:language", literal("en")),
                ("dcterms:hasFormat", source),
                ("prov:wasDerivedFrom", "quote:title"),
            ],
        )
        w.subject(
            source,
            [
                ("a", "tip:SourceText"),
                ("skos:prefLabel", literal(f"English text of the synthetic report {slug}", "en")),
                ("dcterms:isFormatOf", report),
                ("dcterms:language", literal("en")),
                ("dcterms:format", literal("text/plain; charset=utf-8")),
                ("dcat:downloadURL", download),
                ("dcat:byteSize", str(len(data))),
                (
                    "spdx:checksum",
                    Blank(
                        (
                            ("a", "spdx:Checksum"),
                            ("spdx:algorithm", "spdx:checksumAlgorithm_sha256"),
                            ("spdx:checksumValue", literal(hashlib.sha256(data).hexdigest())),
                        )
                    ),
                ),
            ],
        )
        w.triples += 1  # the text itself, attached by tipgraph as prov:value
        w.subject(
            f"dataset:{slug}",
            [
                ("a", ["qb:DataSet", "dcat:Dataset"]),
                ("dcterms:title", literal(f"Statistics of the synthetic report {slug}", "en")),
                ("skos:prefLabel", literal(f"Statistics of {country.english}, {year}", "en")),
                ("qb:structure", STRUCTURE),
                ("dcterms:source", report),
                ("prov:wasDerivedFrom", report),
                ("dcterms:spatial", f"country:{country.code}"),
                ("dcterms:temporal", periods),
                ("dcterms:license", LICENSE),
            ],
        )
        # The year in the title is no statistic: listed, so that coverage finds every numeral.
        start = title.index(str(year))
        w.subject(
            f"numeral:{start}",
            [
                ("a", "tip:NonStatisticalNumeral"),
                ("rdfs:label", literal(f"Numeral “{year}” at {start} (year)", "en")),
                ("tip:numeralKind", "numeral-kind:year"),
                ("rdfs:comment", literal("The reporting year, in the title.", "en")),
                ("oa:hasSource", source),
                ("oa:hasSelector", selectors(text, start, start + len(str(year)))),
            ],
        )
        for passage in passages:
            end = passage.start + len(passage.text)
            quote = f"quote:{passage.name}"
            shown = passage.text if len(passage.text) <= 72 else passage.text[:70] + "…"
            w.subject(
                quote,
                [
                    ("a", "tip:Quote"),
                    ("rdfs:label", literal(f"Quote: “{shown}”", "en")),
                    ("prov:value", literal(passage.text)),
                    ("prov:wasQuotedFrom", report),
                    ("oa:hasSource", source),
                    ("oa:hasSelector", selectors(text, passage.start, end)),
                ],
            )
            for subject, pairs in passage.resources:
                w.subject(subject, [*pairs, ("prov:wasDerivedFrom", quote)])
    return w.triples, len(passages)


def selectors(text: str, start: int, end: int) -> list[str | Blank]:
    """The oa:TextQuoteSelector and oa:TextPositionSelector of ``text[start:end]``."""
    quote: list[tuple[str, str]] = [
        ("a", "oa:TextQuoteSelector"),
        ("oa:exact", literal(text[start:end])),
    ]
    if start > 0:
        quote.append(("oa:prefix", literal(text[max(0, start - CONTEXT) : start])))
    if end < len(text):
        quote.append(("oa:suffix", literal(text[end : end + CONTEXT])))
    position = (("a", "oa:TextPositionSelector"), ("oa:start", str(start)), ("oa:end", str(end)))
    return [Blank(tuple(quote)), Blank(position)]


# ------------------------------------------------------------------------------------------------
# The root
# ------------------------------------------------------------------------------------------------


def tree_digest(*folders: Path) -> str:
    """A digest of the files below ``folders`` (to notice a changed ontology or shapes)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def manifest_for(triples: int, seed: int) -> dict[str, object]:
    """What identifies a generated root: the parameters, the generator and the repo's schema."""
    return {
        "generator_version": GENERATOR_VERSION,
        "requested_triples": triples,
        "seed": seed,
        "schema_digest": tree_digest(REPO / "ontology", REPO / "shapes"),
    }


def generate(triples: int, out: Path, seed: int = 1) -> dict[str, object]:
    """Write a synthetic root to ``out`` (replacing what is there); returns its manifest (and
    the time taken, which the manifest on disk leaves out so that it stays reproducible)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, out / folder)
    vocabularies = Vocabularies.read(out / "ontology" / "vocabularies")
    plan = make_plan(triples)
    total, agencies, partners = write_reference(plan, rng, out / "data" / REFERENCE)
    reports = plan.reports
    # The rest is for the reports: split unevenly between them, mostly as observations.
    budget = triples - total - TRIPLES_PER_REPORT_FIXED * len(reports)
    weights = [rng.uniform(0.75, 1.25) for _ in reports]
    scale = budget / TRIPLES_PER_OBSERVATION / sum(weights)
    observations = quotes = 0
    sizes = []
    for (country, year), weight in zip(reports, weights, strict=True):
        n = max(MIN_OBSERVATIONS, round(weight * scale))
        slug = report_slug(country.code, year)
        others = [c for c in plan.countries if c != country]
        ctx = ReportContext(
            country,
            year,
            slug,
            agencies[country.code],
            partners,
            others,
            plan.ministries,
            vocabularies,
            rng,
        )
        written, n_quotes = write_report(ctx, n, out / "data" / slug)
        total += written
        sizes.append(written)
        observations += n
        quotes += n_quotes
    manifest: dict[str, object] = {
        **manifest_for(triples, seed),
        "triples": total,
        "observations": observations,
        "quotes": quotes,
        "reports": len(reports),
        "report_triples": {"min": min(sizes), "max": max(sizes)},
        "countries": len(plan.countries),
        "years": len(plan.years),
        "agencies": sum(len(a) for a in agencies.values()) + len(partners),
        "sample_observation": SAMPLE_OBSERVATION,
        "sample_agency": SAMPLE_AGENCY,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {**manifest, "seconds": round(time.perf_counter() - started, 2)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="about this many triples")
    parser.add_argument("--out", type=Path, required=True, help="the root to write (replaced)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 1_000 <= args.triples <= 50_000_000:
        parser.error("--triples must be between 1,000 and 50,000,000")
    manifest = generate(args.triples, args.out, args.seed)
    print(json.dumps(manifest, indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
