"""The search page in a real browser: headless Chromium (Debian's chromium and chromium-driver) drives
`aggregator serve`'s app, served by uvicorn on a loopback port, over a real crawl of the recorded site."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import uvicorn

from aggregator.db import read_only_engine
from aggregator.web import create_app
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = ROOT / "test-output"

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium and chromium-driver", pytrace=False)
    pytest.skip("no chromium/chromedriver (apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(remotewlb_crawled_twice):
    engine = read_only_engine(remotewlb_crawled_twice["url"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", remotewlb_crawled_twice["url"]
    server.should_exit = True
    thread.join(timeout=30)
    engine.dispose()


def click_and_wait(browser, element) -> None:
    """Click a link or button and wait until the next page has replaced this one: a click returns before
    the navigation, and elements looked up in between belong to the old page and go stale."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_driver) -> bool:
        try:
            old_page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            # Mid-navigation Chromium may say so in its own words instead (seen in CI, once).
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    WebDriverWait(browser, 30).until(replaced)
    WebDriverWait(browser, 30).until(lambda driver: driver.execute_script("return document.readyState") == "complete")


def submit_search(browser) -> None:
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]"))


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_search_filter_open_a_job_and_follow_feed_and_export_links(served, browser):
    base, database_url = served
    browser.get(base + "/")
    total_everything = int(browser.find_element(By.ID, "total").text.split()[0])
    assert total_everything > 0
    SCREENSHOTS.mkdir(exist_ok=True)
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    browser.save_screenshot(str(SCREENSHOTS / f"search-page-{backend}.png"))

    # Search and filter by time zone through the form, as a person would.
    browser.find_element(By.NAME, "q").send_keys("developer")
    browser.find_element(By.NAME, "timezone").send_keys("UTC+1")
    submit_search(browser)
    asked = parse_qs(urlparse(browser.current_url).query)
    assert asked["q"] == ["developer"] and asked["timezone"] == ["UTC+1"]
    total = int(browser.find_element(By.ID, "total").text.split()[0])
    api_total = httpx.get(base + "/api/jobs", params={"q": "developer", "timezone": "UTC+1"}).json()["total"]
    assert total == api_total <= total_everything
    assert browser.find_element(By.NAME, "timezone").get_attribute("value") == "UTC+1"  # kept in the form

    # Filter by country: the first country any job names.
    country = next(
        code for job in httpx.get(base + "/api/jobs", params={"limit": 100}).json()["jobs"] for code in job["countries"]
    )
    browser.get(base + "/")
    browser.find_element(By.NAME, "country").send_keys(country)
    submit_search(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tr.job")
    assert rows and all(country in row.find_elements(By.TAG_NAME, "td")[2].text for row in rows)

    # Open a job.
    link = rows[0].find_element(By.TAG_NAME, "a")
    title = link.text
    click_and_wait(browser, link)
    assert browser.find_element(By.ID, "title").text == title
    assert browser.find_elements(By.CSS_SELECTOR, "#postings tr.posting")
    assert browser.find_elements(By.CSS_SELECTOR, 'script[type="application/ld+json"]')

    # The feed and export links of the search.
    browser.back()
    for link_id, media_type in (("feed-link", "application/atom+xml"), ("csv-link", "text/csv"),
                                ("ndjson-link", "application/x-ndjson")):  # fmt: skip
        href = browser.find_element(By.ID, link_id).get_attribute("href")
        assert parse_qs(urlparse(href).query)["country"] == [country]
        answer = httpx.get(href)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media_type)
    click_and_wait(browser, browser.find_element(By.ID, "feed-link"))
    assert "<feed" in browser.page_source or "Atom" in browser.page_source or "entry" in browser.page_source


def test_a_bad_filter_shows_the_parameter(served, browser):
    base, _ = served
    browser.get(base + "/")
    browser.find_element(By.NAME, "min_salary").send_keys("lots")
    submit_search(browser)
    assert "min_salary" in browser.find_element(By.ID, "error").text
