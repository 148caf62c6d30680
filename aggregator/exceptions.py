from scrapy.exceptions import DropItem


class RejectedItem(DropItem):
    """An item that fails validation: stored in ``rejects`` with its URL and reason."""

    def __init__(self, reason: str):
        super().__init__(reason, log_level="WARNING")
        self.reason = reason


class DuplicateItem(DropItem):
    """The same (source, source_key) again within one crawl: stored once, the copy is dropped."""

    def __init__(self, message: str):
        super().__init__(message, log_level="DEBUG")
