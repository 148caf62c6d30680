"""Location normaliser: accuracy on the hand-labelled dev set, the spec's tricky cases, JSON-LD."""

from __future__ import annotations

import csv
import time
import tracemalloc
from pathlib import Path

import pytest

from aggregator.normalise import location as location_module
from aggregator.normalise.location import Location, gazetteer, location_from_jsonld, parse_location

DEV_TSV = Path(__file__).parent / "fixtures" / "labels" / "location-dev.tsv"
MIN_ACCURACY = 0.98


def _split(field: str) -> tuple[str, ...]:
    return tuple(part for part in field.split(",") if part)


def _load_rows() -> list[dict[str, str]]:
    with DEV_TSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _expected(row: dict[str, str]) -> Location:
    return Location(
        workplace=row["workplace"],
        worldwide=row["worldwide"] == "yes",
        countries=_split(row["countries"]),
        regions=_split(row["regions"]),
    )


def test_dev_set_exact_match_accuracy() -> None:
    rows = _load_rows()
    assert len(rows) > 600
    misses = []
    for row in rows:
        got = parse_location(row["raw"])
        if got != _expected(row):
            misses.append(f"{row['raw']!r}: expected {_expected(row)}, got {got}")
    accuracy = 1 - len(misses) / len(rows)
    assert accuracy >= MIN_ACCURACY, f"accuracy {accuracy:.2%} < {MIN_ACCURACY:.0%}:\n" + "\n".join(misses)


def test_dev_set_weighted_accuracy() -> None:
    rows = _load_rows()
    total = sum(int(row["count"]) for row in rows)
    good = sum(int(row["count"]) for row in rows if parse_location(row["raw"]) == _expected(row))
    assert good / total >= MIN_ACCURACY


# The twenty tricky examples of LOCATION-SPEC.md section 6.
TRICKY = [
    ("onsite,Remote", "remote", True, "", ""),
    ("Hybrid or Remote", "hybrid", False, "", ""),
    ("remote,Hybrid - Lisbon", "hybrid", False, "PT", ""),
    ("Remote Canada | Hybrid Halifax", "hybrid", False, "CA", ""),
    ("Global Remote (Non-US)", "remote", True, "", ""),
    ("Remote, CA", "remote", False, "", ""),
    ("remote,Remote (PT)", "remote", False, "", ""),
    ("London, Ontario or Remote", "remote", False, "CA", ""),
    ("Remote,Germering, United Kingdom", "remote", False, "DE,GB", ""),
    ("Ireland, England, United Kingdom", "unknown", False, "GB,IE", ""),
    ("remote,United States Time Zones", "remote", False, "US", ""),
    ("Remote - EST", "remote", False, "", ""),
    ("Canada - Remote (ON, AL, and BC Only)", "remote", False, "CA", ""),
    ("Remote,Remote, OR", "remote", False, "US", ""),
    ("Remote,-, OTHER", "remote", True, "", ""),
    ("Anywhere (LATAM)", "remote", False, "", "LATAM"),
    ("Remote-Eastern Europe", "remote", False, "", "CEE"),
    ("Remote-UK&I", "remote", False, "GB,IE", ""),
    ("Remote, Costa Rica, San Jose", "remote", False, "CR", ""),
    ("Global", "remote", True, "", ""),
]


@pytest.mark.parametrize(("raw", "workplace", "worldwide", "countries", "regions"), TRICKY)
def test_spec_tricky_examples(raw: str, workplace: str, worldwide: bool, countries: str, regions: str) -> None:
    assert parse_location(raw) == Location(workplace, worldwide, _split(countries), _split(regions))


@pytest.mark.parametrize(
    ("raw", "countries", "regions"),
    [
        ("Remote-Northern Europe", "", "EUROPE"),
        ("Slovakia, Czechia, Remote Central Europe", "CZ,SK", "CEE"),
        ("South Africa", "ZA", ""),
        ("Remote, EMEA & APAC", "", "APAC,EMEA"),
        ("Remote - Asia Pacific", "", "APAC"),
        ("Remote, North America", "", "NORTH_AMERICA"),
        ("Remote (EU)", "", "EU"),
        ("Remote-AMER", "", "AMERICAS"),
    ],
)
def test_regions(raw: str, countries: str, regions: str) -> None:
    loc = parse_location(raw)
    assert (loc.countries, loc.regions) == (_split(countries), _split(regions))


