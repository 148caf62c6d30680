"""Salary normaliser against the hand labels, plus the employment-type and seniority classifiers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from aggregator.normalise.employment import employment_type, seniority
from aggregator.normalise.salary import Salary, annualise, parse_salary, salary_from_base_salary, salary_from_stated

LABELS = Path(__file__).parent / "fixtures" / "labels" / "salary-dev.tsv"
MIN_ACCURACY = 0.98


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


def _load_labels() -> list[tuple[int, str, tuple]]:
    lines = LABELS.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    assert header[:6] == ["count", "raw", "min", "max", "currency", "period"]
    rows = []
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.split("\t") + [""] * 7
        count, raw, lo, hi, cur, period = cells[:6]
        rows.append((int(count), raw, (_num(lo), _num(hi), cur or None, period or None)))
    return rows


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.005)


def _as_tuple(s: Salary | None) -> tuple:
    return (None, None, None, None) if s is None else (s.min, s.max, s.currency, s.period)


def _same(expected: tuple, got: tuple) -> bool:
    return (
        _close(expected[0], got[0]) and _close(expected[1], got[1]) and expected[2] == got[2] and expected[3] == got[3]
    )


# --- the labelled dev set ------------------------------------------------------------------


def test_label_file_is_present_and_sizeable():
    rows = _load_labels()
    assert len(rows) > 400
    assert sum(count for count, _, _ in rows) > 700


def test_dev_set_exact_match_accuracy():
    rows = _load_labels()
    misses = []
    for _count, raw, expected in rows:
        got = _as_tuple(parse_salary(raw))
        if not _same(expected, got):
            misses.append(f"{raw!r}: expected {expected}, got {got}")
    accuracy = 1 - len(misses) / len(rows)
    assert accuracy >= MIN_ACCURACY, f"accuracy {accuracy:.2%} < {MIN_ACCURACY:.0%}:\n" + "\n".join(misses)


def test_dev_set_weighted_accuracy():
    rows = _load_labels()
    total = sum(count for count, _, _ in rows)
    hits = sum(count for count, raw, expected in rows if _same(expected, _as_tuple(parse_salary(raw))))
    assert hits / total >= MIN_ACCURACY


# --- spec rules, one table per rule --------------------------------------------------------

Y, M, H = "year", "month", "hour"

NUMBER_SHAPES = [
    ("181 000 - 271 000 PLN gross/year", (181000, 271000, "PLN", Y)),  # space thousands
    ("EUR €65.000~€95.000", (65000, 95000, "EUR", Y)),  # dot + 3 digits = thousands, ~ is a dash
    ("DKK 866.000 kr.~1.190.000 kr.", (866000, 1190000, "DKK", Y)),  # 1.190.000
    ("R$ 1.200,00/month", (1200, 1200, "BRL", M)),  # both separators: last is decimal
    ("USD $110,127.60~$160,000", (110127.6, 160000, "USD", Y)),
    ("$118,640.00 - $235,002/yr", (118640, 235002, "USD", Y)),  # trailing .00 dropped
    ("$57,582.12 – $106,345.10", (57582.12, 106345.1, "USD", Y)),
    ("$11.50/hr", (11.5, 11.5, "USD", H)),
    ("CHF 120'000 - 140'000", (120000, 140000, "CHF", Y)),
    ("₹25,00,000 - ₹35,00,000", (2500000, 3500000, "INR", Y)),  # Indian grouping
]

SUFFIXES = [
    ("£95-115k", (95000, 115000, "GBP", Y)),  # k carries to the bare end
    ("$80K - $120K", (80000, 120000, "USD", Y)),
    ("€25.5K EUR/yr - $31K USD/yr", (25500, 31000, "EUR", Y)),
    ("20 to 45 lakhs INR per annum (Gross)", (2000000, 4500000, "INR", Y)),
    ("INR 18-24 LPA", (1800000, 2400000, "INR", Y)),
    ("JPY 8M - 12M", (8000000, 12000000, "JPY", Y)),  # M is pay in a currency quoted in millions
]

RANGES_AND_OPEN_ENDS = [
    ("$212,000 USD", (212000, 212000, "USD", Y)),  # single amount: min = max
    ("Up to $120,000", (None, 120000, "USD", Y)),
    ("up to 25,000 PLN net B2B", (None, 25000, "PLN", Y)),
    ("From $80,000", (80000, None, "USD", Y)),
    ("$135k+ based on experience", (135000, None, "USD", Y)),
    ("$185,000 USD - $265,000+ USD per year + Equity", (185000, 265000, "USD", Y)),  # top end open
    ("From 7000 up to 22.000 PLN/month +VAT", (7000, 22000, "PLN", M)),  # ordinary range
    ("between 181,000 and 271,000 PLN (Employment Contract)", (181000, 271000, "PLN", Y)),
    ("$35/hr to $54/hr", (35, 54, "USD", H)),
    ("MIN: $107,200 - MID: $134,000 - MAX: $160,800 CAD", (107200, 160800, "CAD", Y)),
    ("$136,611- $151,437- $166,263", (136611, 166263, "USD", Y)),  # three figures: min-mid-max
    ("$129,600-$162,000 - $116,600-$145,800", (129600, 162000, "USD", Y)),  # two ranges: first
]

CURRENCIES = [
    ("$100,000 - $150,000", (100000, 150000, "USD", Y)),  # bare $ is USD
    ("US$129,347 to US$200,823", (129347, 200823, "USD", Y)),
    ("CA$153,000 - CA$210,000", (153000, 210000, "CAD", Y)),
    ("C$90,000", (90000, 90000, "CAD", Y)),
    ("CAD $6,000~$7,000", (6000, 7000, "CAD", M)),
    ("$113,800 - $187,800 CAD", (113800, 187800, "CAD", Y)),
    ("A$120,000 - A$150,000", (120000, 150000, "AUD", Y)),
    ("AUD 120k-150k", (120000, 150000, "AUD", Y)),
    ("R$327,000-$385,000", (327000, 385000, "BRL", Y)),
    ("MX$40,000 - MX$60,000 per month", (40000, 60000, "MXN", M)),
    ("$100,000 - $120,000 CAN", (100000, 120000, "CAD", Y)),  # CAN after an amount
    ("3500€/month", (3500, 3500, "EUR", M)),
    ("3000 Euro per month", (3000, 3000, "EUR", M)),
    ("£91,200-£136,800/year", (91200, 136800, "GBP", Y)),
    ("301,000 zł - 401,000 zł", (301000, 401000, "PLN", Y)),
    ("10 000 PLZ zł", (10000, 10000, "PLN", Y)),
    ("SEK 655 000 kr~899 000 kr", (655000, 899000, "SEK", Y)),  # kr takes the code next to it
    ("40 000 - 50 000 DKK kr. per month", (40000, 50000, "DKK", M)),
    ("RM 8,000 - RM 12,000", (8000, 12000, "MYR", M)),
    ("220,000 - 280,000 RON", (220000, 280000, "RON", Y)),
    ("$168,000 CAD - $253,000 USD", (168000, 253000, "CAD", Y)),  # mixed: currency of the min
    ("$38,000 basic (£45,000 on-target earnings)", (38000, 38000, "GBP", Y)),  # board's $ prefix
]

PERIODS = [
    ("$1,200/yr", (1200, 1200, "USD", Y)),  # stated period wins even when implausible
    ("RM2,250/yr", (2250, 2250, "MYR", Y)),
    ("21 250 - 25 000 PLN gross/monthly OR 167 - 196 PLN net/hourly", (21250, 25000, "PLN", M)),
    ("$105,000 USD annually", (105000, 105000, "USD", Y)),
    ("$187,200.00 - $215,280.00 per annum", (187200, 215280, "USD", Y)),
    ("$20-$25 / hour", (20, 25, "USD", H)),
    ("£450 daily", (450, 450, "GBP", "day")),
    ("$500/day", (500, 500, "USD", "day")),
    ("$2,000 weekly", (2000, 2000, "USD", "week")),
    ("4,600 - 9,000 USD Monthly", (4600, 9000, "USD", M)),
    ("USD $38.41~$45.19", (38.41, 45.19, "USD", H)),  # inferred: < 1000
    ("USD $4,600~$8,500", (4600, 8500, "USD", M)),  # inferred: 1000-9999
    ("USD $60,000~$70,000", (60000, 70000, "USD", Y)),  # inferred: >= 10000
    (
        "RM11,702 for those based in Malaysia, and SGD7,608 for those based in Singapore",
        (11702, 11702, "MYR", M),
    ),
    ("$100k - $120k, 40 hours per week", (100000, 120000, "USD", Y)),  # workload is not a period
    ("$90,000 - $110,000, plus annual bonus", (90000, 110000, "USD", Y)),
]

EXTRAS_AND_ALTERNATIVES = [
    ("$125,000 - $195,000 + bonus + equity + benefits", (125000, 195000, "USD", Y)),
    ("$136,000 USD (Zone 2)", (136000, 136000, "USD", Y)),
    ("$250,000- $280,000 OTE (70/30 split)", (250000, 280000, "USD", Y)),  # the figure is OTE
    ("$150,000 annual + variable (OTE $184,000)", (150000, 150000, "USD", Y)),  # base, not OTE
    ("OTE $150k (base $100k)", (100000, 100000, "USD", Y)),
    ("$127,423 - $159,279 USD / $172,188 - $215,235 CAN", (127423, 159279, "USD", Y)),  # first alternative
    ("13,650 - 24,150 PLN or USD 2,800 - 5,000 (+ VAT / B2B) Monthly", (13650, 24150, "PLN", M)),
    ("US: $150,000 - $200,000 CA: $180,000 - $230,000", (150000, 200000, "USD", Y)),
    ("$100,000 - $150,000 + $33,500 - $50,000", (100000, 150000, "USD", Y)),  # add-on range ignored
    (
        "$80k-115k annually for a Software Engineer I and $105k-150k annually for a Software Engineer II",
        (80000, 115000, "USD", Y),
    ),
    (
        "part-time: USD $600 - $800 per month full-time: USD $1,200 - $1,600 per month",
        (1200, 1600, "USD", M),
    ),  # full-time figure preferred
    ("CAD 900000-1100000", (900000, 1100000, "CAD", Y)),  # implausible but well-formed: literal
]

NO_SALARY = [
    None,
    "",
    "$",
    "$$$$",
    "Competitive",
    "$Competitive Salary plus Equity in the company",
    "Competitive Pay (USD)",  # currency named, but no amount
    "DOE",
    "N/A",
    "$N/A",
    "null",
    "None",
    "Not Specified",
    "0",
    "$0",
    "$0/yr - $0/yr",
    "$0 - $0/",
    "USD $1~$1",  # placeholder ($1)
    "$140M",  # company figures
    "$9M",
    "$750 million USD",
    "$50M - $12B",
    "$50M in 2023",
    "$150/month dogfooding budget, $150/month wifi/phone reimbursement",  # stipends
    "$1500 towards IT set up for your home",
    "$13th salary + stock options",
    "USD 💲 Salary compensation.",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    NUMBER_SHAPES + SUFFIXES + RANGES_AND_OPEN_ENDS + CURRENCIES + PERIODS + EXTRAS_AND_ALTERNATIVES,
)
def test_spec_rules(raw, expected):
    got = _as_tuple(parse_salary(raw))
    assert _same(tuple(float(v) if isinstance(v, int) else v for v in expected), got), got


@pytest.mark.parametrize("raw", NO_SALARY)
def test_no_usable_salary_is_none(raw):
    assert parse_salary(raw) is None


def test_never_returns_zero_figures():
    s = parse_salary("$0 - $100,000")
    assert s is not None and s.min is None and s.max == 100000


def test_salary_is_frozen():
    s = parse_salary("$100,000")
    with pytest.raises(AttributeError):
        s.min = 1  # type: ignore[misc]


# --- schema.org baseSalary -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_salary", "expected"),
    [
        (
            {
                "@type": "MonetaryAmount",
                "currency": "USD",
                "value": {
                    "@type": "QuantitativeValue",
                    "minValue": 120000,
                    "maxValue": 150000,
                    "unitText": "YEAR",
                },
            },
            Salary(120000, 150000, "USD", "year"),
        ),
        (
            {"@type": "MonetaryAmount", "currency": "eur", "value": {"value": 45, "unitText": "HOUR"}},
            Salary(45, 45, "EUR", "hour"),
        ),
        (
            {"currency": "GBP", "value": {"minValue": "4.500", "maxValue": "5.500,00", "unitText": "MONTH"}},
            Salary(4500, 5500, "GBP", "month"),
        ),
        ({"currency": "PLN", "value": 15000}, Salary(15000, 15000, "PLN", "year")),  # period inferred
        (
            {"currency": "USD", "value": {"minValue": 90000, "unitText": "YEAR"}},
            Salary(90000, None, "USD", "year"),
        ),
        ({"currency": "CAD", "value": {"value": 650, "unitText": "DAY"}}, Salary(650, 650, "CAD", "day")),
        (
            {"currency": "USD", "value": {"value": 1900, "unitText": "WEEK"}},
            Salary(1900, 1900, "USD", "week"),
        ),
        (95000, Salary(95000, 95000, None, "year")),
        ("$80,000 - $95,000", Salary(80000, 95000, "USD", "year")),
        ({"currency": "USD", "value": "50-60k"}, Salary(50000, 60000, "USD", "year")),
        (
            [
                {"currency": "USD", "value": {"minValue": 0, "maxValue": 0}},
                {"currency": "USD", "value": 130000},
            ],
            Salary(130000, 130000, "USD", "year"),
        ),
    ],
)
def test_salary_from_base_salary(base_salary, expected):
    assert salary_from_base_salary(base_salary) == expected


@pytest.mark.parametrize(
    "base_salary",
    [
        None,
        {},
        [],
        "Competitive",
        {"currency": "USD", "value": {"minValue": 0, "maxValue": 0, "unitText": "YEAR"}},
        {"currency": "USD", "value": {"value": 1, "unitText": "HOUR"}},
        {"currency": "USD", "value": None},
        {"currency": "USD", "value": {"unitText": "YEAR"}},
        True,
    ],
)
def test_salary_from_base_salary_without_figures(base_salary):
    assert salary_from_base_salary(base_salary) is None


# --- annualise -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        (Salary(50, 60, "USD", "hour"), (104000, 124800)),
        (Salary(400, 500, "GBP", "day"), (104000, 130000)),
        (Salary(2000, 2000, "USD", "week"), (104000, 104000)),
        (Salary(5000, 6000, "EUR", "month"), (60000, 72000)),
        (Salary(120000, None, "USD", "year"), (120000, None)),
        (Salary(None, 45, "USD", "hour"), (None, 93600)),
        (Salary(100, 200, "USD", None), (None, None)),
    ],
)
def test_annualise(salary, expected):
    assert annualise(salary) == expected


def test_annualise_of_parsed_salary_keeps_currency_units():
    assert annualise(parse_salary("R$ 1.200,00/month")) == (14400, 14400)


# --- employment type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jsonld", "title", "expected"),
    [
        ("FULL_TIME", "Senior Software Engineer", "full_time"),
        ("PART_TIME", None, "part_time"),
        ("CONTRACTOR", "Backend Engineer", "contract"),
        ("TEMPORARY", None, "temporary"),
        ("INTERN", None, "internship"),
        ("PER_DIEM", None, "temporary"),
        (["FULL_TIME"], None, "full_time"),
        (["FULL_TIME", "INTERN"], None, "internship"),
        (["FULL_TIME", "CONTRACTOR"], None, "full_time"),
        ("FULL_TIME, PART_TIME", None, "full_time"),
        ("Full-time", None, "full_time"),
        ("Permanent", None, "full_time"),
        ("Freelance", None, "contract"),
        ("B2B", None, "contract"),
        ("https://schema.org/PART_TIME", None, "part_time"),
        ("FULL_TIME", "Software Engineer (Contract)", "full_time"),  # JSON-LD wins
        ("OTHER", "Software Developer - AI Trainer (Contract, Remote)", "contract"),  # OTHER says nothing
        ("VOLUNTEER", "Backend Engineer", "unknown"),
        (None, "Senior Backend Engineer (Full-Time Contractor)", "contract"),
        (None, "Freelance | Contract Senior Front End Engineer", "contract"),
        (None, "Software Engineer Intern - IoT Division", "internship"),
        (None, "Software Engineer Internship - Testing, Technical Analysis, and Automation", "internship"),
        (None, "Alternance - Développeur/se FrontEnd React JS - Île de France", "internship"),
        (None, "Co-Op - QA Automation Engineer (Fall 2024)", "internship"),
        (None, "AI Developer (Part-Time)", "part_time"),
        (None, "Temporary Data Analyst (6 months)", "temporary"),
        (None, "Temp Customer Support Agent", "temporary"),
        (None, "CDI - Ingénieur d'études et développement JAVA/JEE", "full_time"),
        (None, "Internal Tools Engineer", "unknown"),
        (None, "International Payments Engineer", "unknown"),
        (None, "Contracts Manager", "unknown"),
        (None, "Template Engineer", "unknown"),
        (None, "B2B Sales Manager", "unknown"),
        (None, None, "unknown"),
        ("", "", "unknown"),
    ],
)
def test_employment_type(jsonld, title, expected):
    assert employment_type(jsonld, title) == expected


# --- seniority -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Software Engineer Intern - IoT Division", "intern"),
        ("Alternance - Développeur/se Full Stack – Java/Angular – Lyon", "intern"),
        ("Junior Site Reliability Engineer", "junior"),
        ("Pessoa Desenvolvedora Fullstack Jr (Java+Angular)", "junior"),
        ("Associate DevSecOps Engineer", "junior"),
        ("Software Engineer I", "junior"),
        ("Software Engineer II - C# (Remote)", "mid"),
        ("Frontend Engineer II (Mid-Level with Webflow expertise)", "mid"),
        ("Middle .NET Developer (Business Process Automation)", "mid"),
        ("Intermediate Software Engineer", "mid"),
        ("Senior Software Engineer, Mapping and Routing", "senior"),
        ("Sr. Full-Stack Software Engineer (Brazil)", "senior"),
        ("Software Engineer III", "senior"),
        ("Data Engineer IV", "staff"),
        ("Staff Backend Engineer (Safety & Trust)", "staff"),
        ("Senior Staff Software Engineer (Generative AI)", "staff"),
        ("ML Compiler Engineer, Senior Staff", "staff"),
        ("Principal Software Engineer: Java Full Stack (Remote, Philippines)", "principal"),
        ("Principle Software Engineer", "principal"),
        ("Senior/Principal Digital Methodology Engineer", "principal"),
        ("Lead Front End Engineer", "lead"),
        ("NodeJS Technical Lead/Solution Architect, KMS Healthcare", "lead"),
        ("Team Lead Data Engineering - Analytics Platform (m/f/x)", "lead"),
        ("Golang Team Leader", "lead"),
        ("Engineering Manager, Detection", "manager"),
        ("Senior Engineering Manager", "manager"),
        ("Lead Software Development Manager", "manager"),
        ("Director of Software Engineering", "director"),
        ("Head of Developer Relations", "director"),
        ("VP of Engineering", "director"),
        ("Senior Product Manager", "senior"),
        ("Product Manager", "unknown"),
        ("Lead Generation Specialist", "unknown"),
        ("Internal Tools Engineer", "unknown"),
        ("International Payments Engineer", "unknown"),
        ("Forward Deployed Engineer - Munich", "unknown"),
        ("Data Entry Clerk", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_seniority(title, expected):
    assert seniority(title) == expected


# --- structured salaries from APIs ---------------------------------------------------------------


def test_structured_salary_fields_go_straight_into_typed_fields():
    from aggregator.extract.api_fields import salary_text, structured_salary
    from aggregator.items import RawPosting, StatedSalary
    from aggregator.normalise.posting import normalise_posting

    stated, twin = structured_salary(60000.5, "80,000", "usd", "per-month-salary")
    assert stated == StatedSalary(60000.5, 80000.0, "USD", "month")
    assert twin == salary_text(60000.5, "80,000", "usd", "per-month-salary")
    raw = RawPosting(
        source="t",
        url="https://example.com/1",
        source_id="1",
        title="Engineer",
        # the readable twin says "per year" by mistake: the numbers, not the string, decide
        salary_raw="USD 60000.5-80000 per year",
        stated_salary=stated,
    )
    posting = normalise_posting(raw)
    assert (posting.salary_min, posting.salary_max, posting.salary_currency, posting.salary_period) == (
        60000.5,
        80000.0,
        "USD",
        "month",
    )
    assert posting.salary_raw == "USD 60000.5-80000 per year"
    assert salary_text(0, 0, "USD") is None and structured_salary(0, None, "USD") == (None, None)
    assert structured_salary(None, 90000, "EUR", "yearly")[0] == StatedSalary(None, 90000.0, "EUR", "year")


@pytest.mark.parametrize(
    ("module", "record", "expected"),
    [
        ("remoteok", {"id": "1", "slug": "x", "position": "Dev", "salary_min": 90000, "salary_max": 120000},
         Salary(90000, 120000, "USD", "year")),
        ("himalayas", {"guid": "https://h/1", "title": "Dev", "minSalary": 40, "maxSalary": 55, "currency": "EUR",
                       "salaryPeriod": "hourly"}, Salary(40, 55, "EUR", "hour")),
        ("jobicy", {"id": 7, "url": "https://j/7", "jobTitle": "Dev", "annualSalaryMin": "70000",
                    "salaryCurrency": "GBP"}, Salary(70000, None, "GBP", "year")),
    ],
)  # fmt: skip
def test_api_extractors_hand_over_typed_salaries(module, record, expected):
    import importlib

    from aggregator.extract.context import Context

    extract = importlib.import_module(f"aggregator.extract.{module}").extract
    item = extract(record, Context())
    assert salary_from_stated(item.stated_salary) == expected
