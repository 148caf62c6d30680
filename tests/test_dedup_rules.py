"""The dedup spec's rules one by one (docs/dedup-spec.md), each on small postings written for
the rule, plus the stages they stand on: words, language, LSH buckets, data files."""

from __future__ import annotations

import mmap
from pathlib import Path

import pytest

from aggregator.dedup import PostingFingerprint, Thresholds, compare, fingerprint
from aggregator.dedup.candidates import InMemoryCandidateIndex, as_minhash, new_lsh
from aggregator.dedup.employer import employer_named
from aggregator.dedup.language import detect_language
from aggregator.dedup.rules import company_rule, level_rule, team_rule, text_rule, text_similarity, translation_rule
from aggregator.dedup.text import normalise_words
from aggregator.dedup.vocab import BOILERPLATE_KEYS, LEVEL_WORDS, NOISE_WORDS, PHRASES, SYNONYMS

TEXT = """About the job
You will build the route-planning service of our logistics platform, used by 4,000 carriers
in 30 countries to plan deliveries every night.
What you will do
Design and run Python services on Google Cloud with Postgres, Redis and Pub/Sub
Own the optimisation engine that assigns 2 million parcels a day to vans and drivers
Pair with product managers and dispatchers to turn their feedback into features
Review code, write design documents and take part in the on-call rotation
What we are looking for
Solid experience with Python, SQL and distributed systems in production
Comfort with graph algorithms, linear programming or heuristics for routing problems
Clear written communication in English
Benefits
Private health insurance, a learning budget and 30 days of paid time off
We are an equal opportunity employer."""

TEXT_FR = """Le poste
Vous construirez le service de planification des tournées de notre plateforme logistique,
utilisé par 4 000 transporteurs dans 30 pays pour planifier les livraisons chaque nuit.
Vos missions
Concevoir et exploiter des services Python sur Google Cloud avec Postgres, Redis et Pub/Sub
Prendre en charge le moteur d'optimisation qui attribue 2 millions de colis par jour aux
camionnettes et aux chauffeurs
Travailler avec les chefs de produit et les répartiteurs pour transformer leurs retours en
fonctionnalités
Relire du code, rédiger des documents de conception et participer aux astreintes
Votre profil
Une solide expérience de Python, SQL et des systèmes distribués en production
Une aisance avec les algorithmes de graphes, la programmation linéaire ou les heuristiques
Une communication écrite claire en anglais
Avantages
Mutuelle privée, budget formation et 30 jours de congés payés"""

OTHER_FR = """Le poste
Rejoignez l'équipe Paiements pour faire évoluer notre application mobile de facturation,
utilisée par des artisans et des indépendants dans toute la France et en Belgique.
Vos missions
Développer de nouvelles fonctionnalités en Kotlin et Swift pour iOS et Android
Améliorer la performance, l'accessibilité et la qualité de l'application au quotidien
Travailler avec les designers sur les parcours de paiement et de relance des factures
Participer aux revues de code et à l'amélioration continue de nos pratiques
Votre profil
Une expérience significative du développement mobile natif en production
Le goût du produit, du détail et des interfaces simples et rapides
Avantages
Mutuelle, tickets restaurant et télétravail complet possible"""


def fp(
    pid: str,
    title: str,
    text: str = TEXT,
    company: str | None = "Routeline",
    apply_url: str | None = None,
    location: str | None = None,
) -> PostingFingerprint:
    return fingerprint(
        pid,
        "test",
        pid,
        f"https://board.test/job/{pid}",
        apply_url or f"https://board.test/apply/{pid}",
        company,
        title,
        text,
        location,
    )


def same(a: PostingFingerprint, b: PostingFingerprint) -> bool:
    return compare(a, b).same and compare(b, a).same


# ---------------------------------------------------------------------------------------------
# Rule 1: the company
# ---------------------------------------------------------------------------------------------


def test_company_rule_different_fields_are_different_jobs_even_on_one_text() -> None:
    verdict = company_rule(fp("a", "Backend Engineer"), fp("b", "Backend Engineer", company="Staffing Partner Ltd"))
    assert verdict is not None and not verdict.same and verdict.rule == "company"
    assert not compare(fp("a", "Backend Engineer"), fp("b", "Backend Engineer", company="Routeline Labs")).same


def test_company_rule_legal_form_does_not_make_another_company() -> None:
    assert company_rule(fp("a", "Backend Engineer", company="Routeline GmbH"), fp("b", "Backend Engineer")) is None


