"""Retries that honour the server's ``Retry-After`` on 429 and 503.

Scrapy's RetryMiddleware retries at once, whatever the server asked. Here a 429/503 that carries
``Retry-After`` (seconds or an HTTP date) is retried only after that long, waited without blocking
the reactor. A wait longer than ``RETRY_AFTER_MAX_DELAY`` is not shortened (that would be rude and
pointless): the request is given up and its errback stores the response with the server's answer.
Other retryable answers behave as in Scrapy.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now (0 for a past date); None when absent or unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.max_delay = settings.getfloat("RETRY_AFTER_MAX_DELAY")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        delay = None
        if response.status in RETRY_AFTER_STATUSES and not request.meta.get("dont_retry", False):
            delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is None or response.status not in self.retry_http_codes:
            return super().process_response(request, response)
        stats = self.crawler.stats
        if delay > self.max_delay:
            stats.inc_value("aggregator/retry_after/too_long")
            self.crawler.spider.logger.warning(
                "%s answered %s with Retry-After %.0f s, more than RETRY_AFTER_MAX_DELAY (%.0f s): not retried",
                request.url, response.status, delay, self.max_delay,
            )  # fmt: skip
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        stats.inc_value("aggregator/retry_after/waits")
        stats.max_value("aggregator/retry_after/longest_wait_seconds", delay)
        # Only this request waits; the reactor and the other downloads go on.
        await sleep(delay)
        return retry
