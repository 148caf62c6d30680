"""Dedup's place words are the location gazetteer's: one gazetteer for both."""

from __future__ import annotations

import pytest

from aggregator.dedup import title_analysis
from aggregator.dedup.text import fold, split_words
from aggregator.dedup.titles import gazetteer
from aggregator.dedup.vocab import NOT_PLACES
from aggregator.normalise.location import parse_location
from aggregator.normalise.location.gazetteer import place_names
from aggregator.normalise.location.vocabulary import not_places


def test_every_place_of_the_location_gazetteer_is_a_dedup_place_unless_a_title_word() -> None:
    single, phrases = gazetteer()
    for name in place_names(min_city_population=100_000, min_alternate_population=1_000_000):
        words = tuple(split_words(fold(name)))
        if len(words) == 1 and words[0] not in NOT_PLACES:
            assert words[0] in single, name
        elif len(words) > 1 and words[0] != "the":
            assert words in phrases, name


def test_place_names_are_filtered_by_population() -> None:
    big = place_names(min_city_population=100_000)
    assert {"munich", "deutschland", "emea", "bay area"} <= big  # city, country alias, region, metro
    assert len(place_names()) > len(big)  # smaller towns join at a lower floor


@pytest.mark.parametrize(
    "title", ["Account Executive, EMEA", "Account Executive - Deutschland", "Account Executive (SF)"]
)
def test_place_words_of_titles_are_set_aside(title: str) -> None:
    assert title_analysis(title).tokens == title_analysis("Account Executive").tokens


@pytest.mark.parametrize(("word", "city_if_capitalised"), [("union", False), ("summit", False), ("reading", True)])
def test_a_place_name_on_the_shared_list_of_words_is_no_place_in_a_title(word: str, city_if_capitalised: bool) -> None:
    # One list (location/data/not_places.tsv) for both readers of place names.
    assert word in not_places("titles") and word not in title_analysis(f"Engineer - {word.title()}").places
    assert parse_location(word).countries == ()
    assert bool(parse_location(word.title()).countries) is city_if_capitalised
