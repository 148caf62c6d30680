"""Currency markers in salary strings: ISO codes, symbols, and the currencies quoted per month or in millions."""

from __future__ import annotations

import re

from aggregator.normalise.currency import currency_of_symbol, symbol_pattern

# --------------------------------------------------------------------------------------------
# Currencies
# --------------------------------------------------------------------------------------------

_ISO_CODES = frozenset(
    """USD CAD EUR GBP AUD NZD CHF SEK NOK DKK ISK PLN CZK HUF RON BGN HRK RSD UAH RUB BYN TRY
    AZN KZT ILS AED SAR QAR KWD BHD OMR JOD EGP MAD TND NGN KES GHS ZAR UGX TZS ETB INR PKR BDT
    LKR NPR CNY JPY KRW TWD HKD SGD MYR THB IDR PHP VND BRL MXN ARS CLP COP PEN UYU PYG CRC
    GTQ DOP""".split()
)
# Codes also accepted in lower case (the rest are English words or too rare: can, try, pen, …).
_LOWER_OK = frozenset("usd cad eur gbp aud nzd chf sek nok dkk pln czk huf ron inr brl mxn sgd myr zar".split())
_CODE_ALIASES = {"CAN": "CAD", "CDN": "CAD", "PLZ": "PLN", "RMB": "CNY", "NTD": "TWD", "EURO": "EUR", "EUROS": "EUR"}
# Currencies whose salaries are routinely quoted in millions (an ``M`` figure may be pay).
_MILLIONS_OK = frozenset(
    "JPY KRW IDR VND COP CLP HUF NGN PKR LKR ARS UGX TZS INR PHP RUB THB TWD CZK ISK KZT UAH TRY "
    "EGP BDT NPR CRC PYG SEK NOK DKK MXN BRL KES ZAR HKD CNY".split()
)
# Local pay quoted per month (spec rule 3 exception).
_MONTHLY_NORM = frozenset({"MYR", "SGD"})

# symbol → (currency, strong). A weak marker only decides when nothing stronger is present.
_SYMBOLS: dict[str, tuple[str, bool]] = {
    "US$": ("USD", True),
    "USD$": ("USD", True),
    "CA$": ("CAD", True),
    "CAD$": ("CAD", True),
    "CAN$": ("CAD", True),
    "C$": ("CAD", True),
    "AU$": ("AUD", True),
    "AUD$": ("AUD", True),
    "A$": ("AUD", True),
    "NZ$": ("NZD", True),
    "R$": ("BRL", True),
    "MX$": ("MXN", True),
    "SG$": ("SGD", True),
    "S$": ("SGD", True),
    "HK$": ("HKD", True),
    "$": ("USD", False),
    "€": ("EUR", True),
    "£": ("GBP", True),
    "₹": ("INR", True),
    "RS": ("INR", True),
    "¥": ("JPY", True),
    "₱": ("PHP", True),
    "₩": ("KRW", True),
    "₺": ("TRY", True),
    "₴": ("UAH", True),
    "₦": ("NGN", True),
    "₪": ("ILS", True),
    "₫": ("VND", True),
    "฿": ("THB", True),
    "ZŁ": ("PLN", True),
    "ZL": ("PLN", True),
    "RM": ("MYR", True),
    "KR": ("SEK", False),  # kr takes the code written next to it; SEK only as a last resort
    "DOLLAR": ("USD", False),
    "DOLLARS": ("USD", False),
}

_PREFIX_SYM = (
    r"US\$|USD\$|CA\$|CAD\$|CAN\$|C\$|AU\$|AUD\$|A\$|NZ\$|R\$|MX\$|SG\$|S\$|HK\$|\$|€|£|₹|¥|₱|₩|₺|₴|₦|₪|₫|฿"
    r"|(?<![A-Za-z])(?:RM|Rs\.?|zł|kr\.?|Kr\.?)"
    rf"|{symbol_pattern()}"  # the world's symbols and abbreviations (Kč, Ft, lei, руб, ₩, 円 …)
)
_PREFIX_RE = re.compile(rf"(?:(?<![A-Za-z])(?P<code>[A-Za-z]{{3}}|[Ee]uros?|EUROS?)\s*)?(?P<sym>{_PREFIX_SYM})?\s*\Z")
_SUFFIX_SYM_RE = re.compile(
    rf"\s?(?P<sym>€|£|zł|zl(?![A-Za-z])|kr\.?(?![A-Za-z])|Kr\.?(?![A-Za-z])|₹|\$|{symbol_pattern()})"
)
_SUFFIX_WORD_RE = re.compile(
    r"\s?(?P<word>(?:US\s+|Canadian\s+|Australian\s+)?dollars?|[A-Za-z]{3}|[Ee]uros?|EUROS?)(?![A-Za-z])"
)
# Any currency marker, for the context and whole-string fallbacks.
_ANY_CUR_RE = re.compile(rf"(?<![A-Za-z])(?P<code>[A-Z]{{3}}|[Ee]uros?)(?![A-Za-z])|(?P<sym>{_PREFIX_SYM}|zł)")


def _code(word: str | None) -> str | None:
    """ISO code for a code-like word next to an amount, or None."""
    if not word:
        return None
    if word == "CAN":
        return "CAD"
    up = word.upper()
    if up in _CODE_ALIASES and up != "CAN":
        return _CODE_ALIASES[up]
    if up in _ISO_CODES and (word.isupper() or word.lower() in _LOWER_OK):
        return up
    return None


def _symbol(sym: str | None) -> tuple[str, bool] | None:
    if not sym:
        return None
    key = sym.rstrip(".").upper()
    found = _SYMBOLS.get(key)
    if found is None:
        code = currency_of_symbol(sym)
        found = (code, True) if code else None
    return found
