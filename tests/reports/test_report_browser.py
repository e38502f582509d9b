"""The report opens in a real browser (Debian's headless Chromium): no console error, no request beyond the file, not blank."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from soloml.reports.project_report import write_report

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        pytest.skip(
            f"Chromium or its driver is absent ({CHROMIUM}, {CHROMEDRIVER}); apt-get install chromium chromium-driver"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1000,1400",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def opened(browser, demo_ws, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report_browser")
    written = write_report(demo_ws, "churn", out_dir=folder)
    browser.get_log("performance")  # start from a clean log
    browser.get(written.html.resolve().as_uri())
    return browser, written


def test_the_report_renders_without_console_errors(opened):
    driver, _ = opened
    assert [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")] == []
    assert driver.find_element("css selector", "h1").text.startswith("churn: the project report")
    assert driver.find_element("css selector", "#model svg").size["height"] > 50


def test_the_report_asks_for_nothing_beyond_its_own_file(opened):
    driver, written = opened
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls and all(u == written.html.resolve().as_uri() or u.startswith(("data:", "about:")) for u in urls), urls


def test_a_screenshot_of_the_report_is_not_blank(opened):
    from PIL import Image

    driver, _ = opened
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert image.size[0] > 500 and len(colours) > 50  # text, the summary box, the chart: many colours, not one
    dark = sum(count for count, (r, g, b) in colours if r + g + b < 200)
    assert dark > 0.002 * image.size[0] * image.size[1]  # ink on the page
