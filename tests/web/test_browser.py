"""The dashboard in real headless Chromium (Debian's chromium + chromedriver, driven by Selenium): every page loads
without console errors and is not blank, shows the numbers the CLI's --json gives, sorts a table, polls a background
check to its end, and a promote/rollback round trip works through the pages."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import production
from soloml.cli.app import app

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PAGES = {
    "board": "/",
    "project": "/projects/churn",
    "data": "/data",
    "models": "/models",
    "experiments": "/experiments",
}

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
if not (CHROMIUM.is_file() or shutil.which("chromium")) or not (CHROMEDRIVER.is_file() or shutil.which("chromedriver")):
    pytest.skip(
        "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM if CHROMIUM.is_file() else shutil.which("chromium"))
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        service=Service(executable_path=str(CHROMEDRIVER if CHROMEDRIVER.is_file() else shutil.which("chromedriver"))),
        options=options,
    )
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def cli_json(ws, *args: str):
    result = CliRunner().invoke(app, [*args, "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def not_blank(png: bytes) -> bool:
    """More than a background: many distinct shades, dark text on a light page."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    low, high = image.getextrema()
    return high - low > 100 and len(image.resize((200, 150)).getcolors(maxcolors=40_000) or ()) > 20


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_without_console_errors_and_its_screenshot_is_not_blank(browser, ui_url, name, tmp_path):
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(ui_url + PAGES[name])
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert console_errors(browser) == []
    png = browser.get_screenshot_as_png()
    (tmp_path / f"{name}.png").write_bytes(png)
    assert not_blank(png), name


def test_the_board_shows_the_rows_soloml_board_writes(browser, ui_url, demo_ws):
    expected = cli_json(demo_ws, "board")["rows"]
    browser.get(ui_url + "/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#board tbody tr")
    assert [r.get_attribute("data-project") for r in rows] == [e["project"] for e in expected]
    for row, e in zip(rows, expected, strict=True):
        assert row.find_element(By.CSS_SELECTOR, ".stage").text == e["stage"]
        assert row.find_element(By.CSS_SELECTOR, ".status").text == e["status"]
        assert row.find_element(By.CSS_SELECTOR, ".priority").text == e["priority"]
        assert row.find_element(By.CSS_SELECTOR, ".next").text == e["next_step"].strip()
        assert row.find_element(By.CSS_SELECTOR, ".due").text == e["due"].strip()


def test_the_models_page_shows_the_versions_soloml_models_lists(browser, ui_url, demo_ws):
    expected = cli_json(demo_ws, "models")
    browser.get(ui_url + "/models")
    for m in expected:
        row = browser.find_element(By.CSS_SELECTOR, f'section#{m["project"]} tr[data-version="{m["version"]}"]')
        assert row.find_element(By.CSS_SELECTOR, ".aliases").text == ", ".join(m["aliases"])
        assert row.find_element(By.CSS_SELECTOR, ".score").text == f"{m['model_score']:.3f}"


def test_the_data_page_shows_the_tables_soloml_tables_lists_and_sorts_them(browser, ui_url, demo_ws):
    expected = {t["table"]: t["rows"] for t in cli_json(demo_ws, "tables")["tables"]}
    browser.get(ui_url + "/data")
    cells = browser.find_elements(By.CSS_SELECTOR, "#table-list tbody tr")
    shown = {
        r.get_attribute("data-table"): int(r.find_element(By.CSS_SELECTOR, ".rows").text.replace(",", ""))
        for r in cells
    }
    assert shown == expected
    browser.find_element(By.XPATH, "//table[@id='table-list']//th[text()='Rows']").click()
    ordered = [
        int(r.find_element(By.CSS_SELECTOR, ".rows").get_attribute("data-value"))
        for r in browser.find_elements(By.CSS_SELECTOR, "#table-list tbody tr")
    ]
    assert ordered == sorted(expected.values())


def test_the_project_page_shows_the_latest_list_and_the_model_against_its_baselines(browser, ui_url, demo_ws):
    meta = json.loads(
        (demo_ws.models_dir / "churn" / production(demo_ws) / "metadata.json").read_text(encoding="utf-8")
    )
    browser.get(ui_url + "/projects/churn")
    scores = browser.find_element(By.ID, "scores").text
    assert f"{meta['model_score']:.3f}" in scores
    for value in meta["baseline_scores"].values():
        if value is not None:
            assert f"{value:.3f}" in scores
    assert browser.find_element(By.CSS_SELECTOR, "#drivers svg rect")
    assert browser.find_element(By.ID, "csv").get_attribute("href").endswith("/projects/churn/predictions.csv")


def test_promote_and_rollback_round_trip_through_the_pages(browser, ui_url, demo_ws):
    assert production(demo_ws) == "v0001"
    browser.get(ui_url + "/models")
    browser.find_element(By.CSS_SELECTOR, 'section#churn tr[data-version="v0002"] a.promote').click()
    assert "Are you sure?" in browser.find_element(By.TAG_NAME, "h1").text
    assert production(demo_ws) == "v0001"
    browser.find_element(By.ID, "confirm").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "done")))
    assert production(demo_ws) == "v0002"
    assert "production" in browser.find_element(By.CSS_SELECTOR, 'section#churn tr[data-version="v0002"] .aliases').text
    browser.find_element(By.CSS_SELECTOR, "section#churn a.rollback").click()
    browser.find_element(By.ID, "confirm").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "done")))
    assert production(demo_ws) == "v0001"
    assert "production" in browser.find_element(By.CSS_SELECTOR, 'section#churn tr[data-version="v0001"] .aliases').text
    assert console_errors(browser) == []


def test_a_check_started_from_the_page_is_polled_until_it_is_done(browser, ui_url):
    browser.get(ui_url + "/projects/churn")
    browser.find_element(By.ID, "run-check").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.ID, "job")))
    browser.execute_script("window.__sameDocument = 42")
    state = "var job = document.getElementById('job'); return job && job.getAttribute('data-state');"  # one read: the section is swapped under us
    WebDriverWait(browser, 120, poll_frequency=0.5).until(lambda d: d.execute_script(state) not in (None, "running"))
    assert (
        browser.execute_script("return window.__sameDocument") == 42
    )  # the section updated in place (htmx-mini), no reload
    assert browser.execute_script(state) == "done"
    assert browser.find_elements(By.CSS_SELECTOR, "#job li")
    assert console_errors(browser) == []
