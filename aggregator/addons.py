"""Scrapy add-ons of the project (the ADDONS setting): applied to a crawl's final settings, those of
the command line included."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Default components that read their switch only once imported, and the libraries they import
# first: the remote control's aiohttp (~9 MB), the cookie jar's tldextract and requests (~3 MB).
SWITCHED_OFF_BY = {
    "scrapy.extensions.telnet.TelnetConsole": ("EXTENSIONS_BASE", "TELNETCONSOLE_ENABLED"),
    "scrapy.extensions.remote_control.RemoteControl": ("EXTENSIONS_BASE", "REMOTE_CONTROL_ENABLED"),
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": ("DOWNLOADER_MIDDLEWARES_BASE", "COOKIES_ENABLED"),
}


class SwitchedOffLeftOut:
    """A default component whose setting is off is left out of Scrapy's defaults, so its module and
    libraries are never imported (Scrapy would import it to let it decline); with its setting on
    (``-s COOKIES_ENABLED=True``) it is there as usual."""

    def update_settings(self, settings: BaseSettings) -> None:
        for path, (components, switch) in SWITCHED_OFF_BY.items():
            if settings.getbool(switch):
                continue
            defaults = settings.getdict(components)
            if defaults.pop(path, None) is not None:
                settings.set(components, defaults, priority=settings.getpriority(components))
