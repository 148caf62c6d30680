"""Signals of our own, sent through Scrapy's signal manager."""

# A page or record could not be turned into a posting: args url, stage, reason, payload.
posting_problem = object()