def test_company_rule_employer_named_in_the_text_stands_in_for_an_empty_field() -> None:
    named = TEXT.replace("our logistics platform", "the Routeline logistics platform")
    assert company_rule(fp("a", "Backend Engineer", named, company=None), fp("b", "Backend Engineer")) is None
    assert same(fp("a", "Backend Engineer", named, company="None"), fp("b", "Backend Engineer", named))
    # Once the text names the employer, the rules apply as if the field said it: an edited copy
    # (bullets reordered, a word changed) joins without needing a near-identical text.
    lines = named.split("\n")
    lines[4], lines[5] = lines[5], lines[4]
    edited = "\n".join(lines).replace("Postgres", "PostgreSQL").replace("every night", "each night")
    a, b = fp("a", "Backend Engineer", edited, company=None), fp("b", "Backend Engineer", named)
    assert Thresholds().same_title <= text_similarity(a, b)[0] < Thresholds().reworded_title
    assert same(a, b)
    # The text names nobody: a known company's posting is not its copy.
    verdict = company_rule(fp("a", "Backend Engineer", company=""), fp("b", "Backend Engineer"))
    assert verdict is not None and not verdict.same


@pytest.mark.parametrize(
    ("line", "employer"),
    [
        ("About Routeline", "Routeline"),
        ("At Routeline Labs, we plan deliveries for 4,000 carriers.", "Routeline Labs"),
        ("Join the Routeline team and shape how parcels move.", "Routeline"),
        ("Routeline is a logistics software company.", "Routeline"),
        ("About the role", None),
        ("At the heart of our platform is a routing engine.", None),
    ],
)
def test_employer_named_by_the_text(line: str, employer: str | None) -> None:
    assert employer_named([line, *TEXT.split("\n")]) == employer


def test_company_rule_two_unknown_companies_whose_texts_name_different_employers() -> None:
    a = fp("a", "Senior Backend Engineer", "About Routeline\n" + TEXT, company=None)
    b = fp("b", "Senior Backend Engineer", "About Parcelly\n" + TEXT, company=None)
    verdict = company_rule(a, b)
    assert verdict is not None and verdict.rule == "company" and not compare(a, b).same
    c = fp("c", "Senior Backend Engineer", "About Routeline\n" + TEXT, company="None")
    assert company_rule(a, c) is None and same(a, c)


# ---------------------------------------------------------------------------------------------
# Rule 2: the level
# ---------------------------------------------------------------------------------------------


def test_level_rule_level_beats_identical_text() -> None:
    for other in ("Staff Backend Engineer", "Junior Backend Engineer", "Backend Engineer", "Lead Backend Engineer"):
        verdict = level_rule(fp("a", "Senior Backend Engineer"), fp("b", other))
        assert verdict is not None and verdict.rule == "level", other
    verdict = level_rule(fp("a", "Software Engineer II"), fp("b", "Software Engineer III"))
    assert verdict is not None and verdict.rule == "level"


def test_level_rule_a_title_without_level_takes_the_level_its_text_states() -> None:
    stated = TEXT.replace("You will build", "As a Senior Backend Engineer you will build")
    assert level_rule(fp("a", "Backend Engineer", stated), fp("b", "Senior Backend Engineer")) is None
    assert same(fp("a", "Backend Engineer", stated), fp("b", "Senior Backend Engineer", stated))
    # A line of the text that starts with the level and the role states it too.
    headed = "Senior Backend Engineer\n" + TEXT
    assert level_rule(fp("a", "Backend Engineer", headed), fp("b", "Senior Backend Engineer")) is None
    # Other-language role words count ("Développeur" is a role like "Developer").
    french = TEXT.replace("You will build", "Poste : Senior Développeur Backend. You will build")
    assert level_rule(fp("a", "Backend Engineer", french), fp("b", "Senior Backend Engineer")) is None
    # A text that states another level keeps them apart.
    junior = TEXT.replace("You will build", "As a Junior Backend Engineer you will build")
    assert level_rule(fp("a", "Backend Engineer", junior), fp("b", "Senior Backend Engineer")) is not None


def test_level_rule_abbreviations_and_shared_levels() -> None:
    assert level_rule(fp("a", "Sr. Backend Engineer"), fp("b", "Senior Backend Engineer")) is None
    assert level_rule(fp("a", "Senior/Staff Backend Engineer"), fp("b", "Senior or Staff Backend Engineer")) is None


# ---------------------------------------------------------------------------------------------
# Rule 3: team, product, specialism
# ---------------------------------------------------------------------------------------------


