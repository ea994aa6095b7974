"""Generate a synthetic tipgraph root shaped like the real data, for benchmarking.

    python bench/generate.py --triples 1000000 --out bench/.cache/root --seed 1

The output is a tipgraph root: ``ontology/`` and ``shapes/`` copied from this repository, and
``data/synthetic-reference/data.ttl`` (countries, periods, agencies and partners, like
``data/reference/``) plus one report folder per country and year,
``data/synthetic-<country>-<year>/data.ttl``, holding the report, its dataset, its quotes, its
observations (most of the triples, as in the real data), legal acts, agreements and activities.
Every minted IRI is under ``https://w3id.org/tipgraph/id/synthetic/``; the code lists are the real
ones (indicators, units, qualifiers … from ``ontology/vocabularies/``; periods are
``…/id/period/<year>``). The data is not meant to pass SHACL validation.

Turtle is written as text, so a million triples take a few seconds. The same ``--seed`` and
``--triples`` always give the same files. ``manifest.json`` in the root records what was made.
"""


# The Azerbaijani and Russian names hold letters that look like Latin ones, on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
# Bump when the shape of the generated data changes, so that cached roots are regenerated.
GENERATOR_VERSION = 1

ID = "https://w3id.org/tipgraph/id/"
SYN = f"{ID}synthetic/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

PREFIXES = {
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "qb": "http://purl.org/linked-data/cube#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "time": "http://www.w3.org/2006/time#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "tip": "https://w3id.org/tipgraph/ontology#",
    "scheme": f"{ID}scheme/",
    "period": f"{ID}period/",
    "indicator": f"{ID}indicator/",
    "unit": f"{ID}unit/",
    "qualifier": f"{ID}qualifier/",
    "exploitation": f"{ID}exploitation/",
    "org-type": f"{ID}org-type/",
    "act-type": f"{ID}act-type/",
    "policy-area": f"{ID}policy-area/",
    "country": f"{SYN}country/",
    "agency": f"{SYN}agency/",
    "partner": f"{SYN}organization/",
}

# (ISO code, English, Russian) — the synthetic countries, in the order reports are made.
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("aze", "Azerbaijan", "Азербайджан"),
    ("geo", "Georgia", "Грузия"),
    ("arm", "Armenia", "Армения"),
    ("kaz", "Kazakhstan", "Казахстан"),
    ("uzb", "Uzbekistan", "Узбекистан"),
    ("tur", "Turkey", "Турция"),
    ("ukr", "Ukraine", "Украина"),
    ("mda", "Moldova", "Молдова"),
    ("kgz", "Kyrgyzstan", "Киргизия"),
    ("tjk", "Tajikistan", "Таджикистан"),
    ("tkm", "Turkmenistan", "Туркмения"),
    ("blr", "Belarus", "Беларусь"),
)
YEARS: tuple[int, ...] = tuple(range(2014, 2024))
PLAN_PERIODS: tuple[tuple[int, int], ...] = ((2009, 2013), (2014, 2018), (2019, 2023))

# (English, Azerbaijani, Russian) names of the ministries every synthetic country has.
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
# (English, Azerbaijani, Russian, organisation type) of the units below the ministries.
UNIT_KINDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "Department for Combating Trafficking in Human Beings",
        "İnsan Alverinə qarşı Mübarizə İdarəsi",
        "Управление по борьбе с торговлей людьми",
        "police-unit",
    ),
    (
        "Assistance Centre for Victims",
        "Qurbanlara Yardım Mərkəzi",
        "Центр помощи жертвам",
        "service-centre",
    ),
    ("Regional Office", "Regional İdarə", "Региональное управление", "state-agency"),
    ("Shelter", "Sığınacaq", "Приют", "service-centre"),
    ("Hotline Service", "Qaynar Xətt Xidməti", "Служба горячей линии", "service-centre"),
    (
        "Labour Inspection Service",
        "Əmək Müfəttişliyi Xidməti",
        "Трудовая инспекция",
        "monitoring-body",
    ),
    ("Training Centre", "Tədris Mərkəzi", "Учебный центр", "state-agency"),
    ("Border Checkpoint", "Sərhəd Keçid Məntəqəsi", "Пограничный пункт", "police-unit"),
)
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
ACT_TYPES = ("law", "presidential-decree", "presidential-order", "cabinet-decision")
AGREEMENT_TYPES = ("intergovernmental-agreement", "treaty", "collective-agreement")
ACTIVITY_CLASSES = ("tip:Meeting", "tip:AwarenessActivity", "tip:Training")
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

