import re

import scrapy

from aggregator.bases.feed import split_list
from aggregator.bases.sitemap import SitemapJobSpider
from aggregator.extract import jobposting


class JobPostingSpider(SitemapJobSpider):
    """Any site with schema.org JobPosting: `-a sitemap=URL[,URL]` (a sitemap, index or robots.txt;
    optional `-a follow=REGEX` for which child sitemaps to read and `-a allow=REGEX` for which page URLs
    to fetch) and/or `-a urls=URL,URL` (posting pages)."""

    name = "jobposting"
    schedule = "0 2 * * *"
    terms = "Whatever site you point it at: its robots.txt is obeyed and it is crawled at 1 request/s at most"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    enabled_by_default = False  # needs -a sitemap=… or -a urls=…
    complete_listing = False  # one source for many sites: a run of one site says nothing of the others

    def __init__(self, *args, sitemap=None, follow=None, allow=None, urls=None, **kwargs):
        super().__init__(*args, **kwargs)
        sitemaps = split_list(sitemap)
        self.robots_url = next((url for url in sitemaps if url.endswith("/robots.txt")), None)
        self.sitemap_urls = tuple(url for url in sitemaps if url != self.robots_url)
        self.follow = re.compile(follow) if follow else None
        self.posting_url_pattern = allow or ""
        self.page_urls = split_list(urls)

    async def start(self):
        if not (self.robots_url or self.sitemap_urls or self.page_urls):
            self.logger.warning("jobposting: nothing to crawl; pass -a sitemap=URL or -a urls=URL,URL")
        async for request in super().start():
            yield request
        for url in self.page_urls:
            if not self.owns(url):  # another part of a split crawl fetches it
                continue
            yield scrapy.Request(
                url, callback=self.parse_posting, errback=self.on_fetch_error, meta={"posting_page": True}
            )

    def parse_sitemap(self, response):
        for output in super().parse_sitemap(response):  # requests, or PostingSeen for unchanged pages
            child = isinstance(output, scrapy.Request) and output.callback == self.parse_sitemap
            if child and self.follow and not self.follow.search(output.url):
                self.crawler.stats.inc_value("aggregator/sitemap/sitemaps_not_followed")
                continue
            yield output

    def extract(self, record, response):
        context = self.context(response)
        return self.with_warnings(response, jobposting.extract(record, context), context)
