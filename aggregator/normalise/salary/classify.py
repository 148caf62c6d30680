"""Classifying groups: which group of figures is the salary (pay words, perks, company figures, OTE)."""

from __future__ import annotations

import re

from aggregator.normalise.currency import currency_of_text
from aggregator.normalise.salary.currencies import _ANY_CUR_RE, _MILLIONS_OK, _code, _symbol
from aggregator.normalise.salary.tokens import _Group

# --------------------------------------------------------------------------------------------
# Classifying groups
# --------------------------------------------------------------------------------------------

_STIPEND_RE = re.compile(
    r"(?:budget|zuschuss|pauschale|budżet)\w*|\b(?:stipend|reimburse(?:ment|d)?|allowance|towards|set\s?-?up|equipment|wi-?fi|coworking|"
    r"co-working|sign(?:ing)?[\s-]+on\s+bonus)\b",
    re.I,
)
# Perks whose figure follows their name ("Relocation assistance up to $5,000"); after a salary
# ("$120,000 with relocation") the word does not make the salary a perk.
_PERK_BEFORE_RE = re.compile(r"\b(?:relocation|moving|referral(?:\s+bonus)?|sign(?:ing)?[\s-]*on)\b", re.I)
_PAY_WORD_RE = re.compile(r"\b(?:salary|base|compensation|pay|wages?|ote|earnings|income|rate)\b", re.I)
_LABEL_END_RE = re.compile(r"[;,/|]|\s(?:or|OR)\s")
_OTE_RE = re.compile(r"\bOTE\b|on[\s-]target|\btotal\s+(?:comp|compensation|earnings)\b", re.I)
_BASE_RE = re.compile(r"\bbase\b|\bbasic\b|\bbase\s+salary\b", re.I)
_PART_RE = re.compile(r"\bpart[\s-]?time\b", re.I)
_FULL_RE = re.compile(r"\bfull[\s-]?time\b", re.I)
_UPTO_RE = re.compile(
    r"(?:\bup\s*to|\bmax(?:imum)?\.?|\bunder|\bbelow|(?<!no\s)(?<!not\s)\bless\s+than|\bjusqu'?\s?(?:à|a)|"
    r"\bfino\s+a|\bat[eé]|\btot|\bupp\s+till|\bop\s+til|\bdo|\bдо|\baž|\biki|\blīdz|\bkuni|\benint[äa][äa]n|\ballt\s+að|\btối\s+đa|"
    r"\bnot\s+more\s+than|\bno\s+more\s+than|"
    r"\buntil|\btill|\bbis(?:\s+zu)?|\bopp\s+til|\bhasta|\bat\s+most)(?:\s+of)?\s*:?\s*\Z",
    re.I,
)
_FROM_RE = re.compile(
    r"(?:\bfrom|\bstarting(?:\s+(?:at|from))?|\bstarts?\s+at|\bmin(?:imum)?\.?|\bat\s+least|\bover|\babove|"
    r"\bmore\s+than|\bab|\bod|\bdesde|\ba\s+partir\s+de|\bà\s+partir\s+de|\bstarting\s+salary(?:\s+of)?|"
    r"\bno\s+less\s+than|\bnot\s+less\s+than|\bvanaf|\bfrån|\bfra|\bот|\bвід|\bda|\bmindestens|\bau\s+moins|"
    r"\bminimo|\bmínimo|\bnuo|\balates|\balkaen|\bfrá|\btừ|\btrên|"
    r"\b\w*mindest\w*\s+(?:betr[äa]gt|von|liegt\s+bei)|\bminimum\s+(?:salary|pay|wage)\s+(?:is|of))"
    r"(?:\s+of)?\s*:?\s*\Z",
    re.I,
)
_OPEN_AFTER_RE = re.compile(
    # "$135k+" is open-ended; "$120k + super" is an add-on, not an open top
    r"(?:\+|\s+\+(?!\s*[^\W\d_])|\s*[-~]\s*(?:\(|\Z)|\s*alkaen\b|'?\w{0,3}\s+(?:başlayan|itibaren)\b|\s*以上|\s*이상|\s*\bund\s+mehr\b|\bo\s+más\b|\bou\s+plus\b|\bou\s+mais\b|and\s+(?:up|above)\b|or\s+(?:more|above|higher)\b|and\s+more\b|plus\b(?!\s*\S)|"
    r"\(?\s*min(?:imum)?\b\.?\)?)",
    re.I,
)
_CAP_AFTER_RE = re.compile(
    # Japanese, Korean, Turkish ("60 bin TL'ye kadar") and Finnish ("5 000 € asti") caps come after
    r"\s*(?:以下|이하|まで|까지|'?\w{0,3}\s+kadar\b|asti\b|saakka\b|\(?\s*max(?:imum)?\b\.?\)?|or\s+(?:less|below|lower)\b)",
    re.I,
)
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
# Words that say a figure is pay, in the main languages.
_PAY_CONTEXT_RE = re.compile(
    r"\b(?:salary|salaries|pay|paid|wages?|rate|compensation|remuneration|earnings|income|ote|"
    r"gehalt|lohn|verg[üu]tung|stundensatz|salaire|r[ée]mun[ée]ration|tjm|sueldo|salario|sal[áa]rio|"
    r"remunera[çc][ãa]o|stipendio|retribuzione|ral|salaris|loon|wynagrodzenie|pensja|p[łl]aca|stawka|"
    r"mzda|plat|fizet[ée]s|b[ée]r|salariu|l[øöo]nn?|gaji|l[ưu][ơo]ng|зарплата|заработная|оклад|"
    r"зарплатня|base|basic|gross|net|brutto|netto|brut|bruto|lordo|ctc|package|doe|negotiable|depending|dependent|experience|tips|plus)\b"
    r"|薪|給|年収|월급|연봉|시급",
    re.I,
)
_HIGH_VALUE = frozenset("USD EUR GBP CHF CAD AUD NZD SGD".split())