# Observations: the optional properties and how often each is stated.
P_EXPLOITATION = 0.15
P_QUALIFIER = 0.10
P_STATED = 0.10
P_LABEL = 0.05
P_ACTOR = 0.10
QUOTE_GROUP = (4, 16)  # observations derived from one quote: uniform in this range
# Expected triples per observation including its share of the quote (7 triples a quote).
TRIPLES_PER_OBSERVATION = (
    8 + P_EXPLOITATION + P_QUALIFIER + P_STATED + P_LABEL + P_ACTOR + 7 / (sum(QUOTE_GROUP) / 2)
)
# One legal act, agreement or activity per this many observations of a report (at least one).
OBSERVATIONS_PER_ACT = 250
OBSERVATIONS_PER_AGREEMENT = 500
OBSERVATIONS_PER_ACTIVITY = 200
TRIPLES_PER_AGENCY = 11
AGENCY_SHARE = 1 / 400  # agencies per requested triple


def report_slug(country: str, year: int) -> str:
    """The folder (and named graph) name of a synthetic report."""
    return f"synthetic-{country}-{year}"


def observation_iri(country: str, year: int, number: int) -> str:
    """The IRI of the ``number``-th observation (from 1) of a report."""
    return f"{SYN}observation/{report_slug(country, year)}/{number}"


def agency_iri(country: str, number: int) -> str:
    """The IRI of the ``number``-th agency (from 0; 0 is the Ministry of Internal Affairs)."""
    return f"{SYN}agency/{country}-{number}"


# Resources every generated root holds, whatever its size: the first report is always made, its
# first observation exists, and the Ministry of Internal Affairs of the first country is the most
# frequent actor.
FIRST_COUNTRY = COUNTRIES[0][0]
FIRST_YEAR = YEARS[0]
SAMPLE_OBSERVATION = observation_iri(FIRST_COUNTRY, FIRST_YEAR, 1)
SAMPLE_AGENCY = agency_iri(FIRST_COUNTRY, 0)


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
    qualifiers: list[Concept]

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
            qualifiers=schemes["value-qualifiers"],
        )


def unit_of(indicator: Concept) -> str:
    """The unit of measure of an indicator, guessed from its name."""
    name = indicator.name
    if "share" in name:
        return "unit:percent"
    if any(word in name for word in ("amount", "funding", "financial-aid-to")):
        return "unit:azn"
    if any(word in name for word in ("crimes", "convictions", "case")):
        return "unit:case"
    if any(word in name for word in ("meetings", "events")):
        return "unit:event"
    if any(word in name for word in ("organizations", "ngo", "bodies", "associations")):
        return "unit:organization"
    return "unit:person"


