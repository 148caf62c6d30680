"""Currency symbols and abbreviations of the world → ISO 4217 codes, from the libraries' data.

The table comes from price-parser (the symbols, national symbols and local abbreviations it
knows: ``Kč``, ``Ft``, ``lei``, ``лв``, ``руб``, ``Rp``, ``₩``, ``円``, ``đ``, ``Fr.`` …) and
pycountry (which codes are current ISO 4217 currencies: historic ones such as ``DM`` or ``Pta``
are dropped). A symbol shared by several current currencies (``$``, ``kr``, ``£``) is left to the
salary rules, which decide it from context. Only what neither library has is written here.
``currency_of_text`` asks price-parser itself for the currency of a whole string.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry
from price_parser import Price
from price_parser import _currencies as price_currencies  # price-parser's currency table

__all__ = ["currency_of_symbol", "currency_of_text", "symbol_pattern", "symbol_table"]

# What the libraries lack or leave ambiguous, decided for job ads.
_OWN_SYMBOLS = {
    "CDN$": "CAD",
    "лв": "BGN",
    "лв.": "BGN",
    "грн": "UAH",
    "грн.": "UAH",
    "₽": "RUB",
    "р.": "RUB",
    "₩": "KRW",
    "원": "KRW",
    "₱": "PHP",
    "CN¥": "CNY",
    "NT$": "TWD",
    "元": "CNY",
    "￥": "JPY",
    "円": "JPY",
    "€": "EUR",
    # single-country signs price-parser does not list (Kenyan shilling, tenge, lari, manat)
    "KSh": "KES",
    "₸": "KZT",
    "₾": "GEL",
    "₼": "AZN",
    # currency names written in their own scripts and spellings
    "บาท": "THB",
    "درهم إماراتي": "AED",
    "ريال سعودي": "SAR",
    "ريال قطري": "QAR",
    "دينار كويتي": "KWD",
    "جنيه مصري": "EGP",
    "VNĐ": "VND",
}
# Alphabetic symbols that are also words or units in job ads ("Le", "km", "Sr.", "man", "yr").
_WORDLIKE = frozenset(
    "le km man man. pt fl. fl sr lt lt. yr ls lm dm cf fc uf t$ sk mk. rf pts pta ptas d g p q r t".split()
)


@functools.cache
def symbol_table() -> dict[str, str]:
    """symbol → ISO code for every unambiguous symbol of a current currency."""
    current = {c.alpha_3 for c in pycountry.currencies}
    found: dict[str, set[str]] = {}
    for code, data in price_currencies.CURRENCIES.items():
        if code not in current:
            continue
        for symbol in (data.get("s"), data.get("sn"), *data.get("sn2", ())):
            if symbol and symbol != code and symbol.casefold() not in _WORDLIKE:
                found.setdefault(symbol.replace("\u200f", "").strip(), set()).add(code)
    table = {symbol: codes.pop() for symbol, codes in found.items() if len(codes) == 1 and symbol}
    table.update(_OWN_SYMBOLS)
    # "руб." and "руб", "лв." and "лв": the abbreviation dot is optional
    for symbol, code in list(table.items()):
        if symbol.endswith(".") and len(symbol) > 2:
            table.setdefault(symbol[:-1], code)
    return table


def currency_of_symbol(symbol: str | None) -> str | None:
    if not symbol:
        return None
    table = symbol_table()
    return table.get(symbol) or table.get(symbol.rstrip(".")) or table.get(symbol + ".")


def _alphabetic(char: str) -> bool:
    """A letter of a script that separates words with spaces (not 円 or 원, written glued to numbers)."""
    return char.isalpha() and not unicodedata.name(char, "").startswith(("CJK", "HANGUL"))


@functools.cache
def symbol_pattern() -> str:
    """Regex alternation of the table's symbols, longest first; letters only as whole words."""
    parts = []
    for symbol in sorted(symbol_table(), key=len, reverse=True):
        if len(symbol) < 2 and symbol.isascii() and symbol.isalpha():
            continue  # "R", "Q", "K": letters, not currencies, in running text
        escaped = re.escape(symbol)
        if _alphabetic(symbol[:1]):
            escaped = r"(?<![^\W\d_])" + escaped
        if _alphabetic(symbol[-1:]):
            escaped += r"(?![^\W\d_])"
        parts.append(escaped)
    return "|".join(parts)


@functools.cache
def _current_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def currency_of_text(text: str) -> str | None:
    """The currency price-parser finds in ``text`` (it also knows word forms such as ``рублей``),
    as an ISO code; None when it finds none or only an ambiguous sign (``$``, ``kr``)."""
    found = Price.fromstring(text).currency
    if not found:
        return None
    if found.isupper() and found in _current_codes():
        return found
    return currency_of_symbol(found)
