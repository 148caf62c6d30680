"""Job deduplication, the pure part: is a new posting the same job as one already known?

"The same job" is defined in docs/dedup-spec.md: the same employer's same opening — same role,
same level, same description apart from what an employer changes when it re-lists an opening
(location, boilerplate, small edits, a translation). The package, by stage:

- ``vocab`` + ``data/``: the word lists (phrases, synonyms, levels, places, boilerplate cues);
- ``text``: folding (the normalisers' ``vocab.fold``), words, stemming (Snowball), word hashes
  and shingles;
- ``titles``: level, specialism and place words of a title; the level a text states;
- ``boilerplate``: which description lines are company blurb / benefits / legal text;
- ``language``: the description's language (py3langid);
- ``candidates``: MinHash and LSH band keys (datasketch's, computed with numpy), the candidate
  index protocol and an in-memory index on datasketch (the SQL one is
  ``repository.SqlCandidateIndex``);
- ``fingerprint``: what is stored per posting;
- ``rules``: one function per rule of the spec, and ``compare``;
- ``matcher``: exact signals, then near-duplicates among the candidates.

How it is used, incrementally and in roughly constant time per posting::

    index = InMemoryCandidateIndex()          # or the SQL-backed index (same protocol)
    matcher = Matcher(index)
    fp = fingerprint(posting_id, source, source_id, url, apply_url, company, title, text)
    match = matcher.match(fp)                 # Match(job_id, reason, score, …) or None
    job_id = match.job_id if match else new_job_id()
    matcher.add(fp, job_id)                   # == index.add(fp, job_id)

``Match.other_job_ids`` lists earlier jobs the new posting also belongs to: merging them into
``Match.job_id`` keeps one row per real job. Nothing here touches a database or Scrapy.
"""

from aggregator.dedup.candidates import BANDS, NUM_PERM, ROWS, CandidateIndex, InMemoryCandidateIndex
from aggregator.dedup.fingerprint import FINGERPRINT_VERSION, PostingFingerprint, fingerprint
from aggregator.dedup.matcher import Match, Matcher
from aggregator.dedup.rules import Thresholds, Verdict, compare
from aggregator.dedup.titles import TitleInfo, title_analysis


def load_word_lists_and_models() -> None:
    """Load now what the first fingerprint would otherwise load (the language model, the place
    names, the phrase tables, the MinHash permutations): a crawl's writer does it while it starts."""
    from aggregator.dedup import candidates, language, text, titles

    language.identifier()
    titles.gazetteer()
    text.phrase_tables()
    candidates.permutations(candidates.NUM_PERM)


__all__ = [
    "FINGERPRINT_VERSION",
    "NUM_PERM",
    "BANDS",
    "ROWS",
    "PostingFingerprint",
    "fingerprint",
    "title_analysis",
    "TitleInfo",
    "Thresholds",
    "Verdict",
    "compare",
    "Match",
    "CandidateIndex",
    "InMemoryCandidateIndex",
    "Matcher",
    "load_word_lists_and_models",
]