def literal(text: str, language: str | None = None) -> str:
    """A Turtle string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


@dataclass
class TurtleWriter:
    """Collects Turtle statements for one file and counts the triples written."""

    prefixes: dict[str, str]
    chunks: list[str] = field(default_factory=list)
    triples: int = 0

    def subject(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        """``subject p1 o1 ; p2 o2 … .`` — objects are Turtle terms (a blank node ``[ … ]`` counts
        as one triple here; add its own triples with :meth:`count`)."""
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        self.chunks.append(f"{subject} {body} .\n\n")
        self.triples += len(pairs)

    def count(self, triples: int) -> None:
        self.triples += triples

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in self.prefixes.items())
        with path.open("w", encoding="utf-8") as out:
            out.write("# Synthetic benchmark data (bench/generate.py); not real facts.\n\n")
            out.write(header)
            out.write("\n")
            out.writelines(self.chunks)


@dataclass(frozen=True)
class Agency:
    name: str  # prefixed name
    label: str  # English


@dataclass(frozen=True)
class Plan:
    """What to generate: the reports and how big each is."""

    countries: tuple[tuple[str, str, str], ...]
    years: tuple[int, ...]
    agencies_per_country: int
    observations: dict[tuple[str, int], int]


def make_plan(triples: int, rng: random.Random) -> Plan:
    """Size the data for about ``triples`` triples: one report per country and year, agencies,
    and the rest as observations (with their quotes), split unevenly between the reports."""
    reports = max(4, round(triples / 25_000))
    n_countries = min(len(COUNTRIES), max(2, math.ceil(math.sqrt(reports))))
    n_years = min(len(YEARS), math.ceil(reports / n_countries))
    countries = COUNTRIES[:n_countries]
    years = YEARS[:n_years]
    agencies_per_country = max(len(DOMAINS) + 4, round(triples * AGENCY_SHARE / n_countries))
    reference = n_countries * agencies_per_country * TRIPLES_PER_AGENCY + 1000
    # Acts, agreements and activities take about 10 triples each.
    extra = 10 * (1 / OBSERVATIONS_PER_ACT + 1 / OBSERVATIONS_PER_AGREEMENT)
    extra += 12 / OBSERVATIONS_PER_ACTIVITY
    per_report_fixed = 25
    budget = triples - reference - per_report_fixed * n_countries * n_years
    total = max(n_countries * n_years * 20, round(budget / (TRIPLES_PER_OBSERVATION + extra)))
    weights = {(c[0], y): rng.uniform(0.6, 1.4) for c in countries for y in years}
    scale = total / sum(weights.values())
    observations = {key: max(20, round(w * scale)) for key, w in weights.items()}
    return Plan(countries, years, agencies_per_country, observations)


def write_reference(
    plan: Plan, rng: random.Random, out: Path
) -> tuple[int, dict[str, list[Agency]], list[str]]:
    """Countries, periods, agencies and partners: ``data/synthetic-reference/data.ttl``."""
    w = TurtleWriter(PREFIXES)
    for code, english, russian in plan.countries:
        w.subject(
            f"country:{code}",
            [
                ("a", "schema:Country , skos:Concept"),
                ("skos:prefLabel", f"{literal(english, 'en')} , {literal(russian, 'ru')}"),
                ("skos:notation", literal(code.upper())),
                ("skos:inScheme", "scheme:areas"),
            ],
        )
        w.count(2)  # two types, two labels
    for year in sorted({*range(2009, 2024)}):
        plan_period = next(f"{a}-{b}" for a, b in PLAN_PERIODS if a <= year <= b)
        w.subject(
            f"period:{year}",
            [
                ("a", "time:ProperInterval , skos:Concept"),
                ("skos:prefLabel", literal(str(year), "en")),
                ("time:intervalIn", f"period:{plan_period}"),
                ("skos:inScheme", "scheme:periods"),
            ],
        )
        w.count(1)
    for start, end in PLAN_PERIODS:
        w.subject(
            f"period:{start}-{end}",
            [
                ("a", "time:ProperInterval , skos:Concept"),
                ("skos:prefLabel", literal(f"{start}–{end}", "en")),
                ("skos:inScheme", "scheme:periods"),
            ],
        )
        w.count(1)
    partners = []
    for acronym, english in PARTNERS:
        name = f"partner:{acronym.lower()}"
        partners.append(name)
        w.subject(
            name,
            [
                ("a", "org:FormalOrganization , schema:Organization"),
                ("skos:prefLabel", literal(f"{english} (synthetic)", "en")),
                ("skos:notation", literal(acronym)),
                ("org:classification", "org-type:intergovernmental-organization"),
            ],
        )
        w.count(1)
    agencies: dict[str, list[Agency]] = {}
    for code, english_country, russian_country in plan.countries:
        mine: list[Agency] = []
        children: dict[int, list[str]] = {}
        parents: list[int] = []
        for number in range(plan.agencies_per_country):
            if number < len(DOMAINS):
                parents.append(-1)
            else:
                # Units hang below a ministry, or (one in three) below an earlier unit.
                earlier = number - len(DOMAINS)
                if earlier > 0 and rng.random() < 0.33:
                    parents.append(len(DOMAINS) + rng.randrange(earlier))
                else:
                    parents.append(rng.randrange(len(DOMAINS)))
                children.setdefault(parents[-1], []).append(f"agency:{code}-{number}")
        for number, parent in enumerate(parents):
            name = f"agency:{code}-{number}"
            pairs: list[tuple[str, str]]
            if parent < 0:
                en, az, ru = DOMAINS[number]
                label_en = f"Ministry of {en} of {english_country}"
                label_az = f"{az} Nazirliyi ({code.upper()})"
                label_ru = f"Министерство {ru} ({russian_country})"
                pairs = [("a", "org:FormalOrganization , schema:GovernmentOrganization")]
                classification = "org-type:ministry"
            else:
                ministry = parent
                while parents[ministry] >= 0:
                    ministry = parents[ministry]
                kind_en, kind_az, kind_ru, kind_type = UNIT_KINDS[number % len(UNIT_KINDS)]
                domain_en, domain_az, domain_ru = DOMAINS[ministry]
                label_en = f"{kind_en} No. {number} of the Ministry of {domain_en} of "
                label_en += english_country
                label_az = f"{domain_az} Nazirliyinin {number} saylı {kind_az}"
                label_ru = f"{kind_ru} № {number} министерства {domain_ru} ({russian_country})"
                pairs = [("a", "org:OrganizationalUnit , schema:GovernmentOrganization")]
                classification = f"org-type:{kind_type}"
                pairs.append(("org:unitOf", f"agency:{code}-{parent}"))
                pairs.append(("org:subOrganizationOf", f"agency:{code}-{ministry}"))
            labels = f"{literal(label_en, 'en')} ,\n        {literal(label_az, 'az')} ,\n"
            labels += f"        {literal(label_ru, 'ru')}"
            pairs += [
                ("skos:prefLabel", labels),
                ("rdfs:label", literal(label_en, "en")),
                ("org:classification", classification),
                ("dcterms:spatial", f"country:{code}"),
            ]
            units = children.get(number, [])
            if units:
                pairs.append(("org:hasUnit", " , ".join(units)))
            w.subject(name, pairs)
            w.count(1 + 2 + max(0, len(units) - 1))  # second type, az and ru labels, units
            mine.append(Agency(name, label_en))
        agencies[code] = mine
    w.write(out / "data" / "synthetic-reference" / "data.ttl")
    return w.triples, agencies, partners


@dataclass(frozen=True)
class Observation:
    number: int
    indicator: Concept
    area: str
    period: str
    value: str  # a Turtle literal: an integer or a decimal
    stated: str


def write_report(
    code: str,
    year: int,
    n_observations: int,
    vocabularies: Vocabularies,
    agencies: list[Agency],
    partners: list[str],
    countries: Sequence[str],
    rng: random.Random,
    out: Path,
) -> tuple[int, int]:
    """One report folder; returns (triples, observations)."""
    slug = report_slug(code, year)
    base = f"{SYN}report/{slug}"
    prefixes = {
        **PREFIXES,
        "report": f"{SYN}report/",
        "dataset": f"{SYN}dataset/",
        "quote": f"{base}/quote/",
        "obs": f"{SYN}observation/{slug}/",
        "legal-act": f"{SYN}legal-act/{slug}/",
        "agreement": f"{SYN}agreement/{slug}/",
        "activity": f"{SYN}activity/{slug}/",
    }
    w = TurtleWriter(prefixes)
    report = f"report:{slug}"
    text = f"<{base}/text/en>"
    ministry = agencies[0]
    w.subject(
        report,
        [
            ("a", "tip:AnnualReport"),
            (
                "skos:prefLabel",
                literal(f"Synthetic annual report on {year} ({code.upper()})", "en"),
            ),
            ("dcterms:title", literal(f"Annual Report on Combating Trafficking, {year}", "en")),
            ("dcterms:publisher", ministry.name),
            ("dcterms:issued", f'"{year + 1}"^^xsd:gYear'),
            ("dcterms:temporal", f"period:{year}"),
            ("dcterms:spatial", f"country:{code}"),
            ("dcterms:language", literal("en")),
            ("dcterms:hasFormat", text),
        ],
    )
    w.subject(
        text,
        [
            ("a", "tip:SourceText"),
            ("dcterms:isFormatOf", report),
            ("dcterms:language", literal("en")),
        ],
    )
    dataset = f"dataset:{slug}"
    w.subject(
        dataset,
        [
            ("a", "qb:DataSet"),
            ("skos:prefLabel", literal(f"Statistics of the synthetic report {slug}", "en")),
            ("qb:structure", f"<{ID}structure/thb-statistics>"),
            ("dcterms:source", report),
            ("dcterms:spatial", f"country:{code}"),
            ("dcterms:temporal", f"period:{year}"),
        ],
    )

    indicators = vocabularies.indicators
    indicator_weights = [1 / (1 + 0.15 * i) for i in range(len(indicators))]
    plan_period = next(f"{a}-{b}" for a, b in PLAN_PERIODS if a <= year <= b)
    periods = [f"period:{year}"] * 8 + [f"period:{year - 1}", f"period:{plan_period}"]
    areas = [f"country:{code}"] * 18 + [f"country:{c}" for c in countries[:2]]
    n_agencies = len(agencies)
    quotes = 0
    number = 0
    while number < n_observations:
        size = min(rng.randint(*QUOTE_GROUP), n_observations - number)
        chosen = rng.choices(indicators, indicator_weights, k=size)
        group: list[Observation] = []
        for indicator in chosen:
            number += 1
            unit = unit_of(indicator)
            if unit == "unit:percent":
                value = f"{rng.randint(1, 999) / 10:.1f}"
                stated = f"{value}%"
            elif unit == "unit:azn":
                value = f"{rng.randint(1000, 5_000_000) / 100:.2f}"
                stated = f"{value} manats"
            else:
                value = str(int(rng.paretovariate(1.1) * 10))
                stated = value
            group.append(
                Observation(
                    number, indicator, rng.choice(areas), rng.choice(periods), value, stated
                )
            )
        quotes += 1
        quote = f"quote:{quotes}"
        actor = agencies[int(n_agencies * rng.random() ** 3)]
        sentence = f"In {year}, according to the {actor.label}, " + "; ".join(
            f"{o.indicator.label.lower()}: {o.stated}" for o in group
        )
        sentence += "."
        start = rng.randint(0, 50_000)
        w.subject(
            quote,
            [
                ("a", "tip:Quote"),
                ("prov:value", literal(sentence)),
                ("prov:wasQuotedFrom", report),
                ("oa:hasSource", text),
                (
                    "oa:hasSelector",
                    f"[ a oa:TextPositionSelector ; oa:start {start} ; "
                    f"oa:end {start + len(sentence)} ]",
                ),
            ],
        )
        w.count(3)
        for o in group:
            pairs = [
                ("a", "qb:Observation"),
                ("qb:dataSet", dataset),
                ("sdmx-dimension:refArea", o.area),
                ("sdmx-dimension:refPeriod", o.period),
                ("tip:indicator", o.indicator.name),
                ("sdmx-measure:obsValue", o.value),
                ("sdmx-attribute:unitMeasure", unit_of(o.indicator)),
                ("prov:wasDerivedFrom", quote),
            ]
            if rng.random() < P_EXPLOITATION:
                pairs.append(
                    ("tip:exploitationForm", rng.choice(vocabularies.exploitation_forms).name)
                )
            if rng.random() < P_QUALIFIER:
                pairs.append(("tip:valueQualifier", rng.choice(vocabularies.qualifiers).name))
            if rng.random() < P_STATED:
                pairs.append(("tip:statedValue", literal(o.stated)))
            if rng.random() < P_LABEL:
                label = f"{o.indicator.label}, {code.upper()}, {o.period[7:]}: {o.stated}"
                pairs.append(("rdfs:label", literal(label, "en")))
            if rng.random() < P_ACTOR:
                # Skewed: the first agencies (the ministries) act most often.
                pairs.append(("tip:actor", agencies[int(n_agencies * rng.random() ** 3)].name))
            w.subject(f"obs:{o.number}", pairs)

    for i in range(1, max(1, n_observations // OBSERVATIONS_PER_ACT) + 1):
        act_type = rng.choice(ACT_TYPES)
        topic = rng.choice(TOPICS)
        title = f"{act_type.replace('-', ' ').capitalize()} No. {i} on {topic} ({year})"
        w.subject(
            f"legal-act:{i}",
            [
                ("a", "tip:LegalAct"),
                ("skos:prefLabel", literal(title, "en")),
                ("eli:type_document", f"act-type:{act_type}"),
                ("eli:number", literal(f"{rng.randint(1, 999)}")),
                ("eli:date_document", f'"{year}-{rng.randint(1, 12):02d}-01"^^xsd:date'),
                ("eli:passed_by", rng.choice(agencies[: len(DOMAINS)]).name),
                ("eli:jurisdiction", f"country:{code}"),
                (
                    "tip:policyArea",
                    rng.choice(("policy-area:protection", "policy-area:prevention")),
                ),
                ("prov:wasDerivedFrom", f"quote:{rng.randint(1, quotes)}"),
            ],
        )
    for i in range(1, max(1, n_observations // OBSERVATIONS_PER_AGREEMENT) + 1):
        parties = sorted({rng.choice(agencies).name, rng.choice(partners)})
        counterpart = rng.choice(countries)
        w.subject(
            f"agreement:{i}",
            [
                ("a", "tip:Agreement"),
                ("skos:prefLabel", literal(f"Agreement No. {i} on {rng.choice(TOPICS)}", "en")),
                ("eli:type_document", f"act-type:{rng.choice(AGREEMENT_TYPES)}"),
                ("tip:party", " , ".join(parties)),
                ("tip:counterpartCountry", f"country:{counterpart}"),
                ("dcterms:temporal", f"period:{year}"),
                ("tip:policyArea", "policy-area:partnership"),
                ("prov:wasDerivedFrom", f"quote:{rng.randint(1, quotes)}"),
            ],
        )
        w.count(len(parties) - 1)
    for i in range(1, max(1, n_observations // OBSERVATIONS_PER_ACTIVITY) + 1):
        associated = sorted({agencies[int(n_agencies * rng.random() ** 2)].name for _ in range(3)})
        attendees = sorted({rng.choice(partners) for _ in range(2)})
        w.subject(
            f"activity:{i}",
            [
                ("a", rng.choice(ACTIVITY_CLASSES)),
                ("skos:prefLabel", literal(f"Activity No. {i} on {rng.choice(TOPICS)}", "en")),
                ("prov:wasAssociatedWith", " , ".join(associated)),
                ("schema:attendee", " , ".join(attendees)),
                ("tip:policyArea", "policy-area:prevention"),
                ("dcterms:temporal", f"period:{year}"),
                ("dcterms:spatial", f"country:{code}"),
                ("prov:wasDerivedFrom", f"quote:{rng.randint(1, quotes)}"),
            ],
        )
        w.count(len(associated) - 1 + len(attendees) - 1)
    w.write(out / "data" / slug / "data.ttl")
    return w.triples, n_observations


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
    plan = make_plan(triples, rng)
    total, agencies, partners = write_reference(plan, rng, out)
    country_codes = [c[0] for c in plan.countries]
    observations = 0
    for code, _, _ in plan.countries:
        for year in plan.years:
            written, n = write_report(
                code,
                year,
                plan.observations[(code, year)],
                vocabularies,
                agencies[code],
                partners,
                [c for c in country_codes if c != code],
                rng,
                out,
            )
            total += written
            observations += n
    manifest: dict[str, object] = {
        **manifest_for(triples, seed),
        "triples": total,
        "observations": observations,
        "reports": len(plan.observations),
        "agencies": sum(len(a) for a in agencies.values()),
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
