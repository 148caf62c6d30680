"""Job deduplication: comparison keys, the spec's rules, the matcher, and a quality floor on the
two hand-labelled months (tests/fixtures/dedup; the rules are DEDUP-SPEC.md of the shared fixtures)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from aggregator.dedup import (
    InMemoryCandidateIndex,
    Matcher,
    PostingFingerprint,
    compare,
    fingerprint,
    title_analysis,
)
from aggregator.normalise.company import company_key
from aggregator.normalise.urls import canonical_url
from bench.dedup_quality import evaluate_month, load_month

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dedup"
JUNE = FIXTURES / "remotewlb-2024-06"
FEBRUARY = FIXTURES / "remotewlb-2025-02"


# ---------------------------------------------------------------------------------------------
# company_key
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Turnitin, LLC", "turnitin"),
        ("TURNITIN llc", "turnitin"),
        ("E. Breuninger GmbH & Co.", "e breuninger"),
        ("E. Breuninger GmbH & Co. KG", "e breuninger"),
        ("Société Générale S.A.", "societe generale"),
        ("Acme Pty Ltd", "acme"),
        ("Foo B.V.", "foo"),
        ("Lookout Inc", "lookout"),
        ("Lookout, Inc.", "lookout"),
        ("McDonald's Corporation", "mcdonalds"),
        ("Arch Global Services (Philippines) Inc.", "arch global services philippines"),
        ("  Zalando   SE ", "zalando"),
        ("Bar S.A. de C.V.", "bar"),
        ("Baz sp. z o.o.", "baz"),
        ("Ørsted A/S", "orsted"),
        ("Inc.", "inc"),  # nothing but a legal form: kept rather than emptied
    ],
)
def test_company_key_folds_typography_and_legal_form(name: str, key: str) -> None:
    assert company_key(name) == key


@pytest.mark.parametrize("placeholder", [None, "", "  ", "None", "none", "NULL", "N/A", "n/a", "-", "Confidential"])
def test_company_key_placeholders_are_unknown(placeholder: str | None) -> None:
    assert company_key(placeholder) is None


def test_company_key_keeps_different_spellings_apart() -> None:
    # DEDUP-SPEC rule 1: "Outlier" and "Outlier AI" are two company fields, two companies.
    assert company_key("Outlier") != company_key("Outlier AI")
    assert company_key("Jobs for Humanity") != company_key("Turnitin")


# ---------------------------------------------------------------------------------------------
# canonical_url
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://remotewlb.com/job/x", "remotewlb.com/job/x"),
        ("http://www.remotewlb.com/job/x/", "remotewlb.com/job/x"),
        ("HTTPS://WWW.RemoteWLB.com:443/job/x#apply", "remotewlb.com/job/x"),
        ("https://remotewlb.com/job/x?utm_source=li&utm_medium=social&gclid=1&fbclid=2", "remotewlb.com/job/x"),
        ("https://example.com/jobs?b=2&a=1&ref=hn&source=feed", "example.com/jobs?a=1&b=2"),
        ("https://boards.greenhouse.io/acme/jobs/1?gh_src=abc&gh_jid=1", "boards.greenhouse.io/acme/jobs/1?gh_jid=1"),
        ("https://jobs.lever.co/acme/123/apply?lever-source=LinkedIn", "jobs.lever.co/acme/123/apply"),
        ("http://example.com:8080/a/", "example.com:8080/a"),
        ("//example.com/a", "example.com/a"),
        ("example.com/Path", "example.com/Path"),  # the path keeps its case
        ("mailto:Jobs@Acme.com", "mailto:jobs@acme.com"),
    ],
)
def test_canonical_url(url: str, key: str) -> None:
    assert canonical_url(url) == key


@pytest.mark.parametrize("url", [None, "", "   ", "javascript:void(0)"])
def test_canonical_url_unusable(url: str | None) -> None:
    assert canonical_url(url) is None


def test_canonical_url_same_resource_same_key() -> None:
    a = canonical_url("https://www.example.com/jobs/42/?utm_campaign=x&id=7&lang=en")
    b = canonical_url("http://example.com/jobs/42?lang=en&id=7#top")
    assert a == b == "example.com/jobs/42?id=7&lang=en"


# ---------------------------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Senior Software Engineer, Bitcoin Platform", ("senior",)),
        ("Sr. Backend Engineer (Node.js/AWS) - Remote", ("senior",)),
        ("Staff Software Engineer", ("staff",)),
        ("Senior Staff Software Engineer (Generative AI)", ("senior-staff",)),
        ("Senior/Staff Digital Methodology Engineer", ("senior", "staff")),
        ("Senior or Staff Site Reliability Engineer", ("senior", "staff")),
        ("Go (Golang) Developer Junior+/Middle", ("junior", "mid")),
        ("Software Engineer II - Java (Remote)", ("2",)),
        ("2024-7243_Software Engineer III /IV (Property Intake)", ("3", "4")),
        ("Développeur•euse Full-Stack Intermédiaire", ("mid",)),
        ("Data Engineer (m/f/d)", ()),
    ],
)
def test_title_levels(title: str, level: tuple[str, ...]) -> None:
    assert title_analysis(title).level == level


def test_title_places_and_modes_are_not_specialisms() -> None:
    plain = title_analysis("Backend Engineer - Python")
    for variant in (
        "Backend Engineer - Python (Mexico) - Remote",
        "Backend Developer - Python, Germany (m/f/d)",
        "Back-end Engineer - Python (100% remote-friendly within Poland)",
    ):
        assert title_analysis(variant).tokens == plain.tokens, variant
    # A place from the posting's own location field counts too.
    assert title_analysis("Data Engineer - Annecy", "Annecy, France").tokens == title_analysis("Data Engineer").tokens


# ---------------------------------------------------------------------------------------------
# The spec's rules on small synthetic postings
# ---------------------------------------------------------------------------------------------

ROLE_TEXT = """About the role
We are looking for an engineer to join our Payments Platform team and build the ledger services
that move money for millions of customers.
Responsibilities
Design, build and operate Go and Kotlin services on AWS with Kafka and PostgreSQL
Own the reliability of the payment ledger and its reconciliation jobs
Work with product, risk and compliance partners to ship features safely
Mentor engineers and lead technical design reviews for the team
Requirements
Several years of experience building distributed backend systems in production
Strong knowledge of relational databases, event streaming and idempotent APIs
Experience with observability tooling, on-call rotations and incident reviews
Nice to have
Experience in fintech, card networks or banking integrations
Benefits
Health insurance, 401(k) matching and paid time off
We are an equal opportunity employer and value diversity at our company."""

OTHER_TEXT = """About the role
Our Growth team is hiring a frontend engineer to own the web onboarding funnel and the experiments that shape it.
Responsibilities
Build React and TypeScript features for sign-up, activation and referral flows
Run A/B tests with product managers and analysts and read the results
Keep the design system accessible, fast and well documented
Requirements
Years of experience shipping consumer web products with React
Good taste in UI details and a habit of measuring what you ship
Benefits
Health insurance and paid time off"""


def fp(
    pid: str,
    title: str,
    text: str = ROLE_TEXT,
    company: str | None = "Acme Pay",
    url: str | None = None,
    apply_url: str | None = None,
    source_id: str | None = None,
) -> PostingFingerprint:
    return fingerprint(
        pid,
        "test",
        source_id or pid,
        url or f"https://board.test/job/{pid}",
        apply_url or f"https://board.test/apply/{pid}",
        company,
        title,
        text,
    )


def edited(text: str) -> str:
    """The same posting re-listed: a typo fixed, bullets reordered, blurb and benefits changed."""
    lines = text.split("\n")
    lines[4], lines[5] = lines[5], lines[4]
    out = "\n".join(lines).replace("millions of customers", "millions of our customers")
    out = out.replace("Health insurance, 401(k) matching and paid time off", "Private medical cover and 30 days off")
    return "Acme Pay is a fast-growing fintech company founded in 2015.\n" + out


def test_identical_postings_are_the_same_job() -> None:
    v = compare(fp("b", "Senior Backend Engineer"), fp("a", "Senior Backend Engineer"))
    assert v.same and v.score == pytest.approx(1.0)


def test_small_edits_boilerplate_and_location_keep_one_job() -> None:
    a = fp("a", "Senior Backend Engineer")
    b = fp("b", "Senior Backend Engineer - Remote, Germany (m/f/d)", edited(ROLE_TEXT))
    v = compare(b, a)
    assert v.same, v


def test_level_differs_on_identical_text() -> None:
    # Rule 2 (A1: Block's Senior vs Staff Bitcoin Platform): level beats text.
    v = compare(fp("b", "Staff Backend Engineer"), fp("a", "Senior Backend Engineer"))
    assert not v.same and v.rule == "level"
    v = compare(fp("b", "Junior Backend Engineer"), fp("a", "Backend Engineer"))
    assert not v.same and v.rule == "level"


def test_title_without_level_takes_the_level_the_text_states() -> None:
    # c55: "Full Stack Software Engineer" whose text seeks "a Senior Full Stack Software Engineer".
    text = ROLE_TEXT.replace("We are looking for an engineer", "We are looking for a Senior Backend Engineer")
    assert compare(fp("b", "Backend Engineer", text), fp("a", "Senior Backend Engineer", text)).same
    # Without that sentence the unlevelled title is another opening (Montu, LastPass …).
    assert not compare(fp("b", "Backend Engineer"), fp("a", "Senior Backend Engineer")).same


def test_company_differs_even_with_identical_text() -> None:
    # Rule 1: a staffing partner's copy (Jobs for Humanity / Turnitin), or another spelling.
    a = fp("a", "Senior Backend Engineer", company="Turnitin, LLC")
    b = fp("b", "Senior Backend Engineer", company="Jobs for Humanity")
    assert compare(b, a).rule == "company" and not compare(b, a).same
    c = fp("c", "Senior Backend Engineer", company="Outlier AI")
    d = fp("d", "Senior Backend Engineer", company="Outlier")
    assert not compare(d, c).same
    # Spelling variants of the legal form are the same company field.
    e = fp("e", "Senior Backend Engineer", company="Turnitin")
    assert compare(e, a).same


def test_unknown_company_needs_the_text_to_name_it() -> None:
    known = fp("a", "Senior Backend Engineer", company="Podium")
    unknown = fp("b", "Senior Backend Engineer", company="None")
    assert unknown.company_key is None
    assert not compare(unknown, known).same  # the text never says Podium
    named = ROLE_TEXT.replace("join our Payments Platform team", "join the Podium Payments Platform team")
    assert compare(fp("c", "Senior Backend Engineer", named, company=None), fp("d", "Senior Backend Engineer", named))
    assert compare(
        fp("e", "Senior Backend Engineer", named, company=None), fp("f", "Senior Backend Engineer", named, "Podium")
    ).same
    # Two unknown companies: identical text is the same job …
    assert compare(
        fp("g", "Senior Backend Engineer", company=None), fp("h", "Senior Backend Engineer", company=None)
    ).same
    # … a merely similar one is not (Snowflake's two Solution Engineer templates).
    assert not compare(
        fp("i", "Senior Backend Engineer", edited(ROLE_TEXT), company=None),
        fp("j", "Senior Backend Engineer", OTHER_TEXT, company=None),
    ).same


def test_different_specialism_on_one_text() -> None:
    # iHerb: "Sr. CloudSec Engineer" vs "Sr. ProdSec Engineer" on identical text, neither named in it.
    assert not compare(fp("b", "Sr. CloudSec Engineer"), fp("a", "Sr. ProdSec Engineer")).same


def test_title_rewording_supported_by_the_text() -> None:
    # c27 / c92: a title that only adds the team the text names.
    assert compare(fp("b", "Senior Backend Engineer, Payments"), fp("a", "Senior Backend Engineer")).same
    # c30: AI vs ML engineer (one word family), c144: Developer vs Engineer.
    assert compare(fp("b", "Senior Backend Developer"), fp("a", "Senior Backend Engineer")).same


def test_retitled_copy_with_the_title_word_changed_in_the_text() -> None:
    # c18: the Cognito text with one word changed to "DevOps", retitled accordingly.
    a_text = ROLE_TEXT.replace("Go and Kotlin services", "Cognito and Kotlin services")
    b_text = ROLE_TEXT.replace("Go and Kotlin services", "DevOps and Kotlin services")
    assert compare(fp("b", "DevOps Engineer", b_text), fp("a", "AWS Cognito Engineer", a_text)).same


def test_named_team_differs() -> None:
    # Rule 3 (Mynd's pods): one line names another team, everything else identical.
    a = fp("a", "Senior Software Engineer", "Engineering Pod: Lead to Lease\n" + ROLE_TEXT)
    b = fp("b", "Senior Software Engineer", "Engineering Pod: Financial Management\n" + ROLE_TEXT)
    v = compare(b, a)
    assert not v.same and v.rule == "team"


def test_different_jobs_same_company() -> None:
    assert not compare(fp("b", "Senior Frontend Engineer", OTHER_TEXT), fp("a", "Senior Backend Engineer")).same


# ---------------------------------------------------------------------------------------------
# Matcher and index
# ---------------------------------------------------------------------------------------------


def run(postings: list[PostingFingerprint], **thresholds) -> list:
    matcher = Matcher(InMemoryCandidateIndex(), **thresholds)
    out = []
    for i, p in enumerate(postings):
        m = matcher.match(p)
        matcher.add(p, m.job_id if m else f"job{i}")
        out.append(m)
    return out


def test_matcher_exact_signals() -> None:
    a = fp("a", "Senior Backend Engineer", url="https://www.board.test/job/1?utm_source=x")
    # The same page crawled again (new posting id, edited text): same URL.
    b = fp("b", "Senior Backend Engineer", OTHER_TEXT, url="https://board.test/job/1/")
    # The board's id again.
    c = fp("c", "Senior Backend Engineer", OTHER_TEXT, source_id="a", url="https://board.test/other")
    ms = run([a, b, c])
    assert ms[0] is None
    assert ms[1].reason == "same_url" and ms[1].job_id == "job0"
    assert ms[2].reason == "same_source_id" and ms[2].job_id == "job0"


def test_matcher_shared_source_id_with_another_title_is_not_a_match() -> None:
    # remotewlb: qa-engineer-92258 and senior-qa-engineer-92258 share a trailing number.
    a = fp("a", "QA Engineer", source_id="92258")
    b = fp("b", "Senior QA Engineer", OTHER_TEXT, source_id="92258")
    assert run([a, b])[1] is None


def test_matcher_generic_apply_url_is_ignored() -> None:
    generic = "https://acme.test/careers/apply"
    a = fp("a", "Senior Backend Engineer", apply_url=generic)
    b = fp("b", "Senior Frontend Engineer", OTHER_TEXT, apply_url=generic)
    c = fp("c", "Senior Backend Engineer", OTHER_TEXT, apply_url=generic)
    ms = run([a, b, c])
    assert ms[1] is None and ms[2] is None  # shared by different titles: says nothing
    d = fp("d", "Senior Backend Engineer", apply_url="https://acme.test/apply/77")
    e = fp("e", "Senior Backend Engineer", edited(ROLE_TEXT), apply_url="https://www.acme.test/apply/77?ref=x")
    assert run([d, e])[1].reason == "same_apply_url"


def test_matcher_near_duplicate_and_explanation() -> None:
    ms = run([fp("a", "Senior Backend Engineer"), fp("b", "Sr. Backend Engineer (Remote)", edited(ROLE_TEXT))])
    m = ms[1]
    assert m.reason == "near_duplicate" and m.job_id == "job0" and m.matched_posting_id == "a"
    assert 0.7 <= m.score <= 1.0 and m.detail


def test_index_is_bounded_and_company_scoped() -> None:
    index = InMemoryCandidateIndex()
    for i in range(200):
        index.add(fp(f"p{i}", "Senior Backend Engineer"), i)
    probe = fp("new", "Senior Backend Engineer")
    assert len(index.by_band_keys(probe.lsh_keys, probe.company_key, limit=25)) == 25
    other = fp("x", "Senior Backend Engineer", company="Other Co")
    assert index.by_band_keys(other.lsh_keys, other.company_key, limit=25) == []


def test_fingerprint_record_round_trip() -> None:
    a = fp("a", "Senior Backend Engineer (Payments)")
    record = json.loads(json.dumps(a.to_record()))
    b = PostingFingerprint.from_record(record)
    assert b.band_keys == a.band_keys and list(b.minhash) == list(a.minhash)
    assert (b.tokens == a.tokens).all() and b.level == a.level and b.title_tokens == a.title_tokens
    assert compare(b, a).same and compare(b, a).score == pytest.approx(1.0)
    assert all(len(k) <= 16 for k in a.band_keys)


def test_a_fingerprint_read_back_equals_the_one_stored_field_by_field() -> None:
    """Read back from its record, every field is the computed one (the word arrays, decoded when
    first read, included), in any order of reading, and it makes the same record again."""
    a = fp("a", "Senior Backend Engineer (Payments)", company="Acme")
    record = json.loads(json.dumps(a.to_record()))
    names = [f.name for f in dataclasses.fields(PostingFingerprint)]
    for order in (names, names[::-1]):
        b = PostingFingerprint.from_record(record)
        for name in order:
            mine, theirs = getattr(b, name), getattr(a, name)
            if isinstance(theirs, np.ndarray):
                assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name
            else:
                assert mine == theirs, name
        assert b.to_record() == record
    assert PostingFingerprint.from_record(record).to_record() == record  # nothing read first


def test_a_record_with_the_minhash_as_a_list_of_numbers_still_reads() -> None:
    """Records stored before the MinHash was base64 hold it as a JSON list: the same values."""
    a = fp("a", "Senior Backend Engineer (Payments)")
    record = a.to_record()
    assert isinstance(record["minhash"], str)
    older = json.loads(json.dumps(record | {"minhash": [int(value) for value in a.minhash]}))
    b = PostingFingerprint.from_record(older)
    assert b.minhash.dtype == np.uint32 and (b.minhash == a.minhash).all()
    assert compare(b, a).same and compare(b, a).score == pytest.approx(1.0)


def test_band_keys_are_the_buckets_of_datasketchs_lsh() -> None:
    from aggregator.dedup.candidates import as_minhash, band_keys, new_lsh

    a = fp("a", "Senior Backend Engineer")
    lsh = new_lsh()
    lsh.insert("a", as_minhash(a.minhash))
    digests = [key[3:] for key in band_keys(a.minhash)]
    assert [h.hex() for h in lsh.keys.get("a")] == digests
    assert a.lsh_keys == band_keys(a.minhash)


@pytest.mark.parametrize("size", [0, 1, 3, 200, 5000])
def test_minhash_is_datasketchs(size: int) -> None:
    """The numpy signature equals datasketch's MinHash (affine32, same seed) of the same set,
    and the bands are cut as MinHashLSH cuts them."""
    from datasketch import MinHash

    from aggregator.dedup.candidates import _HASHRANGES, MINHASH_SCHEME, MINHASH_SEED, NUM_PERM, minhash, new_lsh

    shingles = np.random.default_rng(size).integers(0, 1 << 32, size, dtype=np.uint64).astype(np.uint32)
    reference = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, hashfunc=int)
    reference.update_batch(shingles.tolist())
    assert minhash(shingles).tolist() == reference.hashvalues.tolist()
    assert [tuple(r) for r in new_lsh().hashranges] == list(_HASHRANGES)


def test_fingerprint_is_deterministic() -> None:
    assert fp("a", "Senior Backend Engineer").band_keys == fp("a", "Senior Backend Engineer").band_keys


# ---------------------------------------------------------------------------------------------
# On the recorded months
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def june() -> dict:
    return {p.url.rsplit("/", 1)[-1]: p for p in load_month(JUNE)}


def _fp(p) -> PostingFingerprint:
    return fingerprint(
        p.url, p.source, p.source_id, p.url, p.apply_url, p.company, p.title, p.description_text, p.location
    )


def test_translation_is_the_same_job(june: dict) -> None:
    # c17: Averna's Montréal posting in French and its English copies (word ratio ≈ 0.09).
    fr = _fp(june["developpeur-back-end-golang-test-manufacturier"])
    en = _fp(june["back-end-developer-golang-manufacturing-test"])
    assert fr.language == "fr" and en.language == "en"
    v = compare(fr, en)
    assert v.same and v.rule == "translation", v
    # Another Averna-sized French posting of another company and role is not a translation.
    other = _fp(june["tech-lead-java-defense-securite-rennes"])
    assert not compare(other, en).same


def test_level_beats_identical_text_on_recorded_postings(june: dict) -> None:
    senior = _fp(june["senior-software-engineer-bitcoin-platform"])
    staff = _fp(june["staff-software-engineer-bitcoin-platform"])
    assert not compare(staff, senior).same


@pytest.mark.parametrize("month", [JUNE, FEBRUARY], ids=lambda p: p.name)
def test_quality_floor(month: Path) -> None:
    score = evaluate_month(month, verbose=False)
    assert score.precision >= 0.97, score
    assert score.recall >= 0.95, score


def test_the_word_caches_stay_within_their_sizes_and_never_change_a_fingerprint():
    """A crawl's writer fingerprints every posting of the crawl: the word caches it keeps must not
    grow with the crawl's vocabulary, and what they hold must never change an answer."""
    import importlib
    import random
    import string

    from aggregator.dedup import text, titles

    fingerprint_module = importlib.import_module("aggregator.dedup.fingerprint")  # the package's name is the function

    rng = random.Random(7)

    def made_up_word() -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 10)))

    postings = [
        (
            f"{made_up_word().title()} Engineer",
            "\n".join(" ".join(made_up_word().title() for _ in range(20)) for _ in range(40)),
        )
        for _ in range(60)
    ]  # 48,000 words, nearly all different: more than any cache keeps

    def fingerprints() -> list[dict]:
        return [
            fingerprint(index, "board", str(index), None, None, "Acme", title, description).to_record()
            for index, (title, description) in enumerate(postings)
        ]

    first = fingerprints()
    assert len(text.RAW_HASH) <= text.TOKEN_CACHE_LIMIT and len(text._TOKEN_HASH) <= text.TOKEN_CACHE_LIMIT
    assert len(fingerprint_module._TOKEN_CODE) <= text.TOKEN_CACHE_LIMIT + 1
    for cached in (text._stem, text.norm_word, text.word_hash):
        assert cached.cache_info().currsize <= text.WORD_CACHE_SIZE
        assert cached.cache_info().misses > text.WORD_CACHE_SIZE  # the test did fill them
    assert titles.title_analysis.cache_info().maxsize <= 10_000
    # The same postings again, the caches now holding other words: the same fingerprints.
    assert fingerprints() == first
