"""Redirects that cannot lead to a posting end as a clear fetch problem, never as silence.

Scrapy's RedirectMiddleware hands a redirect loop to the duplicate filter and an off-site target
to the offsite filter, and both drop the request without calling its errback: the page vanishes.
Here both raise ``IgnoreRequest`` with a reason a person understands, so the request's errback
stores it as a reject. Meta refresh is only followed from the page's ``<head>``: a
``<meta http-equiv="refresh">`` inside a posting's description is content, not navigation.
"""

from __future__ import annotations

import re

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.httpobj import urlparse_cached
from w3lib.html import get_meta_refresh

_REFRESH = re.compile(rb"(?i)http-equiv\s*=\s*[\"']?refresh")


def check_redirect(crawler, request: Request, redirected: Request) -> None:
    """Raise ``IgnoreRequest`` when ``redirected`` goes back to a URL of its own chain or off-site."""
    chain = [*request.meta.get("redirect_urls", []), request.url]
    if redirected.url in chain:
        loop = " → ".join([*chain[chain.index(redirected.url) :], redirected.url])
        raise IgnoreRequest(f"redirect loop: {loop}")
    spider = crawler.spider
    offsite = crawler.get_downloader_middleware(OffsiteMiddleware)
    # Checked whatever dont_filter says: retried requests carry dont_filter=True, and so would
    # their redirects, which the offsite filter would then let through to any host.
    if offsite and not redirected.meta.get("allow_offsite") and not offsite.should_follow(redirected, spider):
        host = urlparse_cached(redirected).hostname
        raise IgnoreRequest(f"redirects off-site to {host} ({redirected.url}), outside the board's domains")


class CheckedRedirectMiddleware(RedirectMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            check_redirect(self.crawler, request, result)
        return result


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Follows ``<meta http-equiv="refresh">`` only where browsers honour it for navigation: the head."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not isinstance(response, HtmlResponse) or request.meta.get("dont_redirect") or request.method == "HEAD":
            return response
        if not _REFRESH.search(response.body):  # most pages: no need to parse them here
            return response
        head_metas = response.xpath(
            "/html/head/meta[translate(@http-equiv, 'REFRESH', 'refresh') = 'refresh']"
        ).getall()
        if not head_metas:
            return response
        interval, url = get_meta_refresh("".join(head_metas), baseurl=response.url, ignore_tags=())
        if not url or interval is None or interval >= self._maxdelay:
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in {"http", "https"}:
            return response
        check_redirect(self.crawler, request, redirected)
        return self._redirect(redirected, request, "meta refresh")
