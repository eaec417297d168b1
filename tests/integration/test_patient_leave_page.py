"""The page behind the patient's link: a link that no longer works says so and what to do
instead; a live one shows the form, and looking at it does not use it up; the form's answer is
a page in plain words, while an API client posting JSON still gets JSON."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from tests.api_client import Api
from tests.conftest import Cloud

pytestmark = pytest.mark.integration

FORM = "application/x-www-form-urlencoded"


def live_link(cloud: Cloud, referral_id: str) -> str:
    """What the appointment confirmation puts in the patient's message."""
    token = f"{referral_id}.a-secret-only-the-patient-has"
    cloud.store.links.set_withdraw_link(referral_id, hashlib.sha256(token.encode()).hexdigest())
    return f"/patient/withdraw/{token}"


def open_page(client: Client, path: str) -> tuple[int, str, dict[str, str]]:
    reply = client.http.get(path)
    return reply.status_code, reply.body.decode(), {k.lower(): v for k, v in
                                                    reply.headers.items()}


def press_leave(client: Client, path: str, erase: bool = False) -> tuple[int, str, str]:
    reply = client.http.post(path, body=urlencode({"erase": "yes"} if erase else {}).encode(),
                             headers={"Content-Type": FORM})
    return reply.status_code, reply.body.decode(), reply.headers["Content-Type"]


def assert_gone_page(status: int, text: str) -> None:
    assert status == 410
    assert "This link has expired or was already used" in text
    assert "GP practice" in text
    assert "coach" in text
    assert "<form" not in text
    assert "govuk-template" in text  # the service's own styled page


@pytest.mark.parametrize("token", ["made-up", "no-such-referral.secret", "x" * 300, "y" * 3000])
def test_a_made_up_link_shows_a_page_saying_it_no_longer_works(cloud: Cloud, api: Api,
                                                               token: str) -> None:
    status, text, headers = open_page(api.client, f"/patient/withdraw/{token}")
    assert_gone_page(status, text)
    assert headers["content-type"].startswith("text/html")
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]


def test_a_wrong_secret_for_a_real_referral_shows_the_same_page(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    live_link(cloud, referral_id)
    status, text, _ = open_page(api.client, f"/patient/withdraw/{referral_id}.guessed")
    assert_gone_page(status, text)


def test_looking_at_a_live_link_shows_the_form_and_does_not_use_it_up(cloud: Cloud,
                                                                     api: Api) -> None:
    referral_id = api.refer()
    path = live_link(cloud, referral_id)
    for _ in range(2):
        status, text, _ = open_page(api.client, path)
        assert status == 200
        assert '<form method="post"' in text
        assert "Leave Working Better" in text
    status, text, content_type = press_leave(api.client, path)
    assert (status, content_type.split(";")[0]) == (200, "text/html")
    assert "You have left Working Better" in text
    assert "Nothing is shared with the Jobcentre" in text
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "WITHDRAWN"


def test_a_used_link_shows_the_page_saying_it_no_longer_works(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    path = live_link(cloud, referral_id)
    assert press_leave(api.client, path, erase=True)[0] == 200
    assert cloud.personal_data(referral_id) is None
    assert_left_page(*open_page(api.client, path)[:2])
    status, text, _ = press_leave(api.client, path)
    assert_left_page(status, text)


def assert_left_page(status: int, text: str) -> None:
    """After leaving, the link says plainly that they have left, what happens now, and the
    service's phone number (WB_SERVICE_PHONE; the local stack's is 020 7946 0000)."""
    assert status == 410
    words = " ".join(text.split())
    assert "You have left Working Better" in words
    assert "We will not contact you about Working Better again" in words
    assert "Call Working Better on 020 7946 0000" in " ".join(
        words.replace('<strong class="govuk-!-font-weight-bold" id="service-phone">', "")
        .replace("</strong>", "").split())
    assert "works once" not in words
    assert "<form" not in text


def test_an_api_client_posting_json_still_gets_json(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    path = live_link(cloud, referral_id)
    reply = api.client.http.post(path, body=b'{"erase_personal_data": false}',
                                 headers={"Content-Type": "application/json"})
    assert reply.status_code == 200
    assert json.loads(reply.body) == {"referral_id": referral_id, "status": "WITHDRAWN",
                                      "personal_data_erased": False}
    again = api.client.http.post(path, body=b"{}", headers={"Content-Type": "application/json"})
    assert again.status_code == 404
    assert again.headers["Content-Type"] == "application/problem+json"
