"""Salary strings and schema.org ``baseSalary`` → :class:`Salary` (min, max, currency, period).

Pure functions, no I/O. The rules are those of the salary labelling spec
(``tests/fixtures/labels/salary-dev.tsv`` holds the hand labels); in short:

* **Numbers** are read by shape: a separator followed by exactly three digits is a thousands
  separator (``174,000``, ``65.000``, ``181 000``, ``1.190.000``); when both ``.`` and ``,``
  appear the last one is the decimal mark (``1.200,00``, ``110,127.60``). ``k`` ×1000, ``M``
  ×1e6, lakh ×1e5, crore ×1e7; a suffix on one end of a range carries to a bare small end
  (``£95-115k``).
* **Ranges** are amounts joined by ``-``/``~``/``to``/``up to``/``between … and``; three or more
  rising figures are min–mid–max (first and last kept); a falling chain is two ranges (first kept).
  A single amount gives min = max; ``Up to X`` gives max only; ``From X``/``X+`` give min only.
* **Alternatives** (``or``, ``/``, ``and``, ``;``, ``,``, parentheses, ``US: … CA: …``, a ``+``
  add-on) split the string into groups; the first group carrying money is labelled, except that a
  full-time figure beats a part-time one and a base figure beats an OTE one.
* **Currency**: ISO codes and symbols attached to the figures (``CAD $`` → CAD, ``R$`` → BRL,
  ``zł`` → PLN, ``kr`` → the code next to it, ``RM`` → MYR, ``CAN`` after an amount → CAD …);
  a bare ``$`` is USD unless a stronger marker is present. The job board prefixes ``$`` to
  whatever the employer typed, so ``$`` followed by text is not an amount, and a string whose only
  ``$`` is that prefix takes the currency of any other symbol shown (``$38,000 basic (£45,000
  OTE)`` → GBP). A range whose ends carry different currencies keeps the currency of the min.
* **Period**: a stated period wins (``/yr``, ``per annum``, ``monthly``, ``/hr`` …); otherwise
  it is inferred from the larger amount: ≥10000 year, 1000–9999 month, <1000 hour (MYR and SGD
  pay, quoted monthly, is month up to 39999).
* **Languages and notations**: range words (von … bis, entre … et, od … do, tussen … en, от … до
  …), lower bounds and caps (ab, à partir de, no less than, bis zu, jusqu'à …), periods
  (brutto/Jahr, mensuel, por hora, měsíčně, 月給, 연봉 …) and unit words (тыс., juta, 万, 만 …) in
  the main languages; the world's currency symbols (Kč, Ft, lei, лв, руб, грн, Rp, ₩, 円, đ, Fr.)
  come from price-parser's table (see :mod:`aggregator.normalise.currency`), and price-parser
  reads a string's currency when no symbol is next to the figures.
* **Not pay**: counts of years, reports, hours, nights, countries (``5–7 years``, ``3 direct
  reports``, ``37.5-hour week``), bands and levels (``Band 7``), percentages.
* **No salary** → ``None``: text only, zero placeholders (``$0/yr - $0/yr``), ``$1``
  placeholders, company figures (``$140M``, ``$50M - $12B``), benefit/equipment stipends and
  ``$13th salary``. Never a zero or made-up figure.

The package, by stage: ``model`` (``Salary``, periods), ``currencies``, ``amounts`` (numbers),
``periods`` (period words), ``tokens`` (figures and range words → groups), ``classify`` (which
group is the salary), ``parse`` (``parse_salary``) and ``structured`` (schema.org ``baseSalary``,
a board's stated numbers, ``read_salary``, ``annualise``).
"""

from aggregator.normalise.salary.model import PERIODS, Salary
from aggregator.normalise.salary.parse import parse_salary
from aggregator.normalise.salary.structured import annualise, read_salary, salary_from_base_salary, salary_from_stated

__all__ = [
    "PERIODS",
    "Salary",
    "annualise",
    "parse_salary",
    "read_salary",
    "salary_from_base_salary",
    "salary_from_stated",
]
