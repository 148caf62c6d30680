"""URLs → canonical comparison keys.

``canonical_url`` keeps what identifies a resource and drops what only says how a visitor got
there: the scheme, ``www.``, a default port, the fragment, a trailing slash, and tracking query
parameters (``utm_*``, ``gclid``, ``fbclid``, ``ref``, ``source`` …). The remaining query
parameters are sorted and percent-encoding is made uniform (w3lib's ``canonicalize_url``), the
host is lower-cased. The result is a key (``remotewlb.com/job/x?id=1``), not a fetchable URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

__all__ = ["canonical_url", "TRACKING_PARAMS", "is_tracking_param", "web_url"]

# Exact names (compared lower-cased).
TRACKING_PARAMS = frozenset(
    {
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "mkt_tok",
        "ref",
        "ref_src",
        "ref_url",
        "referer",
        "referrer",
        "refid",
        "source",
        "src",
        "trk",
        "trkinfo",
        "trackingid",
        "tracking_id",
        "cmpid",
        "si",
        "spm",
        "_ga",
        "_gl",
        "gh_src",
        "gh_jid_src",
        "lever-source",
        "lever-origin",
        "lever-source[]",
        "jobsource",
        "jobboard",
        "sourcetype",
        "apply_source",
        "rx_source",
        "rx_campaign",
        "rx_medium",
        "rx_group",
        "rx_job",
        "rx_ch",
        "rx_paid",
        "rx_r",
        "rx_ts",
        "rx_viewer",
        "iis",
        "iisn",
        "icid",
    }
)
# Prefixes: utm_source, utm_medium, pk_campaign, mtm_source, hsa_cam …
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "matomo_", "piwik_", "oly_", "vero_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_OTHER_SCHEME = re.compile(r"^(?:mailto|tel|sms|javascript|data|about|urn):", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str | None) -> str | None:
    """The comparison key of a URL, or None for a blank/unusable one.

    >>> canonical_url("HTTPS://WWW.Example.com:443/jobs/42/?utm_source=x&b=2&a=1#apply")
    'example.com/jobs/42?a=1&b=2'
    """
    if url is None:
        return None
    text = str(url).strip()
    if not text:
        return None
    if text.startswith("//"):
        text = "http:" + text
    elif _OTHER_SCHEME.match(text):
        # mailto:jobs@acme.com, tel:… — not web pages; compared as written, case-folded.
        if text.lower().startswith(("javascript:", "data:", "about:")):
            return None
        return re.sub(r"\s+", "", text).lower()
    elif not _SCHEME.match(text):
        text = "http://" + text
    try:
        if "?" in text or "%" in text or not text.isascii() or " " in text:
            # Query sorting and percent-encoding rules: w3lib (slow, so only when needed).
            text = canonicalize_url(text, keep_fragments=False)
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or any(ch.isspace() for ch in host):
        return None
    if host.startswith("www."):
        host = host[4:]
    elif re.match(r"^www\d+\.", host):
        host = host.split(".", 1)[1]
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    query.sort()
    path = re.sub(r"/{2,}", "/", parts.path or "")
    path = path.rstrip("/")
    if path in ("/index.html", "/index.htm", "/index.php"):
        path = ""
    key = urlunsplit(("", netloc, path, urlencode(query), ""))
    return key.removeprefix("//") or None


def _is_web(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def web_url(value: str | None, base: str | None = None) -> tuple[str | None, str | None]:
    """``(url, problem)``: an absolute http(s) URL to store, or None and why not.

    A relative URL is resolved against ``base`` (the page it was found on); ``javascript:``,
    ``data:``, ``mailto:`` and every other scheme are not web pages a visitor can open.

    >>> web_url("/jobs/42", "https://example.com/board")
    ('https://example.com/jobs/42', None)
    >>> web_url("javascript:apply()")
    (None, 'not_http')
    """
    if value is None or not str(value).strip():
        return None, None
    text = str(value).strip()
    if text.startswith("//"):
        text = "https:" + text
    if _SCHEME.match(text) or _OTHER_SCHEME.match(text) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        return (text, None) if _is_web(text) else (None, "not_http")
    if base and _is_web(base):
        resolved = urljoin(base, text)
        return (resolved, None) if _is_web(resolved) else (None, "not_http")
    return None, "relative_without_base"