@pytest.mark.parametrize(
    ("raw", "countries"),
    [
        ("London", "GB"),
        ("Paris", "FR"),
        ("Dublin", "IE"),
        ("Hyderabad", "IN"),
        ("Vancouver", "CA"),
        ("Perth", "AU"),
        ("Athens", "GR"),
        ("Vienna", "AT"),
        ("Guadalajara", "MX"),
        ("Portland", "US"),
        ("remote,Washington", "US"),
        ("Alexandria Office", ""),
        ("Remote,Portland, Oregon", "US"),
        ("remote,Toronto, CA", "CA"),
        ("remote,Zurich, CH", "CH"),
        ("remote,Remote, BE", "BE"),
        ("Remote,Columbia, MD", "US"),
        ("remote,Hyderabad, IN", "IN"),
        ("Toronto - remote first in CAN", "CA"),
        ("AUS, Remote", "AU"),
        ("Remote, U.S.", "US"),
        ("Gibraltar - Remote", "GI"),
        ("Cayman Islands", "KY"),
        ("Remote, Puerto Rico", "PR"),
        ("Remote - Macedonia", "MK"),
        ("Türkiye, Remote", "TR"),
        ("Remote,Da Nang City, Viet Nam", "VN"),
        ("\U0001f1e9\U0001f1ea Remote", "DE"),
        ("Remote,Dulles, VA", "US"),
        ("Remote,Belo Horizonte-MG, Brazil", "BR"),
        ("Remote (US or China)", "CN,US"),
        ("Remote (US/CA)", "CA,US"),
        ("US-IL-Remote", "US"),
        ("Hyderbad", "IN"),
        ("Remote - Hong Kong SAR", "HK"),
    ],
)
def test_countries(raw: str, countries: str) -> None:
    assert parse_location(raw).countries == _split(countries)


@pytest.mark.parametrize(
    ("raw", "workplace", "worldwide"),
    [
        (None, "unknown", False),
        ("", "unknown", False),
        ("   ", "unknown", False),
        ("Remote", "remote", True),
        ("Fully Remote", "remote", True),
        ("Remote (WFH)", "remote", True),
        ("Remote Office", "remote", True),
        ("Anywhere in the World", "remote", True),
        ("Remote - Nationwide", "remote", False),
        ("Cyprus or remote", "remote", False),
        ("Fully remote (UTC-8 to UTC+5.5)", "remote", False),
        ("hybrid,Remote", "hybrid", False),
        ("Tampa, FL (Hybrid/Remote/Onsite)", "hybrid", False),
        ("Socket HQ", "unknown", False),
        ("Europe", "unknown", False),
        ("On-site - Austin, TX", "onsite", False),
        ("Remote - Outside US", "remote", True),
        ("Remote (anywhere except Russia & Belarus)", "remote", True),
    ],
)
def test_workplace_and_worldwide(raw: str | None, workplace: str, worldwide: bool) -> None:
    loc = parse_location(raw)
    assert (loc.workplace, loc.worldwide) == (workplace, worldwide)


def test_empty_is_unknown() -> None:
    assert parse_location(None) == Location("unknown", False, (), ())
    assert parse_location("") == Location("unknown", False, (), ())


def test_remote_is_never_a_place() -> None:
    for raw in ("Remote", "Remote, Remote", "REMOTE, REMOTE", "remote,Remote Remote"):
        assert parse_location(raw).countries == ()


def test_excluded_countries_not_listed() -> None:
    assert parse_location("Global Remote (Non-US)").countries == ()
    assert parse_location("Remote (excluding US, Canada)").countries == ()


def test_parse_is_fast_after_warm_up() -> None:
    rows = [row["raw"] for row in _load_rows()]
    parse_location("warm up")
    start = time.perf_counter()
    for raw in rows:
        location_module._parse(raw)  # bypass the memo: measure real parsing
    per_parse = (time.perf_counter() - start) / len(rows)
    assert per_parse < 0.001


