"""Browser tests: Debian's Chromium driven by Playwright through the real pages of the three
services, which `opendossier serve all` runs with its example data on free ports.

Every page a test visits goes through `Pages.check`: axe-core (from npm, in
interop/js/node_modules) finds no serious or critical violation, and at 360 px width the page
does not scroll sideways. Screenshots go to `$OPENDOSSIER_ARTIFACTS/screenshots` (default
build/test-artifacts/screenshots); with OPENDOSSIER_UPDATE_SCREENSHOTS=1 also to
docs/screenshots, the ones the README shows.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.issuer.conftest import free_port
from tests.service_process import REPO, SHORT_STATUS_CACHE

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("OPENDOSSIER_CHROMIUM", "/usr/bin/chromium"))
AXE = REPO / "interop" / "js" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("OPENDOSSIER_ARTIFACTS", REPO / "build" / "test-artifacts"))
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
PASSWORD = "voorbeeld-wachtwoord"
# Flags that keep Chromium from reaching out: this machine has no network, and Chromium's
# background connections would otherwise be refused many at a time.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps"]
PHONE_WIDTH = 360
CHECKED_PAGES: list[str] = []  # every page that passed `Pages.check`, written out at the end
# The innermost elements that reach past the right edge or whose content (a long word, say)
# sticks out of them: what to fix when a page scrolls sideways.
_TOO_WIDE = """(() => {
  const edge = document.documentElement.clientWidth + 0.5;
  const wide = e => e.getBoundingClientRect().right > edge ||
    (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible');
  return [...document.querySelectorAll('body *')].filter(wide)
    .filter(e => ![...e.children].some(wide)).slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim()
      .replace(/ +/g, '.') : '') + ' "' + (e.textContent || '').trim().slice(0, 40) + '"');
})()"""


@dataclass
class Services:
    issuer: str
    wallet: str
    verifier: str
    data_dir: Path
    output: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """`opendossier serve all` on free ports with a fresh data directory."""
    data = tmp_path_factory.mktemp("serve-all") / "data"
    ports = {"issuer": free_port(), "wallet": free_port(), "verifier": free_port()}
    process = subprocess.Popen(
        [sys.executable, "-m", "opendossier", "serve", "all", "--data-dir", str(data),
         "--issuer-port", str(ports["issuer"]), "--wallet-port", str(ports["wallet"]),
         "--verifier-port", str(ports["verifier"])],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=SHORT_STATUS_CACHE)
    found = Services(f"http://127.0.0.1:{ports['issuer']}", f"http://127.0.0.1:{ports['wallet']}",
                     f"http://127.0.0.1:{ports['verifier']}", data)
    assert process.stdout is not None
    stdout = process.stdout
    # Drain the output all along, so a chatty server never blocks on a full pipe.
    reader = threading.Thread(target=lambda: found.output.extend(stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while not all(_answers(url) for url in (found.issuer, found.wallet, found.verifier)):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("serve all did not start:\n" + "".join(found.output))
            time.sleep(0.3)
        yield found
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def launch_chromium(playwright: Any, extra_args: list[str] | None = None) -> Any:
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: ./scripts/bootstrap --with-js installs "
                    "Debian's chromium")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=[*CHROMIUM_ARGS, *(extra_args or [])])


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        yield driver
    # The record of what was checked: the closing figures of a run come from this file.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "pages-checked.txt").write_text("".join(f"{url}\n" for url in CHECKED_PAGES),
                                                 encoding="utf-8")


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


class Pages:
    """One person's browser tab, with the checks every visited page must pass."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()

    def goto(self, url: str) -> Any:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, (url, response and
                                                                 response.status)
        self.check()
        return response

    def check(self) -> None:
        """axe-core finds no serious or critical violation; nothing scrolls sideways at
        360 px. Run on every page a test lands on."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
            "v => ({id: v.id, impact: v.impact, help: v.help, "
            "targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"accessibility problems on {page.url}:\n" + "\n".join(
            f"  {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
            for v in bad)
        size = page.viewport_size
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        try:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE_WIDTH, (f"{page.url} scrolls sideways at 360 px ({wide} px), "
                                         f"past the edge: {page.evaluate(_TOO_WIDE)}")
        finally:
            page.set_viewport_size(size)
        CHECKED_PAGES.append(page.url)

    def screenshot(self, name: str, *, phone: bool = False) -> Path:
        size = self.page.viewport_size
        if phone:
            self.page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        try:
            return save_screenshot(self.page, name)
        finally:
            self.page.set_viewport_size(size)


def save_screenshot(page: Any, name: str) -> Path:
    target = ARTIFACTS / "screenshots" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    if os.environ.get("OPENDOSSIER_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_SCREENSHOTS / target.name)
    return target


@pytest.fixture
def new_person(browser: Any) -> Iterator[Any]:
    """Makes a fresh browser context (own cookies) per person in a story."""
    contexts: list[Any] = []

    def make() -> Pages:
        # bypass_csp: the pages' strict CSP would refuse the injected axe-core script.
        context = browser.new_context(viewport={"width": 1100, "height": 900},
                                      bypass_csp=True, locale="nl-NL")
        contexts.append(context)
        return Pages(context)

    yield make
    for context in contexts:
        context.close()


def wallet_log_in(pages: Pages, wallet: str, email: str) -> str:
    """Log in on the wallet's page; returns the URL of the dossier the wallet opens."""
    pages.goto(f"{wallet}/login")
    pages.page.fill("input[name=email]", email)
    pages.page.fill("input[name=password]", PASSWORD)
    pages.page.click("form[action='/login'] button[type=submit]")
    pages.page.wait_for_load_state("load")
    pages.check()
    return str(pages.page.url)


def staff_log_in(pages: Pages, issuer: str, email: str) -> None:
    pages.goto(f"{issuer}/staff/login")
    pages.page.fill("input[name=email]", email)
    pages.page.fill("input[name=password]", PASSWORD)
    pages.page.click("form[action='/staff/login'] button[type=submit]")
    pages.page.wait_for_url(f"{issuer}/staff/**")
    pages.check()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The page crawl runs right after the last story, whose credentials, evidence, shares
    and revocations give it pages to visit; everything else keeps its place."""
    crawl = [item for item in items if item.path.name == "test_every_page.py"]
    rest = [item for item in items if item.path.name != "test_every_page.py"]
    stories = [i for i, item in enumerate(rest) if item.path.name.startswith("test_story_")]
    at = stories[-1] + 1 if stories else len(rest)
    items[:] = rest[:at] + crawl + rest[at:]
