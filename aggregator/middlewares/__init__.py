"""Downloader middlewares that replace Scrapy's own where a nightly crawl needs stricter rules."""
