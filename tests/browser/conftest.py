"""Headless Debian Chromium, driven by Playwright, against the local stack in its own process.
No browser is downloaded: `make test` installs Debian's chromium when it is missing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from infra.cognito import DEMO_PASSWORD, LOCAL_CODE
from tests.local_stack_process import ROOT, Running

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
BLOCKING = {"serious", "critical"}


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
    if not AXE.exists():
        return f"{AXE} is missing: run `npm ci` (make install does)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def stack(browser: Browser, local_stack: Running) -> Running:
    """The worker's one stack (tests/conftest.py), once Chromium is known to be there."""
    return local_stack


@pytest.fixture
def page(browser: Browser, stack: Running) -> Iterator[Page]:
    # Playwright adds axe-core as an inline script, which the pages' CSP rightly refuses:
    # only the test's own context bypasses it.
    context: BrowserContext = browser.new_context(base_url=stack.api, bypass_csp=True,
                                                  viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def check_page(page: Page, name: str) -> None:
    """Save a screenshot, then fail on any serious or critical axe-core violation."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    blocking = [f"{v['id']} ({v['impact']}): {v['help']} — "
                + ", ".join(str(n["target"]) for n in v["nodes"][:3])
                for v in results["violations"] if v["impact"] in BLOCKING]
    assert blocking == [], f"{name}: accessibility violations\n" + "\n".join(blocking)


def sign_in(page: Page, identity: str, check: str = "") -> None:
    """Sign in at /login as a person the stack seeded ("referrer:F83003", "coach:coach-dev",
    "ops"), typing their email address and the demo password, then the code from their
    authenticator app (locally any six digits). With `check`, axe checks each page on the way
    (named `check`-…)."""
    from tests.web.pages import person

    page.goto("/login")
    if check:
        check_page(page, f"{check}-login")
    page.get_by_label("Email address").fill(person(identity).email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if check:
        check_page(page, f"{check}-security-code")
    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()


def tab_to(page: Page, selector: str, most: int = 60) -> None:
    """Move the focus with the Tab key alone until it reaches `selector` (fail if it never
    does: the element cannot be reached by keyboard)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def fits_375(page: Page, path: str) -> None:
    """The page at 375 px wide (a small phone) scrolls only down, never sideways."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(path)
    fits_375_here(page, path.strip("/").replace("/", "-")[:60] or "home")


def fits_375_here(page: Page, name: str) -> None:
    """The page shown now (one a POST answered, say) at 375 px wide: only down, never
    sideways. The viewport stays narrow; the caller sets it back if it needs to."""
    page.set_viewport_size({"width": 375, "height": 800})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"375-{name}.png"), full_page=True)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    beyond = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 375)
        .slice(-3).map(e => e.tagName + '.' + e.className)""")
    assert wide <= 375, f"{name} is {wide} px wide at 375 px: {beyond}"
