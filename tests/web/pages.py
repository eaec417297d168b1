"""The web pages as a person's browser sees them, in-process through Chalice's test client:
a cookie jar, forms posted with the nonce and CSRF token the page gave."""

from __future__ import annotations

import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from chalice.test import Client

from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, LocalPool, Person
from workingbetter.handlers.api import app

FORM = "application/x-www-form-urlencoded"


@dataclass
class Page:
    status: int
    text: str
    headers: dict[str, str]

    def hidden(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.text)
        assert found, f"no hidden {name} on the page"
        return found.group(1)

    def hidden_in(self, action: str) -> dict[str, str]:
        """The hidden inputs of the form that posts to `action`, as the browser sends them
        with that form (each form has its own nonce and CSRF token)."""
        form = self.text.partition(f'action="{action}"')[2].partition("</form>")[0]
        found = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
        assert {"nonce", "csrf"} <= set(found), f"no form posting to {action} on the page"
        return found

    def keys_of(self, action: str) -> dict[str, str]:
        found = self.hidden_in(action)
        return {"nonce": found["nonce"], "csrf": found["csrf"]}

    def forms(self) -> int:
        return self.text.count("<form ")

    @property
    def set_cookies(self) -> list[str]:
        return [c for c in self.headers.get("set-cookie", "").split("\n") if c]

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def error_summary(self) -> list[tuple[str, str]]:
        """(href, message) of each line of the GOV.UK error summary."""
        summary = self.text.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
        return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)


def person(identity: str) -> Person:
    """"referrer:F83001", "coach:coach-amara", "ops" or "commissioner" as an account."""
    role, _, scope = identity.partition(":")
    return Person(role, practice_ods=scope if role == "referrer" else None,
                  coach_id=scope if role == "coach" else None)


class Pages:
    def __init__(self, pool: LocalPool) -> None:
        self.pool = pool
        self.client = Client(app)
        self.cookies: dict[str, str] = {}
        self.last: Page | None = None

    def _send(self, method: str, path: str, body: bytes = b"",
              headers: dict[str, str] | None = None) -> Page:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = self.client.http.request(method, path, headers=sent, body=body)
        # Several Set-Cookie headers arrive as a list: kept one per line.
        page = Page(reply.status_code, reply.body.decode() if reply.body else "",
                    {k.lower(): "\n".join(v) if isinstance(v, list) else v
                     for k, v in reply.headers.items()})
        for header in page.set_cookies:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if page.headers.get("content-type", "").startswith("text/html"):
            self.last = page
        return page

    def get(self, path: str) -> Page:
        return self._send("GET", path)

    def post(self, path: str, fields: dict[str, Any], keys: bool = True) -> Page:
        """Post a form; with `keys`, the nonce and CSRF token of the last page shown."""
        data = dict(fields)
        if keys and not {"nonce", "csrf"} <= set(data):
            assert self.last is not None, "get the page with the form first"
            data = {"nonce": self.last.hidden("nonce"), "csrf": self.last.hidden("csrf"),
                    **data}
        return self._send("POST", path, urlencode(data, doseq=True).encode(),
                          {"Content-Type": FORM})

    def follow(self, page: Page, limit: int = 5) -> Page:
        """Follow redirects, as a browser does."""
        while page.status == 303 and limit:
            page, limit = self.get(page.location), limit - 1
        return page

    def sign_in(self, identity: str, password: str = DEMO_PASSWORD) -> Page:
        """Sign in at /login as the account for `identity` (made in the test's pool if
        missing), with the authenticator code when asked; the last answer (303 on success)."""
        account = person(identity)
        self.pool.add(account)
        page = self.post("/login", {"email": account.email, "password": password}, keys=False)
        if page.status == 200 and 'action="/login/code"' in page.text:
            page = self.post("/login/code", {"email": page.hidden("email"),
                                             "session": page.hidden("session"),
                                             "code": LOCAL_CODE}, keys=False)
        return page


# The referral form's answers, as its first page sends them (to "check your answers").
ANSWERS = {
    "nhs_number": "485 777 3457",
    "given_name": "Ada",
    "family_name": "Testperson",
    "dob_day": "1", "dob_month": "4", "dob_year": "1980",
    "employment_status": "unemployed",
    "conditions": ["mental_health"],
    "contact_preference": "sms",
    "phone": "07700 900982",
    "reason": "Wants help getting back to work after a long illness.",
    "consent_referral": "yes",
    "consent_share": "yes",
}
# As "Send referral" on the check-your-answers page sends them.
REFERRAL_FORM = {**ANSWERS, "confirmed": "yes"}