def test_team_rule_another_named_team_is_another_opening() -> None:
    a = fp("a", "Senior Backend Engineer", "Team: Carrier Onboarding\n" + TEXT)
    b = fp("b", "Senior Backend Engineer", "Team: Parcel Pricing\n" + TEXT)
    sim, _ = text_similarity(a, b)
    verdict = team_rule(a, b, sim)
    assert verdict is not None and verdict.rule == "team" and not compare(a, b).same
    assert team_rule(a, fp("c", "Senior Backend Engineer", "Team: Carrier Onboarding\n" + TEXT), sim) is None


def test_title_naming_a_specialism_its_text_does_not_is_another_job() -> None:
    a, b = fp("a", "Senior Backend Engineer"), fp("b", "Senior Firmware Engineer")
    sim, how = text_similarity(a, b)
    verdict = text_rule(b, a, sim, how, Thresholds())
    assert not verdict.same and verdict.rule == "title"


def test_title_word_supported_by_another_form_of_it_in_the_text() -> None:
    # "Optimisation" in the title, "optimisation engine"/"optimising" in the text: one word.
    assert same(fp("a", "Senior Backend Engineer, Optimisation"), fp("b", "Senior Backend Engineer"))
    # "Planner" in the title, "planning" in the text.
    assert same(fp("a", "Senior Route Planner Engineer"), fp("b", "Senior Route Engineer"))


# ---------------------------------------------------------------------------------------------
# Rule 4: the same text, tolerating location, boilerplate, small edits, translation
# ---------------------------------------------------------------------------------------------


def test_location_variants_are_one_job() -> None:
    de = TEXT.replace("Clear written communication in English", "Fluent German and English, based in Germany")
    uk = TEXT.replace("Clear written communication in English", "Fluent English, based in the UK or Ireland")
    a = fp("a", "Senior Backend Engineer - Berlin, Germany", de, location="Berlin, Germany")
    b = fp("b", "Senior Backend Engineer (Remote, UK & Ireland)", uk, location="London, UK")
    assert a.title_tokens == b.title_tokens
    assert same(a, b)


def test_language_requirement_variants_are_one_job() -> None:
    a = fp("a", "Senior Backend Engineer (German speaking)", TEXT.replace("in English", "in German"))
    b = fp("b", "Senior Backend Engineer - French Fluent", TEXT.replace("in English", "in French"))
    assert a.title_tokens == b.title_tokens and same(a, b)


def test_reworded_boilerplate_does_not_split_a_job() -> None:
    reworded = (
        "Routeline is a fast-growing logistics software company founded in 2016 and backed by leading investors.\n"
        + TEXT.replace(
            "Private health insurance, a learning budget and 30 days of paid time off",
            "Stock options, a home-office budget, health insurance for your family and 28 days of paid time off",
        )
        + "\nWe do not accept applications from recruitment agencies. Read our privacy notice before you apply."
    )
    a, b = fp("a", "Senior Backend Engineer"), fp("b", "Senior Backend Engineer", reworded)
    assert same(a, b)
    assert text_similarity(a, b)[1] == "job part"


def test_small_edits_keep_one_job() -> None:
    lines = TEXT.split("\n")
    lines[4], lines[5] = lines[5], lines[4]  # bullets reordered
    edited = "\n".join(lines).replace("Postgres", "PostgreSQL").replace("every night", "each night")
    assert same(fp("a", "Senior Backend Engineer"), fp("b", "Senior Backend Engineer", edited))


def test_language_detection() -> None:
    assert detect_language(TEXT) == "en"
    assert detect_language(TEXT_FR) == "fr"
    assert detect_language("Senior Backend Engineer") is None  # too short to tell


