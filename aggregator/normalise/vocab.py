"""The one vocabulary per concept that every board's normaliser reads.

Employment types, seniority words, workplace words (remote / hybrid / on-site) and the
placeholders boards print instead of a company name, in English and the main European languages
(German, French, Spanish, Portuguese, Italian, Dutch, Polish, the Nordic languages), plus the
enum spellings of schema.org and the ATS APIs. Everything is matched on :func:`fold`-ed text
(lower case, accents stripped, ``ł`` → ``l`` …), so a word is listed once without its accents:
``télétravail`` is ``teletravail``, ``Geschäftsführer`` is ``geschaftsfuhrer``.

The modules that decide (``employment``, ``location``, ``text``, ``company``) import their words
from here; none keeps a list of its own.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = [
    "COMPANY_PLACEHOLDERS",
    "LETTER_TABLE",
    "EMPLOYMENT_ENUMS",
    "EMPLOYMENT_STRUCTURED_ONLY",
    "EMPLOYMENT_WORDS",
    "Grade",
    "LEVEL_GRADES",
    "SENIORITY_WORDS",
    "level_spellings",
    "level_word_grades",
    "WORKPLACE_TOKENS",
    "WORKPLACE_WORDS",
    "fold",
    "strip_accents",
    "is_company_placeholder",
    "phrase_pattern",
    "workplace_from_words",
]

# Letters NFKD does not decompose into a base letter and an accent, and the typographic quotes
# and dashes that stand for ASCII ones.
LETTER_TABLE = str.maketrans(
    {
        **{"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D"},
        **{"ð": "d", "Ð": "D", "ı": "i", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "’": "'", "‘": "'"},
        **{"–": "-", "—": "-", "‐": "-", "‑": "-", "＆": "&", "／": "/"},
    }
)


class _StrippedChars(dict):
    """code point → that character without accents, filled as characters are met: stripping is
    character by character (NFKD only reorders the combining marks it then drops), so one
    ``str.translate`` over this table strips a whole text."""

    def __missing__(self, code: int) -> str:
        text = unicodedata.normalize("NFKD", chr(code).translate(LETTER_TABLE))
        stripped = self[code] = "".join(ch for ch in text if not unicodedata.combining(ch))
        return stripped


_STRIPPED = _StrippedChars({code: code for code in range(128)})


def strip_accents(text: str) -> str:
    """The text without accents (``Zürich`` → ``Zurich``, ``Łódź`` → ``Lodz``), case kept: the one
    folding of the normalisers and of dedup (``fold`` is this in lower case)."""
    if text.isascii():
        return text
    return text.translate(_STRIPPED)


def fold(text: str) -> str:
    """Lower case without accents: the form every word list below is written in."""
    return strip_accents(text).casefold()


_GLUED_SCRIPTS = ("CJK", "HANGUL", "HIRAGANA", "KATAKANA", "THAI")


def _glued(fragment: str) -> bool:
    """Written in a script without spaces between words (全职, 재택, リモート): no word boundaries."""
    return any(unicodedata.name(ch, "").startswith(_GLUED_SCRIPTS) for ch in fragment)


def phrase_pattern(phrases: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    """Alternation of regex fragments for folded text, longest first: whole words, except in
    scripts written without spaces. Non-ASCII fragments are folded like the text they meet."""
    bounded: list[str] = []
    glued: list[str] = []
    for phrase in phrases:
        phrase = phrase if phrase.isascii() else fold(phrase)
        (glued if _glued(phrase) else bounded).append(phrase)
    parts = []
    if bounded:
        parts.append(r"(?<![\w])(?:" + "|".join(sorted(bounded, key=len, reverse=True)) + r")(?![\w])")
    if glued:
        parts.append("(?:" + "|".join(sorted(glued, key=len, reverse=True)) + ")")
    return re.compile("|".join(parts))


# --- employment type -------------------------------------------------------------------------

# Enum spellings of structured fields, compared with spaces, "_" and "-" removed: schema.org
# (FULL_TIME … PER_DIEM), ATS APIs (Workday, Personio, Recruitee, SmartRecruiters, Greenhouse,
# Lever, Ashby, Teamtailor, BambooHR) and job-board APIs (JobSpy, Remotive, Himalayas …).
EMPLOYMENT_ENUMS: dict[str, str | None] = {
    **dict.fromkeys(
        "fulltime fulltimepermanent permanentfulltime salariedft hourlyft ft regular regularfulltime "
        "permanent fulltimeemployee employee salaried".split(),
        "full_time",
    ),
    **dict.fromkeys(
        "parttime parttimepermanent permanentparttime salariedpt hourlypt pt regularparttime".split(),
        "part_time",
    ),
    **dict.fromkeys(
        "contract contractor contracttohire temptohire temptoperm contracttoperm freelance freelancer "
        "selfemployed independentcontractor c2c corptocorp 1099 w2contract".split(),
        "contract",
    ),
    **dict.fromkeys(
        "temporary temp seasonal perdiem casual fixedterm fixedtermcontract limitedterm interim".split(),
        "temporary",
    ),
    **dict.fromkeys(
        "intern internship trainee traineeship apprentice apprenticeship workingstudent student "
        "werkstudent graduateprogramme graduateprogram".split(),
        "internship",
    ),
    # the two-letter codes of profile-style enums (ft/pt above): freelance, self-employed,
    # seasonal, apprenticeship
    **dict.fromkeys("fl se".split(), "contract"),
    "sl": "temporary",
    "ap": "internship",
    **dict.fromkeys("other volunteer unknown none na notspecified".split(), None),
}

# Words in free text, ordered by precedence: the most specific type wins ("Part-time Internship"
# is an internship, "(Full-Time Contractor)" a contract). Regex fragments over folded text.
EMPLOYMENT_WORDS: dict[str, tuple[str, ...]] = {
    "internship": (
        r"interns?", r"internships?", r"trainee(?:ship)?s?", r"apprentice(?:ship)?s?",
        r"working\s+students?", r"student\s+workers?", r"summer\s+students?",
        r"werkstudent(?:in|en)?", r"praktikum", r"praktikant(?:in|en)?", r"ausbildung", r"azubi",
        r"auszubildende[rn]?", r"pflichtpraktikum", r"dual(?:es)?\s+stud(?:ium|ies|y)",
        r"stagiaires?", r"stage\s+de\s+fin", r"alternance", r"alternant(?:e|s)?", r"apprentissage",
        r"practicas", r"becari[oa]s?", r"pasant(?:e|ia)s?",
        r"estagi(?:o|ari[oa]s?)", r"jovem\s+aprendiz",
        r"tirocini(?:o|ante)", r"stagista", r"stagiair", r"afstudeerstage",
        r"stazysta", r"staz", r"praktyk[ai]", r"praktik", r"harjoittelija", r"co-?op(?:\s+students?)?",
        # Romanian, Czech, Hungarian, Turkish, Greek, Finnish, Russian, Ukrainian, Indonesian, Vietnamese, CJK
        r"stagiu", r"stagiar", r"staz(?:ista|istka)?", r"gyakornok(?:i)?", r"stajyer", r"staj",
        r"πρακτικη\s+ασκηση", r"\w*harjoittelu\w*", r"praksa", r"stazuote", r"prakse",
        r"стажировка", r"стажер", r"стажування", r"стажист",
        r"magang", r"thuc\s+tap(?:\s+sinh)?", "实习", "實習", "インターン", "インターンシップ", "인턴",
    ),
    "temporary": (
        r"temporary", r"temp(?!\s*-?\s*to\s*-?\s*(?:perm|hire))", r"seasonal", r"fixed[\s-]+term",
        r"maternity\s+cover", r"parental\s+leave\s+cover", r"locum", r"per[\s_-]+diem", r"interim",
        r"befristet(?:e|er|en)?", r"saisonal", r"aushilfe",
        r"cdd", r"interimaire", r"saisonnier(?:e)?", r"duree\s+determinee",
        r"temporal", r"temporario", r"tempo\s+determinato", r"a\s+termine",
        r"tijdelijk(?:e)?", r"czas\s+okreslony", r"vikariat", r"vikar",
        r"zeitarbeit", r"leiharbeit", r"arbeitnehmeruberlassung", r"ferienjob", r"sommarjobb", r"sommerjobb",
        r"summer\s+job", r"obra\s+(?:y\s+servicio|determinada)", r"visstid\w*", r"tidsbegraenset",
        r"tidsbegransad\w*", r"midlertidig\w*", r"maaraaikainen", r"gecici",
        r"hatarozott\s+ideju", r"na\s+dobu\s+urcitou", r"perioada\s+determinata", r"προσωρινη",
        # Portuguese (Portugal), Polish, Czech/Slovak, South Slavic
        r"contrato\s+a\s+termo", r"a\s+termo\s+certo", r"sezonow[aey]", r"sezonni", r"sezonsk[iao]",
        r"na\s+odredeno(?:\s+vri?jeme)?", r"na\s+dolocen\s+cas",
        r"временн(?:ая|ую|ое)", r"тимчасова", "派遣", "临时", "臨時", "임시직",
    ),
    "contract": (
        r"contractors?",
        r"contract(?:ing)?(?!s)(?!\s+(?:manager|management|administrator|admin|specialist|analyst|negotiator|"
        r"lawyer|attorney|counsel|officer|coordinator|associate|review(?:er)?|lifecycle|law|compliance)\b)",
        r"freelancers?", r"freelance", r"free-lance", r"1099", r"c2c", r"corp[\s-]+to[\s-]+corp",
        r"temp[\s-]+to[\s-]+(?:perm|hire)", r"contract[\s-]+to[\s-]+(?:hire|perm)", r"self[\s-]+employed",
        r"independent\s+contractor",
        r"freiberuflich(?:e|er)?", r"freie\s+mitarbeit", r"freier\s+mitarbeiter", r"auftragnehmer",
        r"honorarbasis",
        r"prestataire", r"independant(?:e)?", r"auto-?entrepreneur",
        r"autonomo", r"contratista", r"pessoa\s+juridica", r"partita\s+iva", r"zzp(?:'?er)?",
        r"umowa\s+(?:zlecenie|o\s+dzielo)", r"kontrakt", r"kontrak", r"sozlesmeli", r"pfa",
        r"na\s+ico", r"zlecenie", r"ugovor\s+o\s+djelu",
        r"фриланс", r"договор\s+гпх", "契約社員", "业务外包", "계약직", "프리랜서", "フリーランス",
    ),
    "part_time": (
        r"part[\s_-]?time", r"teilzeit", r"minijob", r"halbtags", r"nebenjob", r"nebentatigkeit", r"side\s+job",
        r"mi-temps", r"temps\s+partiel",
        r"medio\s+tiempo", r"tiempo\s+parcial", r"media\s+jornada", r"jornada\s+parcial",
        r"tempo\s+parcial", r"meio\s+periodo", r"meio\s+expediente", r"tempo\s+parziale", r"part\s+time",
        r"deeltijd(?:s)?", r"czesc\s+etatu", r"niepelny\s+etat", r"pol\s+etatu", r"deltid", r"osa-?aikainen",
        r"norma\s+partiala", r"castecny\s+uvazek", r"reszmunkaido(?:s)?", r"yari\s+zamanli",
        r"μερικη\s+απασχοληση", r"частичная\s+занятость", r"часткова\s+зайнятість", r"paruh\s+waktu",
        r"zkraceny\s+uvazek", r"puse\s+etato", r"nepilna\s+slodze", r"osaline\s+tooaeg",
        r"nepuno\s+radno\s+vri?jeme", r"skraceno\s+radno\s+vri?jeme", r"krajsi\s+delovni\s+cas",
        r"ban\s+thoi\s+gian", "兼职", "兼職", "パートタイム", "パート", "アルバイト", "파트타임", "아르바이트",
        r"دوام\s+جزئي",
    ),
    "full_time": (
        r"full[\s_-]?time", r"permanent", r"vollzeit", r"festanstellung", r"unbefristet(?:e|er)?",
        r"temps\s+plein", r"temps\s+complet", r"cdi", r"tiempo\s+completo", r"jornada\s+completa",
        r"indefinido", r"tempo\s+integral", r"tempo\s+pieno", r"tempo\s+indeterminato", r"voltijd",
        r"vaste\s+aanstelling", r"pelny\s+etat", r"pelen\s+etat", r"umowa\s+o\s+prace", r"heltid", r"fuldtid",
        r"vakituinen", r"kokoaikainen", r"salaried", r"regular\s+employee", r"clt",
        r"voltijds", r"periodo\s+integral", r"duree\s+indeterminee",
        r"vast(?:e)?\s+(?:dienstverband|baan|contract)", r"tillsvidare\w*", r"fastansaettelse", r"fast\s+stilling",
        r"fast\s+(?:anstallning|ansaettelse|ansettelse)",
        r"kokopaivatyo", r"(?:cu\s+)?norma\s+intreaga", "งานประจำ",
        r"plny\s+uvazek", r"teljes\s+munkaido(?:s)?", r"tam\s+zamanli",
        r"πληρης\s+απασχοληση", r"полная\s+занятость", r"повна\s+зайнятість", r"penuh\s+waktu",
        # Lithuanian, Latvian, Estonian, South Slavic, Slovak, Portuguese (Portugal)
        r"pilnas\s+etatas", r"pilna\s+slodze", r"taiskoormusega", r"puno\s+radno\s+vri?jeme",
        r"polni\s+delovni\s+cas", r"plny\s+pracovny\s+cas", r"tempo\s+inteiro",
        r"toan\s+thoi\s+gian", "全职", "全職", "正社員", "フルタイム", "정규직", "풀타임", r"دوام\s+كامل",
    ),
}  # fmt: skip

# Only in structured employment-type fields: in a title these are other things ("B2B Sales
# Manager" is a market, "Early-stage" no internship, "PJ" and "FT" initials).
EMPLOYMENT_STRUCTURED_ONLY: dict[str, tuple[str, ...]] = {
    "internship": (r"stage", r"student", r"ojt", r"on\s+the\s+job\s+training"),
    "part_time": (r"pt", r"part", r"side"),
    "temporary": (r"casual",),
    "contract": (r"b2b", r"pj"),
    "full_time": (r"uop", r"ft", r"full", r"regular", r"employee", r"100\s?%"),
}


# --- seniority -------------------------------------------------------------------------------


class Grade(NamedTuple):
    """A level of titles: its seniority and the words that state it (patterns over folded text)."""

    seniority: str | None  # the coarser field the normaliser stores (None: names no one level)
    # The grade's own word written other ways ("sr", "snr" for senior; "vice president" for vp):
    # dedup compares them as one word, the grade's name without its hyphen.
    spellings: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # the other words that state it: plurals, translations, kin titles

    @property
    def patterns(self) -> tuple[str, ...]:
        return self.spellings + self.words


# The level words of titles, by grade. The grade is as fine as dedup compares levels (its spec
# rule 2: Senior ≠ Staff, Director ≠ VP); the seniority is the coarser field the normaliser
# stores. Ordered by precedence: the first seniority whose words match a title wins, so a
# seniority's grades stay together. Dedup reads the single words and literal phrases of these
# patterns (``level_word_grades``, ``level_spellings``); the normaliser reads ``SENIORITY_WORDS``.
LEVEL_GRADES: dict[str, Grade] = {
    "intern": Grade("intern", words=(
        r"interns?", r"internships?", r"trainee", r"apprentice(?:ship)?", r"apprentie?", r"working\s+student",
        r"werkstudent(?:in)?", r"praktikant(?:in)?", r"praktikum", r"azubi", r"auszubildende[rn]?",
        r"stagiaire", r"alternance", r"alternant(?:e)?", r"stagiair", r"stagista", r"becari[oa]",
        r"pasante", r"estagi(?:o|ari[oa])", r"stazysta", r"harjoittelija", r"co-?op",
        r"stagiar", r"gyakornok", r"stajyer", r"стажер", r"стажист", r"magang", r"thuc\s+tap\s+sinh",
        "实习", "實習", "インターン", "인턴",
    )),
    "director": Grade("director", words=(
        r"directors?",
        r"directeur", r"directrice", r"directora", r"diretor(?:a)?", r"direttore", r"direttrice",
        r"dyrektor", r"direktor(?:in)?", r"leiter(?:in)?", r"abteilungsleiter(?:in)?",
        r"bereichsleiter(?:in)?", r"geschaftsfuhrer(?:in)?", r"hoofd",
        r"direktor(?:u)?", r"директор", r"руководитель\s+(?:отдела|направления|департамента)", "总监", "總監",
        "部長", "本部長", "이사", "본부장",
    )),
    "head": Grade("director", words=(r"head\s+of",)),
    "vp": Grade(
        "director", spellings=(r"vp", r"vice[\s-]+president"), words=(r"svp", r"evp", r"avp", r"president")
    ),
    "chief": Grade("director", words=(r"chief\s+(?:\w+\s+){0,2}officer", r"c[etfoi]o", r"ciso", r"cpo", r"cmo")),
    "manager": Grade("manager", words=(
        r"managers?", r"mgr", r"gerente", r"responsable", r"responsabile", r"kierownik", r"mudur(?:u)?",
        r"jef[ea](?!\s+de\s+equipo)", r"chefe(?!\s+de\s+equipe)",
        r"yonetici(?:si)?", r"руководитель", r"керівник", r"menedzser", r"vedouci", r"paallikko",
        "经理", "經理", "課長", "マネージャー", "매니저",
    )),
    "distinguished": Grade("principal", words=(r"distinguished", r"fellow")),
    "principal": Grade("principal", words=(r"principal", r"principle")),
    "senior-staff": Grade("staff", spellings=(r"(?:senior|sr)\s+staff", r"seniorstaff")),
    "staff": Grade("staff", words=(r"staff(?!\s+(?:accountant|nurse|writer|augmentation))",)),
    "lead": Grade("lead", words=(
        r"(?:lead|leader|tech\s*lead|team\s*lead|technical\s+lead|leads)"
        r"(?!\s+(?:generation|gen|qualification|nurturing|management|capture)\b)",
        r"leitend(?:e|er|en)?", r"teamleiter(?:in)?", r"teamleitung", r"gruppenleiter(?:in)?",
        r"teamleider", r"lider(?:\s+zespolu)?", r"chef\s+d['\s]?\s*equipe", r"jefe\s+de\s+equipo",
        r"ведущий", r"ведущая", r"провідний", r"vezeto", r"voditelj(?:ica)?\s+tima", r"vodja\s+ekipe",
        r"komandos\s+vadov(?:as|e)", r"tiiminvetaja", r"tiimijuht",
        r"vedouci\s+tymu", r"takim\s+lideri", "主管", "팀장",
        "リーダー", "リード",
    )),
    "senior": Grade("senior", spellings=(r"(?<!semi )(?<!semi-)senior", r"snr", r"sr\.?"), words=(
        r"seniors", r"starsz[yae]", r"erfahren(?:e|er|en)?", r"ervaren",
        r"esperto", r"experto", r"experiente", r"experimentado",
        r"kidemli", r"ανωτερ(?:ος|η)", r"vyresnysis", r"vyresnioji", r"vecakais", r"stariji", r"starija",
        r"старший", r"старшая", r"vanhempi", "高级", "高級", "资深", "資深", "シニア", "시니어",
    )),
    "mid": Grade("mid", spellings=(
        r"mid", r"mid[\s-]+level", r"middle", r"intermediate", r"intermediaire", r"medior",
    ), words=(
        r"mid[\s-]+senior", r"pleno", r"semi[\s-]+senior", r"ssr", r"regular", r"intermedio", r"confirme(?:e)?",
        "中级", "中級",
    )),
    "junior": Grade("junior", spellings=(r"junior", r"jr\.?", r"entry[\s-]+level"), words=(
        r"jnr", r"graduate", r"grad", r"new\s+grad",
        r"beginner", r"berufseinsteiger(?:in)?", r"einsteiger(?:in)?",
        r"absolvent(?:in)?", r"debutant(?:e)?", r"jeune\s+diplome(?:e)?", r"principiante",
        r"recem[\s-]+formad[oa]", r"mlodsz[yae]",
        r"mladi", r"mlada", r"mladsi", r"jaunesnysis", r"jaunakais", r"nuorempi",
        r"младший", r"младшая", r"молодший", r"начинающий", "初级", "初級", "ジュニア", "新卒", "주니어", "신입",
    )),
    "associate": Grade("junior", words=(r"associate(?=\s+\w)",)),
    "all-levels": Grade(None, spellings=(r"all\s+levels", r"alllevels")),
}  # fmt: skip

# seniority → its patterns, in precedence order: what the normaliser matches titles with.
SENIORITY_WORDS: dict[str, tuple[str, ...]] = {}
for _grade in LEVEL_GRADES.values():
    if _grade.seniority is not None:
        SENIORITY_WORDS[_grade.seniority] = SENIORITY_WORDS.get(_grade.seniority, ()) + _grade.patterns


class _OpenEnded(Exception):
    """A part of a pattern that matches open-ended text (``\\w``, ``.``, ``{0,2}``, a range)."""


def _literal_forms(pattern: str) -> set[str] | None:
    """Every text a pattern matches when it matches only finitely many (``interns?`` →
    intern, interns; ``head\\s+of`` → "head of"); None for a pattern with open-ended parts
    (``chief\\s+(?:\\w+\\s+){0,2}officer``).

    The level patterns are written in a small part of the regex syntax, expanded here:
    characters and escaped punctuation; ``\\s`` read as a space; sets of those (``[oa]``,
    ``[\\s-]``); groups ``(?:a|b)`` and alternatives; ``?`` and ``*`` (the part or nothing) and
    ``+`` (the part once: what a title or a word list spells); lookarounds match no text;
    ``-`` is read as a space. ``\\w``, ``.``, ``{m,n}``, ranges and negated sets are open-ended;
    any other syntax is an error, so no pattern is skipped unseen.
    """
    try:
        forms, end = _alternatives(pattern, 0)
    except _OpenEnded:
        return None
    if end != len(pattern):
        raise ValueError(f"unbalanced ')' in level pattern {pattern!r}")
    return {" ".join(f.replace("-", " ").split()) for f in forms} - {""}


def _alternatives(p: str, i: int) -> tuple[set[str], int]:
    """The forms of ``a|b|…`` from ``i`` up to an unmatched ``)`` or the end."""
    forms: set[str] = set()
    while True:
        sequence: set[str] = {""}
        while i < len(p) and p[i] not in "|)":
            options, i = _atom(p, i)
            if i < len(p) and p[i] in "?*+":
                if p[i] != "+":
                    options = options | {""}
                i += 1
                if i < len(p) and p[i] in "?+":
                    raise ValueError(f"lazy or possessive repeat in level pattern {p!r}")
            elif i < len(p) and p[i] == "{":
                raise _OpenEnded
            sequence = {f + o for f in sequence for o in options}
        forms |= sequence
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return forms, i


def _atom(p: str, i: int) -> tuple[set[str], int]:
    """The forms of one character, escape, set or group at ``i``, and the index after it."""
    c = p[i]
    if c == "(":
        if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            return {""}, _group_end(p, i)
        if p.startswith("(?", i) and not p.startswith("(?:", i):
            raise ValueError(f"unsupported group in level pattern {p!r}")
        forms, i = _alternatives(p, i + 3 if p.startswith("(?:", i) else i + 1)
        if i >= len(p):
            raise ValueError(f"unbalanced '(' in level pattern {p!r}")
        return forms, i + 1
    if c == "[":
        end = _set_end(p, i)
        body, options, j = p[i + 1 : end - 1], set(), 0
        if body.startswith("^"):
            raise _OpenEnded
        while j < len(body):
            if body[j] == "\\":
                options |= _escape(body[j + 1])
                j += 2
            elif j + 2 < len(body) and body[j + 1] == "-":
                raise _OpenEnded  # a range
            else:
                options.add(body[j])
                j += 1
        return options, end
    if c == "\\":
        return _escape(p[i + 1]), i + 2
    if c == ".":
        raise _OpenEnded
    if c in "^$":
        raise ValueError(f"anchor in level pattern {p!r}")
    return {c}, i + 1


def _escape(c: str) -> set[str]:
    if c == "s":
        return {" "}
    if c in "bBAZ":
        raise ValueError(f"anchor \\{c} in a level pattern")
    if c.isalnum():
        raise _OpenEnded  # \w, \d, \S …
    return {c}


def _set_end(p: str, i: int) -> int:
    """The index after the ``]`` closing the set that opens at ``i``."""
    j = i + 1
    while j < len(p) and p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    if j >= len(p):
        raise ValueError(f"unbalanced '[' in level pattern {p!r}")
    return j + 1


def _group_end(p: str, i: int) -> int:
    """The index after the ``)`` closing the group that opens at ``i``."""
    depth = 0
    while i < len(p):
        if p[i] == "\\":
            i += 2
            continue
        if p[i] == "[":
            i = _set_end(p, i)
            continue
        depth += {"(": 1, ")": -1}.get(p[i], 0)
        i += 1
        if depth == 0:
            return i
    raise ValueError(f"unbalanced '(' in level pattern {p!r}")


def level_word_grades() -> dict[str, str]:
    """folded word or phrase → grade, for every finite pattern of ``LEVEL_GRADES`` (dedup reads
    titles word by word: "sr" → senior, "head of" → head, "interns" → intern)."""
    out: dict[str, str] = {}
    for grade, entry in LEVEL_GRADES.items():
        for pattern in entry.patterns:
            for form in _literal_forms(pattern) or ():
                out.setdefault(form, grade)
    return out


def level_spellings() -> dict[str, str]:
    """folded spelling → the one word of its grade, for every finite spelling of ``LEVEL_GRADES``
    other than that word ("sr" → senior, "vice president" → vp, "senior staff" → seniorstaff)."""
    out: dict[str, str] = {}
    for grade, entry in LEVEL_GRADES.items():
        word = grade.replace("-", "")
        for pattern in entry.spellings:
            for form in _literal_forms(pattern) or ():
                if form != word:
                    out[form] = word
    return out


# --- workplace -------------------------------------------------------------------------------

# Words that say how the work is done, over folded text. "remote" also matches inside
# "remotely", "remote-first"; the rest are whole words.
WORKPLACE_WORDS: dict[str, tuple[str, ...]] = {
    "hybrid": (
        r"hybrid\w*", r"hibrid[oa]?", r"ibrid[oa]", r"hybryd\w*", r"hybride", r"hibrit", r"υβριδικ\w*",
        r"гибрид\w*", r"гібрид\w*", "混合办公", "混合辦公", "ハイブリッド", "하이브리드",
    ),
    "remote": (
        r"\w*remote\w*", r"anywhere", r"world\s*wide", r"wfh", r"(?:work(?:ing|s)?\s+)?from\s+home",
        r"home[\s-]?based", r"home[\s-]?office", r"distributed", r"virtual(?:ly)?", r"telecommut\w*",
        r"telework\w*", r"remot[oa]", r"teletrabajo", r"teletravail", r"a\s+distancia", r"trabajo\s+remoto",
        r"trabalho\s+remoto", r"da\s+remoto", r"telelavoro", r"mobiles\s+arbeiten", r"mobile\s+arbeit",
        r"fernarbeit", r"thuiswerk(?:en)?", r"op\s+afstand", r"zdaln\w*", r"praca\s+zdalna",
        r"distansarbete", r"pa\s+distans", r"fjernarbejde", r"hjemmefra", r"hjemmekontor", r"etatyo",
        r"etana", r"uzaktan", r"удал[её]нн?\w*",
        r"a\s+distance", r"en\s+remoto", r"la\s+distanta", r"de\s+acasa", r"prace\s+z\s+domova", r"na\s+dalku",
        r"tavmunka", r"otthonrol", r"evden\s+calisma", r"εξ\s+αποστασεως", r"τηλεργασια", r"віддален\w*",
        r"дистанційн\w*", r"εργασια\s+απο\s+(?:το\s+)?σπιτι", r"απομακρυσμεν\w*", r"nuotolin\w*",
        r"(?:rad\s+)?na\s+daljinu", r"rad\s+od\s+kuce", r"delo\s+na\s+daljavo", r"teletrabalho",
        r"attalinat\w*", r"kaugtoo", r"praca\s+z\s+domu",
        r"jarak\s+jauh", r"kerja\s+dari\s+rumah", r"tu\s+xa", r"etatyo",
        "リモート", "在宅勤務", "テレワーク", "远程", "遠程", "居家办公", "재택", "원격",
    ),
    "onsite": (
        r"on[\s-]?site", r"in[\s-]office", r"office[\s-]based", r"in[\s-]person", r"on[\s-]premises?",
        r"vor\s+ort", r"im\s+buro", r"prasenz\w*", r"sur\s+site", r"sur\s+place", r"en\s+presentiel",
        r"presentiel(?:le)?", r"presencial(?:mente)?", r"in\s+sede", r"in\s+ufficio", r"op\s+kantoor",
        r"op\s+locatie", r"stacjonarn\w*", r"na\s+miejscu", r"pa\s+kontoret", r"paikan\s+paalla",
        r"en\s+(?:la\s+)?oficina", r"no\s+escritorio", r"pa\s+plats", r"yerinde", r"ofisten", r"в\s+офисе",
        r"в\s+офісі", r"v\s+kancelari", r"na\s+licu\s+mjesta", r"u\s+uredu", r"irodai\s+munkavegzes",
        r"irodaban", r"στο\s+γραφειο", r"v\s+pisarni", r"darbas\s+biure", "出社", "常駐", "现场办公", "상주",
    ),
}  # fmt: skip
# The same words as literal token sequences, for tokenisers that match phrases word by word
# (the location parser, which must know "zdalnie" is no place).
WORKPLACE_TOKENS: dict[str, tuple[str, ...]] = {
    "hybrid": ("hybrid", "hybride", "hibrido", "hibrida", "ibrido", "ibrida", "hybrydowo", "hybrydowa", "hybrydowy"),
    "remote": (
        "remote", "remotely", "work from home", "working from home", "works from home", "wfh", "home based",
        "homebased", "home office", "homeoffice", "distributed", "virtual", "virtually", "telecommute",
        "telecommuting", "telework", "teleworking", "remoto", "remota", "teletrabajo", "teletravail",
        "work from anywhere", "telelavoro", "da remoto", "mobiles arbeiten", "thuiswerken", "thuiswerk",
        "op afstand", "zdalnie", "zdalna", "zdalny", "praca zdalna", "distansarbete", "fjernarbejde",
        "hjemmefra", "hjemmekontor", "etatyo", "uzaktan", "a distancia",
    ),
    "onsite": (
        "onsite", "on site", "in office", "office based", "in person", "on premise", "on premises", "vor ort",
        "im buro", "sur site", "sur place", "presentiel", "en presentiel", "presencial", "presencialmente",
        "in sede", "in ufficio", "op kantoor", "op locatie", "stacjonarnie", "stacjonarna", "na miejscu",
    ),
}  # fmt: skip
# "No remote", "kein Homeoffice", "pas de télétravail": the remote word negated means on-site.
_NEGATION = r"(?:no|not|non|kein(?:e|en)?|pas\s+de|sin|sem|senza|geen|bez|ingen|ei)"
_NEGATED_REMOTE_RE = re.compile(rf"(?<![\w]){_NEGATION}[\s-]+(?:{'|'.join(WORKPLACE_WORDS['remote'])})(?![\w])")
# "Teilweise Homeoffice", "télétravail partiel", "partially remote": part remote, part office.
_PARTIAL = (
    r"(?:teilweise|partiel(?:le)?|partial(?:ly)?|parcial(?:mente)?|parziale|gedeeltelijk|czesciow[oa]|delvis|"
    r"osittain|castecn[eay]|reszleges|kismi|частичн\w*|частков\w*)"
)
_REMOTE_ALTERNATION = "|".join(WORKPLACE_WORDS["remote"])
_PARTIAL_REMOTE_RE = re.compile(
    rf"(?<![\w]){_PARTIAL}[\s-]+(?:\w+[\s-]+)?(?:{_REMOTE_ALTERNATION})(?![\w])"
    rf"|(?<![\w])(?:{_REMOTE_ALTERNATION})[\s-]+{_PARTIAL}(?![\w])"
)
# "2 jours de télétravail par semaine", "3 Tage Homeoffice", "remote 2 days a week": a few days remote.
_FEW_DAYS = r"[1-4]\s*(?:x\s*)?(?:days?|jours?|tage?n?|dias?|giorni|dagen|dni|dny|dagar|dage|paivaa|дн\w*|gun)"
_SOME_DAYS_REMOTE_RE = re.compile(
    rf"(?<![\w]){_FEW_DAYS}(?:\s+\S+){{0,2}}?\s+(?:{_REMOTE_ALTERNATION})(?![\w])"
    rf"|(?<![\w])(?:{_REMOTE_ALTERNATION})(?:\s+\S+){{0,2}}?\s+{_FEW_DAYS}(?![\w])"
)
_WORKPLACE_RES = {kind: phrase_pattern(words) for kind, words in WORKPLACE_WORDS.items()}


def workplace_from_words(text: str | None) -> str | None:
    """``hybrid``, ``remote`` or ``onsite`` from the workplace words in ``text``, else None.

    Hybrid wins over remote ("Remote / hybrid"), remote over on-site ("on-site or remote");
    a partial one ("teilweise Homeoffice", "télétravail partiel") is hybrid; a negated one ("no
    remote", "kein Homeoffice") is on-site.
    """
    if not text:
        return None
    folded = fold(text)
    if (
        _WORKPLACE_RES["hybrid"].search(folded)
        or _PARTIAL_REMOTE_RE.search(folded)
        or _SOME_DAYS_REMOTE_RE.search(folded)
    ):
        return "hybrid"
    if _NEGATED_REMOTE_RE.search(folded):
        return "onsite"
    if _WORKPLACE_RES["remote"].search(folded):
        return "remote"
    if _WORKPLACE_RES["onsite"].search(folded):
        return "onsite"
    return None


# --- company placeholders --------------------------------------------------------------------

# What boards show instead of a company name, compared after folding and turning punctuation
# into spaces ("N/A" → "n a", "-" → ""). A placeholder is no company, never a company "None".
COMPANY_PLACEHOLDERS = frozenset(
    {
        "", "none", "null", "nil", "na", "n a", "nan", "undefined", "unknown", "not specified",
        "not available", "not disclosed", "undisclosed", "confidential", "confidential company",
        "anonymous", "hidden", "private", "company", "employer", "tbd", "tba",
        "vertraulich", "anonym", "confidentiel", "confidencial", "riservato", "poufne",
        # A template's field name printed instead of its value ("name", "{company_name}").
        "name", "company name", "companyname", "employer name", "organization", "organisation",
        "hiring organization",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+")


def is_company_placeholder(name: str | None) -> bool:
    """True for a blank name or one of :data:`COMPANY_PLACEHOLDERS` in any case or punctuation."""
    if name is None:
        return True
    folded = re.sub(r"['’`´]", "", fold(str(name)).replace("&", " "))
    return _NON_WORD.sub(" ", folded).strip() in COMPANY_PLACEHOLDERS
