from aggregator.bases.sitemap import SitemapJobSpider
from aggregator.extract import remotewlb


class RemoteWLBSpider(SitemapJobSpider):
    """remotewlb.com: every posting is in a monthly sitemap shard and has JobPosting JSON-LD."""

    name = "remotewlb"
    terms = "Public sitemaps and robots.txt (Allow: /); no published API terms. Polite default rate."
    allowed_domains = ["remotewlb.com", "www.remotewlb.com"]
    robots_url = "https://remotewlb.com/robots.txt"
    posting_url_pattern = r"^https?://(www\.)?remotewlb\.com/job/[^/?#]+/?$"

    def extract(self, record, response):
        context = self.context(response)
        return self.with_warnings(response, remotewlb.extract(record, context), context)
