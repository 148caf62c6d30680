"""The window of UTC offsets a remote posting asks you to work in (labels: TIMEZONE-SPEC.md).

Pure functions: location line, title and description text in, ``TimeZoneWindow`` out. The hard
part is telling requirements ("must live in PST or MST") from mentions ("our team spans 8 time
zones", a French ``CET``, Covey's ``AEDT`` tool), so each sentence is read on its own:

1. find the zones it names (abbreviations, ``UTC+2``, "Eastern time", "US time zones", "CET ±2h");
   an ambiguous name (PT, CT, IST, "Pacific", "East Coast") counts only beside a time word;
2. keep the sentence only if it states a requirement and is not a team description, flexibility
   boilerplate or a deadline;
3. of the kept sentences, the spec's first applicable rule decides: an explicit range or
   tolerance, then where you may live, then the hours you must work, then overlap with a reference.

Each clause of a sentence ("Although ..., this role ...", "... but ...") is read on its own, and
inherits its sentence's requirement unless it describes the team.

Zones map to their standard (winter) offset, read from the IANA database through ``zoneinfo``;
cities and single-offset countries inside a time phrase ("Chicago time", "horário de Brasília",
"Israel business hours") come from the same database's zone names and ``iso3166.tab``/``zone.tab``;
windows are clipped to [-12, 14]; a set of zones that is narrower going round the date line
than across it wraps (``tz_min > tz_max``).

The package, by stage: ``zones`` (zone words and offsets, IANA cities and countries), ``wording``
(requirement, team and hour words), ``mentions`` (the zones a sentence names), ``rules`` (the
spec's rules per sentence), ``window`` (``extract_window``) and ``user_input`` (``parse_offset``).
"""

from aggregator.normalise.timezone.user_input import parse_offset
from aggregator.normalise.timezone.window import extract_window
from aggregator.normalise.timezone.zones import ANY, TimeZoneWindow, standard_offset

__all__ = ["TimeZoneWindow", "ANY", "extract_window", "parse_offset", "standard_offset"]
