"""Amount tokens and groups: a salary string cut into figures, currency markers and range words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aggregator.normalise.salary.amounts import (
    _LEVEL_WORD_RE,
    _MULT_RE,
    _MULT_VALUE,
    _NUM_RE,
    _UNIT_AFTER_RE,
    _parse_number,
)
from aggregator.normalise.salary.currencies import (
    _PREFIX_RE,
    _PREFIX_SYM,
    _SUFFIX_SYM_RE,
    _SUFFIX_WORD_RE,
    _code,
    _symbol,
)
from aggregator.normalise.salary.periods import _strip_periods

# --------------------------------------------------------------------------------------------
# Amount tokens and groups
# --------------------------------------------------------------------------------------------


@dataclass
class _Token:
    start: int  # span start, including a currency prefix
    end: int  # span end, including multiplier, '+', currency suffix
    num_start: int
    value: float  # before applying a multiplier
    mult: float | None
    mult_kind: str | None
    plus: bool
    strong: str | None  # currency from a strong marker (code or unambiguous symbol)
    weak: str | None  # currency from a weak marker ($, kr)
    lpa: bool = False

    @property
    def amount(self) -> float:
        return self.value * (self.mult or 1)


_GLUED_PERIOD_RE = re.compile(r"(?:pa|p\.a\.?|ph|pd|pw|pcm)(?![^\W\d_])", re.I)
_PLUS_RE = re.compile(r"\+(?!\s*(?:[$€£]|[A-Z]{3})?\s*\d)")
_LETTER_RE = re.compile(r"[A-Za-z]")
_PERCENT_RE = re.compile(r"\s?%")
_BETWEEN_RE = re.compile(
    r"\b(?:between|zwischen|entre|tra|fra|tussen|mellem|mellan|mellom|między|mezi|medzi|între|között|между|між)"
    r"(?:\s+(?:the|de|le|la|el|o|a|de\s+la))?\s*\Z",
    re.I,
)


def _glued_script(char: str) -> bool:
    """A letter of a script written without spaces, glued to figures as words are (時給1,500円)."""
    return unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))


def _tokens(s: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _NUM_RE.finditer(s):
        ns, ne = m.start(), m.end()
        before = s[max(0, ns - 40) : ns]  # windows keep long inputs linear
        after = s[ne : ne + 40]
        # ratios, dates, times: 70/30, 12/2024, 9:00
        if re.match(r"[/:]\d", after) or re.search(r"\d[/:]\Z", before):
            continue
        # ordinals: 13th, 2nd
        if re.match(r"(?:st|nd|rd|th)(?![A-Za-z])", after, re.I):
            continue
        # retirement plans: 401k, 401(k), 403(b)
        if m.group(0) in ("401", "403", "457") and re.match(r"\s?\(?[kKbB]\)?", after):
            continue
        value = _parse_number(m)
        pos = ne
        mult = mult_kind = None
        mm = _MULT_RE.match(s, pos)
        if mm:
            mult_kind = mm.lastgroup
            mult = _MULT_VALUE[mult_kind or "k"]
            pos = mm.end()
        plus = False
        pm = _PLUS_RE.match(s, pos)
        if pm:
            plus = True
            pos = pm.end()
        # currency prefix
        strong = weak = None
        start = ns
        pre = _PREFIX_RE.search(s, max(0, ns - 40), ns)
        if pre and (pre.group("code") or pre.group("sym")):
            code = _code(pre.group("code"))
            sym = _symbol(pre.group("sym"))
            if code:
                strong = code
                start = pre.start()
            if sym:
                if sym[1]:
                    strong = strong or sym[0]
                else:
                    weak = sym[0]
                start = pre.start("sym") if not code else pre.start()
        # currency suffix (after multiplier/plus)
        sm = _SUFFIX_SYM_RE.match(s, pos)
        if sm:
            sym = _symbol(sm.group("sym"))
            if sym:
                if sym[1]:
                    strong = strong or sym[0]
                else:
                    weak = weak or sym[0]
                pos = sm.end()
        wm = _SUFFIX_WORD_RE.match(s, pos)
        if wm:
            word = wm.group("word")
            code = _code(word)
            if not code and re.fullmatch(r"(?:Canadian\s+)dollars?", word, re.I):
                code = "CAD"
            elif not code and re.fullmatch(r"(?:Australian\s+)dollars?", word, re.I):
                code = "AUD"
            elif not code and re.fullmatch(r"US\s+dollars?", word, re.I):
                code = "USD"
            if code:
                strong = strong or code
                pos = wm.end()
            elif re.fullmatch(r"dollars?", word, re.I):
                weak = weak or "USD"
                pos = wm.end()
        has_cur = bool(strong or weak)
        # a letter glued to the number that is not a currency marker: B2B, Q4, H1B
        if before[-1:].isalpha() and not _glued_script(before[-1]):
            glued_ok = pre is not None and (
                (pre.group("sym") and pre.end("sym") == ns)
                or (pre.group("code") and _code(pre.group("code")) and pre.end("code") == ns)
            )
            if not glued_ok:
                continue
        # a letter glued to the figure (B2B, Q4) is no amount; after a symbol it is the next word ("600€HT")
        if _LETTER_RE.match(s, pos) and not mm and not sm and not _GLUED_PERIOD_RE.match(s, pos):
            continue
        if not has_cur and not mult:
            if _LEVEL_WORD_RE.search(before) or _UNIT_AFTER_RE.match(after):
                continue
        if _PERCENT_RE.match(s, pos):
            continue
        out.append(
            _Token(
                start=start,
                end=pos,
                num_start=ns,
                value=value,
                mult=mult,
                mult_kind=mult_kind,
                plus=plus,
                strong=strong,
                weak=weak,
                lpa=mult_kind == "lpa",
            )
        )
    return out


_GAP_CUR_RE = re.compile(rf"(?<![A-Za-z])(?:[A-Za-z]{{3}}|[Ee]uros?)(?![A-Za-z])|{_PREFIX_SYM}|zł")
_GAP_FILLER_RE = re.compile(r"\b(?:gross|net|brutto|netto|min(?:imum)?|mid(?:point)?|max(?:imum)?)\b|[\s:.,]", re.I)
# Range words: "X to Y" in the main languages (von X bis Y, de X à Y, od X do Y, от X до Y …).
_CONNECTORS = {
    "-", "~", "to", "-to", "to-", "upto", "-upto", "till", "until", "bis", "do", "a", "à", "al", "ate", "até",
    "tot", "til", "до", "по", "-до", "〜", "～", "iki", "līdz", "kuni", "að", "allt að", "đến",
}  # fmt: skip
# "X and Y" is a range only after a "between" word: zwischen X und Y, entre X et/y/e Y, tussen X en Y …
_AND_WORDS = {"and", "&", "-and", "und", "et", "y", "e", "en", "og", "och", "i", "a", "és", "și", "и", "та"}


def _connected(s: str, a: _Token, b: _Token, chain_start: _Token) -> bool:
    if b.start < a.end:
        return False
    gap = _strip_periods(s[a.end : b.start])
    if re.search(r"[()\[\];|/+,]", gap):
        return False
    gap = _GAP_CUR_RE.sub(lambda m: "" if _code(m.group(0)) or _symbol(m.group(0)) else m.group(0), gap)
    gap = _GAP_FILLER_RE.sub("", gap).lower()
    gap = re.sub(r"-+", "-", gap).replace("~-", "~").replace("-~", "~")
    if gap in _CONNECTORS:
        return True
    if gap in _AND_WORDS:
        return bool(_BETWEEN_RE.search(s[max(0, chain_start.start - 20) : chain_start.start]))
    return False


_CUT_RE = re.compile(
    r"[()\[\];|,]|\s(?:or|and|plus|OR|AND)\s|\+|\s/\s(?!\s*(?:hrs?|hours?|h|yrs?|years?|annum|months?|mo|weeks?|wk|days?)\b)"
)


@dataclass
class _Group:
    tokens: list[_Token]
    start: int
    end: int
    left: str = ""  # text since the previous group
    right: str = ""  # text up to the next group
    left_cut: str = ""  # left context after the last separator
    right_cut: str = ""  # right context before the first separator

    @property
    def has_money(self) -> bool:
        return any(t.strong or t.weak or t.mult for t in self.tokens)

    @property
    def region(self) -> tuple[int, int]:
        return self.start - len(self.left_cut), self.end + len(self.right_cut)


def _groups(s: str, toks: list[_Token]) -> list[_Group]:
    chains: list[list[_Token]] = []
    for t in toks:
        if chains and _connected(s, chains[-1][-1], t, chains[-1][0]):
            chains[-1].append(t)
        else:
            chains.append([t])
    groups = [_Group(c, c[0].start, c[-1].end) for c in chains]
    for i, g in enumerate(groups):
        lo = groups[i - 1].end if i else 0
        hi = groups[i + 1].start if i + 1 < len(groups) else len(s)
        g.left = s[lo : g.start] if lo <= g.start else ""
        g.right = s[g.end : hi] if g.end <= hi else ""
        cuts = list(_CUT_RE.finditer(g.left))
        g.left_cut = g.left[cuts[-1].end() :] if cuts else g.left
        cut = _CUT_RE.search(g.right)
        g.right_cut = g.right[: cut.start()] if cut else g.right
    return groups
