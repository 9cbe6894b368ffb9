"""Browser fixtures: Debian's Chromium driven by Playwright's Python API.

No browser is ever downloaded: the system Chromium (Debian's `chromium`
package) is launched through `executable_path`.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.servers import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    """The system Chromium: $CHROMIUM_PATH, `chromium` on PATH, or /usr/bin/chromium."""
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(candidate).exists():
        pytest.fail(f"Chromium not found at {candidate}: apt-get install -y chromium")
    return candidate


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, daphne):
    """Factory for isolated browser sessions (separate cookies) on the Daphne URL."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(base_url=daphne.url, **kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under tests/artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def django_db_setup(real_db_setup):
    """The session's real, migrated PostgreSQL database (see tests/live.py)."""


def collect_page_errors(page):
    """A list that fills with the page's script errors, failed responses
    (4xx/5xx) and console errors (CSP violations among them)."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return errors