def test_the_language_model_mapped_from_the_cache_folder_answers_as_the_packaged_one(tmp_path, monkeypatch) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from aggregator.dedup import language

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = [TEXT, TEXT_FR, TEXT[:250], TEXT_FR[100:500], "Senior Backend Engineer", "", "日本語のテキスト", "ÉLÈVE 42"]
    for _ in ("unpacked into the cache folder", "mapped from it"):
        language.identifier.cache_clear()
        try:
            mapped = language.identifier()
            assert [mapped.classify(text) for text in texts] == [packaged.classify(text) for text in texts]
            # The row offsets in one array, not py3langid's list of ~100k Python ints (4 MB).
            assert not isinstance(mapped._rowbase, list) and list(mapped._rowbase) == packaged._rowbase
        finally:
            language.identifier.cache_clear()
    assert len(list(tmp_path.glob("remote-job-aggregator/langid-*/*.npy"))) == 6


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads the process's memory maps (Linux)")
def test_classifying_a_text_maps_only_the_model_pages_it_reads(tmp_path, monkeypatch) -> None:
    from aggregator.dedup import language

    def resident_bytes(file_name: str) -> int:
        resident, mapping = 0, None
        for line in Path("/proc/self/smaps").read_text().splitlines():
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):  # a mapping's header line
                mapping = fields[-1] if len(fields) >= 6 else None
            elif fields[0] == "Rss:" and mapping and mapping.startswith(str(tmp_path)) and mapping.endswith(file_name):
                resident += int(fields[1]) * 1024
        return resident

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    language.identifier.cache_clear()
    try:
        language.identifier()  # unpacked into the cache folder
        language.identifier.cache_clear()
        language.detect_language(TEXT_FR)  # mapped from it
        # Each byte of the text reads one entry of the tokenizer's table and at most one feature's
        # row of probabilities (which may straddle two pages): mapping only what is read stays
        # within these bounds, where mapping the blocks around each read page did not (~20 MB).
        read = len(TEXT_FR[: language._SAMPLE].encode())
        assert 0 < resident_bytes("nextmove.npy") <= read * mmap.PAGESIZE
        assert 0 < resident_bytes("ptc.npy") <= 2 * read * mmap.PAGESIZE
    finally:
        language.identifier.cache_clear()


def test_translation_of_the_same_posting_is_one_job() -> None:
    en = fp("en", "Senior Backend Developer (Python)")
    fr = fp("fr", "Développeur Backend Python Senior", TEXT_FR)
    assert (en.language, fr.language) == ("en", "fr")
    sim, _ = text_similarity(fr, en)
    assert sim < 0.2  # the words differ: only cross-language signals can tell
    verdict = translation_rule(fr, en, sim, Thresholds())
    assert verdict.same and compare(fr, en).rule == "translation"


def test_another_posting_in_another_language_is_not_a_translation() -> None:
    en = fp("en", "Senior Backend Developer")
    other = fp("fr", "Développeur Mobile Senior", OTHER_FR)
    assert not compare(other, en).same
    # The same title but none of the names, numbers and products: not a translation either.
    other_backend = fp("fr2", "Développeur Backend Senior", OTHER_FR)
    assert not compare(other_backend, en).same


def test_translation_found_through_the_shared_apply_link() -> None:
    en = fp("en", "Senior Backend Developer", apply_url="https://careers.routeline.test/apply/8812")
    fr = fp("fr", "Développeur Backend Senior", TEXT_FR, apply_url="https://careers.routeline.test/apply/8812")
    index = InMemoryCandidateIndex()
    from aggregator.dedup import Matcher

    matcher = Matcher(index)
    matcher.add(en, "job-en")
    match = matcher.match(fr)
    assert match is not None and match.job_id == "job-en"


# ---------------------------------------------------------------------------------------------
# The stages underneath
# ---------------------------------------------------------------------------------------------


def test_words_meet_across_forms_and_synonyms() -> None:
    assert normalise_words("Trained evaluators") == normalise_words("trained evaluator")
    assert normalise_words("Développeur Front-End")[0] == normalise_words("Frontend Developer")[1]
    assert normalise_words("Machine Learning Engineer") == normalise_words("ML Engineer")


def test_in_memory_index_answers_from_datasketch_buckets() -> None:
    postings = [fp(f"p{i}", "Senior Backend Engineer") for i in range(3)] + [fp("x", "Frontend Engineer", OTHER_FR)]
    index, lsh = InMemoryCandidateIndex(), new_lsh()
    for i, p in enumerate(postings):
        index.add(p, i)
        lsh.insert(i, as_minhash(p.minhash))
    probe = fp("new", "Senior Backend Engineer")
    by_keys = {job for _, job in index.by_band_keys(probe.lsh_keys, probe.company_key)}
    assert by_keys == set(lsh.query(as_minhash(probe.minhash))) == {0, 1, 2}


def test_data_files_are_loaded() -> None:
    assert LEVEL_WORDS["senior"] == "senior" and LEVEL_WORDS["fellow"] == "distinguished"
    assert SYNONYMS["developer"] == "engineer" and PHRASES[("machine", "learning")] == "ml"
    assert "remote" in NOISE_WORDS and " pto " in BOILERPLATE_KEYS and "#li-" in BOILERPLATE_KEYS


@pytest.mark.parametrize(
    "title", ["Backend Engineer - München", "Backend Engineer (Île-de-France)", "Backend Engineer, DACH"]
)
def test_places_of_the_gazetteer_are_set_aside_in_titles(title: str) -> None:
    from aggregator.dedup import title_analysis

    assert title_analysis(title).tokens == title_analysis("Backend Engineer").tokens
