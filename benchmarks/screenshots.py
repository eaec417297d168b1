"""The README's tour of the pages: screenshots of the key pages, taken from the local stack
with made-up patients (`make screenshots`; not part of `make test`).

Starts the local stack in its own process, as the browser tests do, refers a few made-up
patients (NHS numbers from the 999 test range) at one practice, then signs in as each role in
Debian's headless Chromium and saves small PNGs in docs/screenshots/.
"""

from __future__ import annotations

import json
import sys
import urllib.request
import uuid
from itertools import islice
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, sync_playwright

from infra.cognito import DEMO_PASSWORD, LOCAL_CODE
from infra.demo_people import nhs_numbers
from tests import local_stack_process
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.web.pages import person
from workingbetter.domain.auth import Role

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PRACTICE, COACH = "F83003", "coach-dev"
WIDE = ViewportSize(width=1000, height=900)
PHONE = ViewportSize(width=375, height=800)
# Made-up people: names no patient has, numbers from the 999 test range.
PEOPLE = (("Ada", "Example", "1980-04-01", ["mental_health"]),
          ("Ben", "Sample", "1971-09-23", ["musculoskeletal"]),
          ("Cara", "Specimen", "1994-01-12", ["respiratory", "mental_health"]))


def refer(api: str, token: str, number: str, given: str, family: str, born: str,
          conditions: list[str]) -> str:
    body = {"practice_ods": PRACTICE, "patient": {
        "nhs_number": number, "given_name": given, "family_name": family,
        "date_of_birth": born, "phone": "07700 900982", "contact_preference": "sms"},
        "employment_status": "unemployed", "health_conditions": conditions,
        "consent": {"referral": True, "share_outcome_with_gp": True},
        "reason": "Wants help getting back to work."}
    request = urllib.request.Request(  # noqa: S310 - the local stack's own http:// address
        f"{api}/referrals", data=json.dumps(body).encode(), method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4())})
    with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310
        answer: dict[str, Any] = json.loads(reply.read())
    return str(answer["referral_id"])


def sign_in(page: Page, identity: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email address").fill(person(identity).email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()


def shot(page: Page, name: str, height: int = 1300) -> None:
    """The top of the page, at most `height` pixels: the tour shows what a page is, not all
    of it, and keeps each file small."""
    width = (page.viewport_size or WIDE)["width"]
    full = int(page.evaluate("() => document.documentElement.scrollHeight"))
    page.screenshot(path=str(OUT / f"{name}.png"),
                    clip={"x": 0, "y": 0, "width": width, "height": min(full, height)},
                    full_page=True)
    print(f"docs/screenshots/{name}.png", flush=True)


def wait_for(page: Page, path: str, selector: str) -> None:
    """Reload `path` until `selector` shows (the run books an appointment within moments)."""
    for _ in range(120):
        page.goto(path)
        if page.locator(selector).count():
            return
        page.wait_for_timeout(500)
    raise RuntimeError(f"{selector} never showed on {path}")


def tour(page: Page, api: str, token: str) -> None:
    numbers = nhs_numbers()
    ids = [refer(api, token, number, *who) for number, who in zip(numbers, PEOPLE, strict=False)]

    sign_in(page, f"referrer:{PRACTICE}")
    page.goto("/referrals/new")
    page.get_by_label("NHS number").fill(next(islice(numbers, 1, None)))
    page.get_by_label("First name").fill("Dev")
    page.get_by_label("Last name").fill("Illustration")
    shot(page, "referral-form")

    sign_in(page, f"coach:{COACH}")
    wait_for(page, "/coach", f"#waiting-{ids[0]}")
    shot(page, "coach-caseload")
    page.goto(f"/coach/referrals/{ids[0]}")
    shot(page, "case-record")

    page.goto("/dev/messages")
    link = page.locator(f'#messages a[href*="/patient/{ids[0]}."]').first
    page.set_viewport_size(PHONE)
    page.goto(str(link.get_attribute("href")))
    shot(page, "patient-page", height=1400)
    page.set_viewport_size(WIDE)

    sign_in(page, "ops")
    page.goto("/ops")
    shot(page, "ops-console")
    sign_in(page, "commissioner")
    page.goto("/reports")
    shot(page, "outcome-report")


def main() -> int:
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (make browser installs it)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    running = local_stack_process.start("60")
    try:
        token = running.token(Role.REFERRER, practice_ods=PRACTICE)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=running.api, viewport=WIDE)
            tour(context.new_page(), running.api, token)
            browser.close()
    finally:
        local_stack_process.stop(running)
    return 0


if __name__ == "__main__":
    sys.exit(main())
