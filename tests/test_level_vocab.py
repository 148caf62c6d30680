"""One level vocabulary: the normaliser's seniority and dedup's title levels read the same words."""

from __future__ import annotations

import pytest

from aggregator.dedup import title_analysis
from aggregator.dedup.text import normalise_words
from aggregator.dedup.vocab import LEVEL_PHRASES, LEVEL_WORDS
from aggregator.normalise.employment import seniority
from aggregator.normalise.vocab import LEVEL_GRADES, SENIORITY_WORDS, _literal_forms, level_word_grades


def test_every_dedup_level_word_means_the_same_seniority_to_the_normaliser() -> None:
    for word, grade in LEVEL_WORDS.items():
        expected = LEVEL_GRADES[grade][0]
        if expected is not None:
            assert seniority(f"{word} engineer") == expected, word


def test_seniority_words_are_the_grades_patterns_in_precedence_order() -> None:
    precedence = ["intern", "director", "manager", "principal", "staff", "lead", "senior", "mid", "junior"]
    assert list(SENIORITY_WORDS) == precedence
    assert all(p in SENIORITY_WORDS["director"] for p in LEVEL_GRADES["vp"].patterns)


def test_a_grade_with_spellings_spells_its_own_word() -> None:
    for grade, entry in LEVEL_GRADES.items():
        if entry.spellings:
            forms = set().union(*(_literal_forms(p) or set() for p in entry.spellings))
            assert grade.replace("-", "") in forms, grade


@pytest.mark.parametrize(
    ("spelled", "word"),
    [("Sr. Data Engineer", "Senior Data Engineer"), ("VP Sales", "Vice-President Sales"), ("Mid-level QA", "Mid QA")],
)
def test_dedup_reads_a_level_spelling_as_its_grades_word(spelled: str, word: str) -> None:
    assert normalise_words(spelled) == normalise_words(word)


def test_finite_patterns_give_words_and_phrases_open_ones_none() -> None:
    forms = level_word_grades()
    assert forms["interns"] == forms["apprentie"] == "intern"
    assert forms["head of"] == "head" and forms["sr"] == "senior" and forms["cto"] == "chief"
    assert ("head", "of") in LEVEL_PHRASES and "chief" not in forms  # "chief … officer" is open-ended


@pytest.mark.parametrize(
    ("pattern", "forms"),
    [
        (r"interns?", {"intern", "interns"}),
        (r"apprentice(?:ship)?", {"apprentice", "apprenticeship"}),
        (r"co-?op", {"co op", "coop"}),
        (r"mid[\s-]+level", {"mid level"}),
        (r"starsz[yae]", {"starszy", "starsza", "starsze"}),
        (r"(?<!semi )(?<!semi-)senior", {"senior"}),
        (r"staff(?!\s+(?:accountant|nurse))", {"staff"}),
        (r"(?:senior|sr)\s+staff", {"senior staff", "sr staff"}),
        (r"sr\.?", {"sr", "sr."}),
        (r"chief\s+(?:\w+\s+){0,2}officer", None),
        (r"[a-z]+", None),
        (r"\w*remote", None),
    ],
)
def test_level_patterns_expand_to_what_they_match(pattern: str, forms: set[str] | None) -> None:
    assert _literal_forms(pattern) == forms


@pytest.mark.parametrize("pattern", [r"(?P<x>lead)", r"leads+?", r"^lead", r"\blead", r"(?:lead"])
def test_pattern_syntax_the_expansion_cannot_read_is_an_error(pattern: str) -> None:
    with pytest.raises(ValueError):
        _literal_forms(pattern)


@pytest.mark.parametrize(
    ("title", "dedup_level", "normalised"),
    [
        ("Apprenti Développeur", ("intern",), "intern"),
        ("Head of Engineering", ("head",), "director"),
        ("VP Engineering", ("vp",), "director"),
        ("Senior Staff Engineer", ("senior-staff",), "staff"),
        ("Développeur intermédiaire", ("mid",), "mid"),
        ("Senior/Staff Backend Engineer", ("senior", "staff"), "staff"),
    ],
)
def test_a_title_level_reads_alike_in_both_places(title: str, dedup_level: tuple[str, ...], normalised: str) -> None:
    assert title_analysis(title).level == dedup_level
    assert seniority(title) == normalised
