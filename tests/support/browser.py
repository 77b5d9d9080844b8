"""Debian's Chromium, driven through its ChromeDriver by Selenium, for the console's browser tests.

Chromium runs headless with the flags this machine needs (no sandbox as root, no background networking: the
closed network refuses it), in a new profile each session. ``axe`` runs axe-core (from the npm registry, as
bin/setup installs it) in the page and returns its serious and critical violations. ``shoot`` saves a screenshot
under the session's directory, and under docs/console/ when ``UPDATE_SCREENSHOTS=1`` (how the README's pictures
are made).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AXE = os.path.join(ROOT, "services", "console", "node_modules", "axe-core", "axe.min.js")
SCREENSHOTS = os.path.join(ROOT, "docs", "console")
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def chromium(width: int = 1200, height: int = 1000) -> tuple[WebDriver, str]:
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver, profile


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("Chromium and ChromeDriver are missing: bin/services-up installs Debian's chromium and "
                    "chromium-driver")
    driver, profile = chromium()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 20, reload: bool = False,
             message: str = "") -> Any:
    """Waits until ``condition(driver)`` is truthy (reloading the page between tries when ``reload``: for what
    reaches a page through the broker)."""
    def check(d: WebDriver) -> Any:
        found = condition(d)
        if not found and reload:
            d.refresh()
        return found

    return WebDriverWait(driver, timeout, poll_frequency=0.3, ignored_exceptions=(
        StaleElementReferenceException, NoSuchElementException)).until(check, message)


def text(driver: WebDriver) -> str:
    """The page's visible text, read by the page itself (no element handle to go stale as the page changes)."""
    return str(driver.execute_script("return document.body ? document.body.innerText : ''"))


def fill(driver: WebDriver, values: dict[str, str]) -> None:
    """Types into inputs by name, and picks radios and selects by value."""
    for name, value in values.items():
        element = driver.find_element(By.NAME, name) if not name.startswith("radio:") else None
        if element is None:
            field, _, choice = name[len("radio:"):].partition("=")
            driver.find_element(By.CSS_SELECTOR, f'input[name="{field}"][value="{choice}"]').click()
        elif element.tag_name == "select":
            element.find_element(By.CSS_SELECTOR, f'option[value="{value}"]').click()
        else:
            element.clear()
            element.send_keys(value)


def submit(driver: WebDriver) -> None:
    """Sends the page's main form and waits until the next page has replaced this one and loaded (a mark left
    on this page's window is gone from the next one's)."""
    driver.execute_script("window.__beforeSubmit = true")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 30, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__beforeSubmit === undefined && document.readyState === 'complete'"))


def sign_in(driver: WebDriver, base: str, person: str, password: str) -> None:
    driver.get(base + "/sign-in")
    fill(driver, {"person": person, "password": password})
    submit(driver)
    wait_for(driver, lambda d: "Signed in as" in text(d), message="not signed in")


def sign_out(driver: WebDriver) -> None:
    driver.find_element(By.XPATH, "//form[@action='/sign-out']//button").click()
    wait_for(driver, lambda d: "Signed in as" not in text(d))


def axe(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page shown (WCAG 2.0, 2.1 and 2.2 A and AA rules)."""
    with open(AXE) as file:
        driver.execute_script(file.read())
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        ".then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify([{id: 'axe-error', impact:"
        " 'critical', description: String(e), nodes: []}])));")
    return [{"id": v["id"], "impact": v["impact"], "description": v["description"],
             "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
            for v in json.loads(found) if v.get("impact") in ("serious", "critical")]


def shoot(driver: WebDriver, name: str, directory: str) -> str:
    """A full-page screenshot (the page's whole height), into ``directory`` and, when asked, docs/console/."""
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 800)")
    driver.set_window_size(1200, min(int(height) + 100, 6000))
    path = os.path.join(directory, f"{name}.png")
    driver.save_screenshot(path)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        os.makedirs(SCREENSHOTS, exist_ok=True)
        shutil.copy(path, os.path.join(SCREENSHOTS, f"{name}.png"))
    driver.set_window_size(1200, 1000)
    return path
