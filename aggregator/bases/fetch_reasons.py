"""A fetch failure in words a person understands: what the rejects table says about a page."""

from __future__ import annotations

import gzip
import zlib

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

# What Scrapy's HttpCompressionMiddleware raises on a body its Content-Encoding does not describe.
_DECODING_ERRORS = (gzip.BadGzipFile, zlib.error, EOFError)


def fetch_failure_reason(failure: Failure) -> str:
    """``HTTP 404`` (the lifecycle matches these exactly), or a sentence naming what went wrong."""
    if failure.check(HttpError):
        response = failure.value.response
        reason = f"HTTP {response.status}"
        retry_after = response.headers.get(b"Retry-After")
        if retry_after and response.status in (429, 503):
            reason += f" (Retry-After: {retry_after.decode('latin-1')})"
        return reason
    message = failure.getErrorMessage()
    if failure.check(IgnoreRequest):
        if message == "max redirections reached":
            return "too many redirects (more than REDIRECT_MAX_TIMES)"
        return message[:500]
    if failure.check(DownloadCancelledError):
        return f"response larger than DOWNLOAD_MAXSIZE: {message}"[:500]
    if failure.check(*_DECODING_ERRORS):
        return f"undecodable body: its Content-Encoding could not be decoded ({failure.type.__name__}: {message})"[:500]
    return f"{failure.type.__name__}: {message}"[:500]