def test_the_gazetteer_read_from_the_cache_folder_is_the_one_built(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = gazetteer._build()
    path = gazetteer._cache_path(gazetteer._inputs_digest())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a file")  # a broken cache file is built again, and replaced
    gazetteer._gazetteer.cache_clear()
    try:
        assert gazetteer._gazetteer() == built
        gazetteer._gazetteer.cache_clear()

        def no_build() -> None:
            raise AssertionError("built again instead of read from the cache folder")

        monkeypatch.setattr(gazetteer, "_build", no_build)
        assert gazetteer._gazetteer() == built
    finally:
        gazetteer._gazetteer.cache_clear()


def test_a_names_senses_come_back_in_the_order_they_were_found() -> None:
    toronto_ca = ("city", "CA", "ON", 2600000)
    toronto_us = ("city", "US", "OH", 5000)
    names = {"toronto": [toronto_ca, toronto_us], "toronto ohio": [toronto_us, toronto_ca], "tdot": [toronto_ca]}
    gaz = gazetteer._Gazetteer(names=gazetteer._names_trie(names, alternate={"tdot"}))
    assert [gaz.senses(key) for key in names] == list(names.values())
    assert gaz.senses("toront") == [] and gaz.senses("") == []
    assert gazetteer._place_names(gaz, 0, 3_000_000) == {"toronto", "toronto ohio"}  # "tdot": an alternate name
    assert gazetteer._place_names(gaz, 0, 0) == set(names)


def test_the_gazetteer_read_from_the_cache_folder_is_few_python_objects(tmp_path, monkeypatch) -> None:
    """Its 116k names are in tries: a crawl's process keeps a few MB, not the 33 MB of a dict of them."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    gazetteer._gazetteer.cache_clear()
    try:
        gazetteer._gazetteer()  # built and kept in the cache folder
        gazetteer._gazetteer.cache_clear()
        tracemalloc.start()
        try:
            gaz = gazetteer._gazetteer()
            kept, _peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert kept < 3 * 2**20
        assert ("city", "DE") in {sense[:2] for sense in gaz.senses("berlin")}
    finally:
        gazetteer._gazetteer.cache_clear()


def test_place_names_read_from_the_cache_folder_are_the_ones_built(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = gazetteer._place_names(gazetteer._build(), 100_000, 1_000_000)
    assert gazetteer.place_names(100_000, 1_000_000) == built  # made from the gazetteer, and kept

    def no_gazetteer() -> None:
        raise AssertionError("the whole gazetteer loaded for its place names")

    monkeypatch.setattr(gazetteer, "_gazetteer", no_gazetteer)
    assert gazetteer.place_names(100_000, 1_000_000) == built
    assert gazetteer._cache_path(gazetteer._inputs_digest(), "-places-100000-1000000").exists()


def test_garbage_does_not_crash() -> None:
    for raw in ("???", "—", "🌍", "東京", "Remote,,,", "(", "A" * 5000, "1234", "Remote\tUS\n"):
        loc = parse_location(raw)
        assert loc.workplace in ("remote", "hybrid", "onsite", "unknown")
        assert list(loc.countries) == sorted(set(loc.countries))


# ------------------------------------------------------------------ JSON-LD


def test_jsonld_telecommute_without_requirements_is_worldwide() -> None:
    assert location_from_jsonld("TELECOMMUTE") == Location("remote", True, (), ())


def test_jsonld_requirements_country_codes_and_names() -> None:
    reqs = [
        {"@type": "Country", "name": "USA"},
        {"@type": "Country", "name": "CA"},
        {"@type": "Country", "name": "Germany"},
    ]
    assert location_from_jsonld("TELECOMMUTE", reqs) == Location("remote", False, ("CA", "DE", "US"), ())


def test_jsonld_single_requirement_object() -> None:
    loc = location_from_jsonld("TELECOMMUTE", {"@type": "Country", "name": "United Kingdom"})
    assert loc == Location("remote", False, ("GB",), ())


def test_jsonld_state_requirement() -> None:
    loc = location_from_jsonld("TELECOMMUTE", [{"@type": "State", "name": "CA"}, {"@type": "State", "name": "Texas"}])
    assert loc == Location("remote", False, ("US",), ())
    loc = location_from_jsonld("TELECOMMUTE", {"@type": "AdministrativeArea", "name": "Ontario"})
    assert loc == Location("remote", False, ("CA",), ())


def test_jsonld_region_requirement() -> None:
    loc = location_from_jsonld("TELECOMMUTE", {"@type": "AdministrativeArea", "name": "EMEA"})
    assert loc == Location("remote", False, (), ("EMEA",))


def test_jsonld_job_location_address() -> None:
    place = {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressCountry": "DE", "addressLocality": "Berlin"},
    }
    assert location_from_jsonld(job_location=place) == Location("unknown", False, ("DE",), ())
    place = {"address": {"addressCountry": {"@type": "Country", "name": "France"}}}
    assert location_from_jsonld(job_location=[place]) == Location("unknown", False, ("FR",), ())
    place = {"address": {"addressLocality": "Austin", "addressRegion": "TX"}}
    assert location_from_jsonld(job_location=place) == Location("unknown", False, ("US",), ())


def test_jsonld_telecommute_with_requirement_and_office() -> None:
    place = {"address": {"addressCountry": "US", "addressLocality": "New York"}}
    loc = location_from_jsonld(["TELECOMMUTE"], [{"@type": "Country", "name": "PL"}], place)
    assert loc == Location("remote", False, ("PL",), ())


def test_jsonld_nothing_usable() -> None:
    assert location_from_jsonld() is None
    assert location_from_jsonld(None, [], []) is None
    assert location_from_jsonld("FULL_TIME", None, {"address": {}}) is None


def test_jsonld_worldwide_requirement_is_no_restriction() -> None:
    loc = location_from_jsonld("TELECOMMUTE", {"@type": "Country", "name": "Worldwide"})
    assert loc == Location("remote", True, (), ())


def test_jsonld_job_location_string_and_hybrid() -> None:
    assert location_from_jsonld("HYBRID", None, "Lisbon, Portugal") == Location("hybrid", False, ("PT",), ())


def test_outputs_use_the_spec_vocabulary() -> None:
    for row in _load_rows():
        loc = parse_location(row["raw"])
        assert set(loc.regions) <= set(location_module.REGIONS)
        assert all(len(cc) == 2 and cc.isupper() for cc in loc.countries)
        assert loc.worldwide is False or (loc.workplace == "remote" and not loc.countries and not loc.regions)
