"""End to end in a real browser: ``serve()`` starts the dashboard (as ``cpo dashboard`` does) on
a free loopback port over the fixture warehouse; Debian's headless Chromium, driven by
Playwright with its executable path (never a downloaded browser), opens every page, checks key
text and saves a screenshot (in the test's tmp dir, or in $CPO_SCREENSHOTS when set)."""

from __future__ import annotations

import os
import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.users import UserStore
from ingest.data_folder import DataFolder
from workbench.commands.dashboard import serve, url

CHROMIUM = shutil.which("chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# (url path, text that must show, with a number worked out in test_pages)
PAGES = [
    ("", "Open alerts (2)"),
    ("reliability", "Port uptime: 1 of 4 ports below 97 %"),
    ("planning", "A: add ports"),
    ("pricing", "$51.50"),
    ("partners", "Largest partner by revenue: Own app"),
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dashboard_url(fixture_dir: Path) -> Iterator[str]:
    port = free_port()
    proc = serve(fixture_dir, port=port, headless=True)
    base = url("127.0.0.1", port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"dashboard did not start: {err[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()


def test_every_page_in_chromium(dashboard_url: str, tmp_path: Path) -> None:
    """No users in the fixture: the local mode, on 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("CPO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path, text in PAGES:
                page.goto(f"{dashboard_url}/{path}", wait_until="domcontentloaded")
                page.get_by_text(text, exact=False).first.wait_for(timeout=30_000)
                # the script has finished when Streamlit's "running" widget is gone
                page.wait_for_selector(
                    '[data-testid="stStatusWidget"]', state="detached", timeout=30_000
                )
                page.wait_for_timeout(500)  # let Plotly draw
                assert page.get_by_text("Traceback").count() == 0
                page.screenshot(path=str(shots / f"{path or 'overview'}.png"), full_page=True)
        finally:
            browser.close()
    assert sorted(p.name for p in shots.glob("*.png")) == sorted(
        f"{path or 'overview'}.png" for path, _ in PAGES
    )


def test_sign_in_then_out_in_chromium(fixture_dir: Path, dashboard_url: str) -> None:
    """With a user, the browser gets the sign-in form, then the data, then the form again."""
    from playwright.sync_api import sync_playwright

    store = UserStore(DataFolder(fixture_dir).dashboard_users)
    store.add("olga", "operator", "operator-pass-1")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(dashboard_url, wait_until="domcontentloaded")
                page.get_by_label("User name").fill("olga")
                page.get_by_label("Password", exact=True).fill("operator-pass-1")
                page.get_by_role("button", name="Sign in", exact=True).click()
                page.get_by_text("Open alerts (2)").first.wait_for(timeout=30_000)
                page.get_by_text("Signed in as").first.wait_for(timeout=5_000)
                page.get_by_role("button", name="Sign out").click()
                page.get_by_role("button", name="Sign in", exact=True).wait_for(timeout=30_000)
                assert page.get_by_text("Open alerts").count() == 0
            finally:
                browser.close()
    finally:
        store.path.unlink()
