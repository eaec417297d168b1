"""The edges of the API: whatever arrives, the answer is ours. A body too big is refused before
it is read (413), one nested too deep before it is parsed (400; Python's parser recurses per
level and once gave a 500), a wrong method gets 405 with `Allow`, a wrong content type 415:
all problem+json with the security headers, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api_client import Api, Reply
from tests.conftest import Cloud

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def send(api: Api, method: str, path: str, token: str, raw: bytes,
         content_type: str = "application/json") -> Reply:
    response = api.client.http.request(
        method, path, body=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    text = response.body.decode() if response.body else ""
    return Reply(response.status_code, json.loads(text) if text else None,
                 {k.lower(): v for k, v in response.headers.items()})


def assert_problem(reply: Reply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == PROBLEM
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    assert reply.body["status"] == status
    return dict(reply.body)


@pytest.fixture
def waiting(api: Api) -> str:
    """A referral whose run waits for its first appointment's outcome."""
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    return referral_id


# -- size and depth -----------------------------------------------------------------------------


def test_a_body_nested_30000_deep_is_refused_on_every_json_route(
        cloud: Cloud, api: Api, waiting: str) -> None:
    coach = api.coach_of(waiting)
    for path, token in [("/referrals", api.referrer()),
                        (f"/referrals/{waiting}/appointment-outcome", coach),
                        (f"/referrals/{waiting}/withdraw", api.referrer()),
                        (f"/patient/withdraw/{waiting}.made-up", api.referrer())]:
        problem = assert_problem(send(api, "POST", path, token, deep(30_000).encode()), 400)
        assert problem["errors"] == [{"field": "body",
                                      "message": "Nest the JSON 32 levels deep at most"}], path
    item = cloud.store.referrals.get(waiting)
    assert item is not None
    assert item.status == "APPOINTMENT_BOOKED"  # nothing was recorded


def test_nesting_counts_brackets_outside_strings_only(api: Api) -> None:
    referrer = api.referrer()
    assert send(api, "POST", "/referrals", referrer, deep(32).encode()).status == 422
    assert_problem(send(api, "POST", "/referrals", referrer, deep(33).encode()), 400)
    in_a_string = json.dumps({"reason": "[{" * 400}).encode()
    assert send(api, "POST", "/referrals", referrer, in_a_string).status == 422


def test_a_body_over_64_kb_is_refused_with_413(api: Api) -> None:
    body = json.dumps({"reason": "r" * 70_000}).encode()
    problem = assert_problem(send(api, "POST", "/referrals", api.referrer(), body), 413)
    assert "64 KB" in problem["detail"]


def test_a_form_over_64_kb_is_refused_too(api: Api) -> None:
    reply = send(api, "POST", "/referrals/new", api.referrer(), b"reason=" + b"r" * 70_000,
                 "application/x-www-form-urlencoded")
    assert_problem(reply, 413)


# -- answers Chalice would give in its own words ------------------------------------------------


def test_a_method_a_route_does_not_have_gets_405_with_allow(api: Api) -> None:
    reply = send(api, "DELETE", "/referrals", api.referrer(), b"")
    assert_problem(reply, 405)
    assert sorted(reply.headers["allow"].split(", ")) == ["GET", "POST"]
    assert "Code" not in reply.body


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "multipart/form-data; boundary=x"])
def test_a_json_route_refuses_another_content_type_with_415(api: Api, content_type: str) -> None:
    reply = send(api, "POST", "/referrals", api.referrer(), b'{"a": 1}', content_type)
    problem = assert_problem(reply, 415)
    assert problem["errors"] == [{"field": "Content-Type",
                                  "message": "Send application/json"}]
    assert content_type not in json.dumps(problem)


@pytest.mark.parametrize("path", ["/referrals/" + "x" * 3000, "/ops/notifications?referral_id="
                                  + "y" * 3000])
def test_an_id_too_long_to_be_a_key_is_not_found(api: Api, path: str) -> None:
    # DynamoDB refuses a key over 2 KB with an error (moto does not): no record has such an id.
    assert_problem(send(api, "GET", path, api.ops(), b""), 404)


# -- a request without a body -------------------------------------------------------------------

# Some clients (FHIR ones among them) name a content type on every request, body or not.
NAMED_WITHOUT_A_BODY = ["application/fhir+json", "text/plain", "application/xml; charset=utf-8",
                        "multipart/form-data; boundary=x"]


@pytest.mark.parametrize("content_type", NAMED_WITHOUT_A_BODY)
def test_a_get_without_a_body_is_answered_whatever_content_type_it_names(
        api: Api, waiting: str, content_type: str) -> None:
    referrer = api.referrer()
    task = send(api, "GET", f"/fhir/Task/{waiting}", referrer, b"", content_type)
    assert (task.status, task.body["resourceType"], task.body["id"]) == (200, "Task", waiting)
    referral = send(api, "GET", f"/referrals/{waiting}", referrer, b"", content_type)
    assert (referral.status, referral.body["referral_id"]) == (200, waiting)


@pytest.mark.parametrize("content_type", NAMED_WITHOUT_A_BODY)
def test_a_delete_without_a_body_is_answered_for_its_method_not_its_content_type(
        api: Api, waiting: str, content_type: str) -> None:
    for path in (f"/fhir/Task/{waiting}", f"/referrals/{waiting}"):
        reply = send(api, "DELETE", path, api.referrer(), b"", content_type)
        assert reply.status == 405, (path, reply.body)
        assert "GET" in reply.headers["allow"].split(", ")


@pytest.mark.parametrize("content_type", NAMED_WITHOUT_A_BODY)
def test_a_post_without_a_body_gets_the_routes_own_answer_not_415(
        api: Api, waiting: str, content_type: str) -> None:
    # Nothing failed, so there is nothing to retry: the route's own 409, whatever the header.
    reply = send(api, "POST", f"/referrals/{waiting}/retry", api.ops(), b"", content_type)
    assert_problem(reply, 409)
    item = api.cloud.store.referrals.get(waiting)
    assert item is not None
    assert item.status == "APPOINTMENT_BOOKED"
