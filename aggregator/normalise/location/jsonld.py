"""location_from_jsonld: schema.org JobPosting location fields → Location."""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.normalise.location.gazetteer import _gazetteer
from aggregator.normalise.location.parse import parse_location
from aggregator.normalise.location.vocabulary import Location, _key

# --------------------------------------------------------------------------------------
# schema.org JobPosting
# --------------------------------------------------------------------------------------


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _name_of(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for k in ("name", "addressCountry", "identifier", "alternateName"):
            v = value.get(k)
            if isinstance(v, str) and v.strip():
                return v.strip()
            if isinstance(v, dict):
                inner = _name_of(v)
                if inner:
                    return inner
    return ""


def _country_from_name(name: str) -> str | None:
    """A country given as ISO alpha-2, alpha-3 or a name."""
    gaz = _gazetteer()
    token = name.strip()
    if not token:
        return None
    upper = token.upper()
    if upper == "UK":
        return "GB"
    if len(upper) == 2 and upper in gaz.alpha2:
        return upper
    if len(upper) == 3 and upper in gaz.alpha3:
        return gaz.alpha3[upper]
    key = _key(token)
    hit = gaz.vocab.get(key)
    if hit and hit[0] == "COUNTRY" and len(hit[1]) == 1:
        return hit[1][0]
    for s in gaz.senses(key):
        if s[0] == "country":
            return s[1]
    return None


def _region_countries(name: str, country: str | None) -> set[str]:
    """A state / administrative area given as code or name, optionally within a country."""
    gaz = _gazetteer()
    token = name.strip()
    upper = token.upper()
    if country:
        return {country}
    if len(upper) == 2 and upper in gaz.us_states:
        return {"US"}
    if len(upper) == 2 and upper in gaz.ca_provinces:
        return {"CA"}
    key = _key(token)
    ccs = {s[1] for s in gaz.senses(key) if s[0] in ("state", "subdiv")}
    if len(ccs) == 1:
        return ccs
    parsed = parse_location(token)
    return set(parsed.countries)


def _iter_requirement_countries(requirements: Iterable[object]) -> tuple[set[str], set[str], bool]:
    """Countries and regions of applicantLocationRequirements; the bool says whether any
    requirement restricts the location (a "Worldwide" / "Anywhere" entry does not)."""
    countries: set[str] = set()
    regions: set[str] = set()
    restricted = False
    for req in requirements:
        name = _name_of(req)
        if not name:
            continue
        kind = str(req.get("@type", "")).lower() if isinstance(req, dict) else ""
        if kind in ("state", "administrativearea", "city", "place"):
            cc = None
            if isinstance(req, dict):
                contained = req.get("containedInPlace") or req.get("addressCountry")
                if contained:
                    cc = _country_from_name(_name_of(contained))
            found = _region_countries(name, cc)
            if found:
                countries |= found
                restricted = True
                continue
        cc = _country_from_name(name)
        if cc:
            countries.add(cc)
            restricted = True
            continue
        parsed = parse_location(name)
        if parsed.worldwide:
            continue
        countries |= set(parsed.countries)
        regions |= set(parsed.regions)
        restricted = True
    return countries, regions, restricted


def _address_countries(place: object) -> set[str]:
    if isinstance(place, str):
        return set(parse_location(place).countries)
    if not isinstance(place, dict):
        return set()
    address = place.get("address", place)
    if isinstance(address, list):
        out: set[str] = set()
        for a in address:
            out |= _address_countries({"address": a})
        return out
    if isinstance(address, str):
        return set(parse_location(address).countries)
    if not isinstance(address, dict):
        return set()
    country = _name_of(address.get("addressCountry")) if address.get("addressCountry") else ""
    if country:
        cc = _country_from_name(country)
        if cc:
            return {cc}
    region = _name_of(address.get("addressRegion")) if address.get("addressRegion") else ""
    locality = _name_of(address.get("addressLocality")) if address.get("addressLocality") else ""
    parts = [p for p in (locality, region, country) if p]
    if not parts:
        return set()
    return set(parse_location(", ".join(parts)).countries)


def location_from_jsonld(
    job_location_type: object = None,
    applicant_location_requirements: object = None,
    job_location: object = None,
) -> Location | None:
    """Location from schema.org JobPosting fields; None when they say nothing usable.

    * ``jobLocationType`` "TELECOMMUTE" means remote (a "HYBRID" value, which some boards
      emit, means hybrid).
    * ``applicantLocationRequirements`` (Country / State / AdministrativeArea objects or a
      list of them, names or codes) give the countries applicants may live in.
    * ``jobLocation`` (Place with a PostalAddress) gives countries when there is no
      applicant requirement and the job is not a worldwide telecommute.
    * TELECOMMUTE with no applicant requirement is worldwide.
    """
    types = {str(t).strip().upper() for t in _as_list(job_location_type) if t}
    telecommute = any("TELECOMMUTE" in t or t == "REMOTE" for t in types)
    hybrid = any("HYBRID" in t for t in types)
    requirements = _as_list(applicant_location_requirements)
    req_countries, req_regions, has_req = _iter_requirement_countries(requirements)
    place_countries: set[str] = set()
    for place in _as_list(job_location):
        place_countries |= _address_countries(place)

    if hybrid:
        workplace = "hybrid"
    elif telecommute:
        workplace = "remote"
    else:
        workplace = "unknown"

    if workplace == "remote" and not has_req:
        # A telecommute job with no applicant requirement is open worldwide; the office
        # address (jobLocation) says nothing about where applicants may live.
        return Location("remote", True, (), ())
    countries = req_countries if (req_countries or req_regions) else place_countries
    regions = req_regions
    if workplace == "unknown" and not countries and not regions:
        return None
    return Location(workplace, False, tuple(sorted(countries)), tuple(sorted(regions)))