# "kr" alone is Danish, Norwegian or Swedish: the language of the words around it decides.
_KRONE_LANGUAGE = (  # Norwegian's own words first: "måned" is Danish and Norwegian
    ("NOK", re.compile(r"\b(?:lønn|mellom|årslønn|månedslønn|timelønn)\b", re.I)),
    ("DKK", re.compile(r"\b(?:løn|lønnen|mellem|måned|måneden|timen|årsløn|månedsløn|timeløn)\b", re.I)),
    ("SEK", re.compile(r"\b(?:lön|lönen|mellan|månad|mån|månadslön|årslön|timme)\b", re.I)),
)


def _krone(s: str) -> str:
    for code, rx in _KRONE_LANGUAGE:
        if rx.search(s):
            return code
    return "SEK"


def _group_currency(s: str, g: _Group, groups: list[_Group]) -> str | None:
    code = _group_currency_any(s, g, groups)
    if code == "SEK" and not re.search(r"SEK|svenska|swedish", s, re.I):
        return _krone(s)
    return code


def _currency_marks(text: str) -> tuple[str | None, str | None]:
    """The first strong currency marker of ``text`` (an ISO code, an unambiguous symbol) and the
    first weak symbol before it ("$", "kr": a currency the context must decide)."""
    weak = None
    for m in _ANY_CUR_RE.finditer(text):
        code = _code(m.group("code"))
        if code:
            return code, weak
        sym = _symbol(m.group("sym"))
        if sym and sym[1]:
            return sym[0], weak
        if sym and weak is None:
            weak = sym[0]
    return None, weak


def _group_currency_any(s: str, g: _Group, groups: list[_Group]) -> str | None:
    toks = g.tokens
    if toks[0].strong:
        return toks[0].strong  # a mixed-currency range keeps the currency of the min
    for t in toks:
        if t.strong:
            return t.strong
    # a strong marker in the group's own context, e.g. "Salary (EUR): 50,000 - 60,000"
    for text in (g.left_cut, g.right_cut, g.left, g.right):
        strong, _ = _currency_marks(text)
        if strong:
            return strong
    weak = next((t.weak for t in toks if t.weak), None)
    if weak is None:
        # anywhere in the string: strong first, then weak ($ board prefix, kr)
        strong, weak = _currency_marks(s)
        if strong:
            return strong
    if weak is None:
        weak = currency_of_text(s)  # price-parser's own reading: "рублей", "Р" …
    if weak == "USD" and s.startswith("$") and s.count("$") == 1:
        # the board's "$" prefix: the employer's own symbol elsewhere decides
        for other in groups:
            for t in other.tokens:
                if t.strong:
                    return t.strong
    return weak


def _values(g: _Group) -> tuple[float | None, float | None] | None:
    toks = g.tokens
    mults = [t for t in toks if t.mult]
    amounts: list[float] = []
    for t in toks:
        if t.mult is None and mults and t.value < 1000:
            carrier = mults[-1] if t is toks[0] else mults[0]
            amounts.append(t.value * (carrier.mult or 1))
        else:
            amounts.append(t.amount)
    amounts = [round(a, 2) for a in amounts]
    if len(amounts) == 1:
        (v,) = amounts
        if _UPTO_RE.search(g.left_cut) or _CAP_AFTER_RE.match(g.right):
            return None, v
        if toks[0].plus or _FROM_RE.search(g.left_cut) or _OPEN_AFTER_RE.match(g.right):
            return v, None
        return v, v
    if len(amounts) == 2:
        low, high = min(amounts), max(amounts)
        if not mults and low < 1000 <= high / 2 <= low * 1000 <= high:
            low *= 1000  # "$125 - $140000": the low end written in thousands
        return low, high
    if all(a <= b for a, b in zip(amounts, amounts[1:], strict=False)):
        return amounts[0], amounts[-1]
    return amounts[0], amounts[1]


def _is_company_figure(g: _Group, currency: str | None) -> bool:
    for t in g.tokens:
        if t.mult_kind == "b":
            return True
        if t.mult_kind == "m" and (currency is None or currency not in _MILLIONS_OK):
            return True
        if t.mult is None and t.amount >= 10_000_000 and (currency is None or currency in _HIGH_VALUE):
            return True
    return False


def _choose(groups: list[_Group]) -> _Group:
    money = [g for g in groups if g.has_money]
    pool = money or groups
    chosen = pool[0]

    def label(g: _Group, rx: re.Pattern[str]) -> bool:
        return bool(rx.search(g.left_cut) or rx.search(g.right_cut))

    def side(g: _Group) -> str | None:
        """'full'/'part' from the nearest part-/full-time label before the figures, else after."""
        end = _LABEL_END_RE.search(g.right)
        for text in (g.left_cut, g.right[: end.start()] if end else g.right):
            fulls = [m.start() for m in _FULL_RE.finditer(text)]
            parts = [m.start() for m in _PART_RE.finditer(text)]
            if fulls or parts:
                return "full" if max(fulls, default=-1) > max(parts, default=-1) else "part"
        return None

    if side(chosen) == "part":
        full = next((g for g in pool if side(g) == "full"), None)
        if full is not None:
            chosen = full
    if label(chosen, _OTE_RE) and not label(chosen, _BASE_RE):
        base = next((g for g in pool if g is not chosen and label(g, _BASE_RE) and not label(g, _OTE_RE)), None)
        if base is not None:
            chosen = base
    return chosen
