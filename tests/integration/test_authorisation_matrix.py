"""Object-level authorisation (OWASP API1) on every route, for every role, on a record of
their own and on someone else's, plus every way a token can be wrong.

The rule: a role that may never use a route gets 403; a record outside the caller's scope
answers 404, exactly like a missing one, so ids cannot be probed.
"""

from __future__ import annotations

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.tokens import BAD_TOKENS
from workingbetter.domain.auth import Role
from workingbetter.handlers.api import JSON_ROUTES, app

pytestmark = pytest.mark.integration

OWN, FOREIGN = "own", "foreign"
ALLOWED = "allowed"  # anything but 401, 403 and 404: the request got past authorisation
BODIES = {
    "triage": {"decision": "accept", "reason": "matrix"},
    "appointment-outcome": {"outcome": "cancelled"},
    "reviews": {"decision": "continue", "employer_contacts": 0},
    "sustainment": {"still_in_work": True},
    "withdraw": {},
    "profile": {"barriers": "matrix"},
    "employer-contacts": {"on": "2026-01-05", "kind_of_employer": "matrix", "outcome": "no_reply"},
    "notes": {"text": "matrix"},
    "benefits-advice": {"given": False},
    "follow-ups": {"start": "2026-01-05T10:00", "mode": "phone"},
    "access-requests": {"received_on": "2026-01-05", "via": "phone", "send_by": "post"},
}
COACH_OWN: dict[str, tuple[object, object]] = {
    "referrer": (403, 403), "coach": (ALLOWED, 404), "ops": (403, 403)}
# (method, route) -> role -> (own record, someone else's record)
MATRIX: dict[tuple[str, str], dict[str, tuple[object, object]]] = {
    ("GET", "/referrals/{referral_id}"): {
        "referrer": (ALLOWED, 404), "coach": (ALLOWED, 404), "ops": (ALLOWED, ALLOWED)},
    ("POST", "/referrals/{referral_id}/retry"): {
        "referrer": (403, 403), "coach": (403, 403), "ops": (ALLOWED, ALLOWED)},
    ("POST", "/referrals/{referral_id}/resume"): {
        "referrer": (403, 403), "coach": (403, 403), "ops": (ALLOWED, ALLOWED)},
    ("GET", "/referrals/{referral_id}/audit"): {
        "referrer": (403, 403), "coach": (403, 403), "ops": (ALLOWED, ALLOWED)},
    ("POST", "/referrals/{referral_id}/triage"): {
        "referrer": (403, 403), "coach": (ALLOWED, 404), "ops": (403, 403)},
    ("POST", "/referrals/{referral_id}/appointment-outcome"): {
        "referrer": (403, 403), "coach": (ALLOWED, 404), "ops": (403, 403)},
    ("POST", "/referrals/{referral_id}/reviews"): {
        "referrer": (403, 403), "coach": (ALLOWED, 404), "ops": (403, 403)},
    ("POST", "/referrals/{referral_id}/sustainment"): {
        "referrer": (403, 403), "coach": (ALLOWED, 404), "ops": (403, 403)},
    ("POST", "/referrals/{referral_id}/withdraw"): {
        "referrer": (ALLOWED, 404), "coach": (ALLOWED, 404), "ops": (403, 403)},
    # FHIR: a Task is read like the referral; only the referring practice cancels it.
    ("GET", "/fhir/Task/{referral_id}"): {
        "referrer": (ALLOWED, 404), "coach": (ALLOWED, 404), "ops": (ALLOWED, ALLOWED)},
    ("PUT", "/fhir/Task/{referral_id}"): {
        "referrer": (ALLOWED, 404), "coach": (403, 403), "ops": (403, 403)},
    ("PATCH", "/fhir/Task/{referral_id}"): {
        "referrer": (ALLOWED, 404), "coach": (403, 403), "ops": (403, 403)},
    # The case record and follow-ups: the referral's coach only.
    ("GET", "/referrals/{referral_id}/profile"): COACH_OWN,
    ("POST", "/referrals/{referral_id}/profile"): COACH_OWN,
    ("GET", "/referrals/{referral_id}/employer-contacts"): COACH_OWN,
    ("POST", "/referrals/{referral_id}/employer-contacts"): COACH_OWN,
    ("GET", "/referrals/{referral_id}/notes"): COACH_OWN,
    ("POST", "/referrals/{referral_id}/notes"): COACH_OWN,
    ("POST", "/referrals/{referral_id}/notes/{note_id}"): COACH_OWN,
    ("POST", "/referrals/{referral_id}/benefits-advice"): COACH_OWN,
    ("POST", "/referrals/{referral_id}/follow-ups"): COACH_OWN,
    # A patient's right of access: their coach (or a manager: tests/integration/
    # test_right_of_access.py) records their request and produces their copy.
    ("POST", "/referrals/{referral_id}/access-requests"): COACH_OWN,
    ("GET", "/referrals/{referral_id}/access-requests"): COACH_OWN,
    ("GET", "/referrals/{referral_id}/copy"): COACH_OWN,
    # No follow-up exists before the first appointment: the coach's own answers 404 too.
    ("POST", "/referrals/{referral_id}/follow-ups/{follow_up_id}"): {
        "referrer": (403, 403), "coach": (404, 404), "ops": (403, 403)},
}
COLLECTIONS = {("GET", "/referrals"), ("POST", "/referrals"), ("GET", "/practices"),
               ("GET", "/ops/notifications"), ("POST", "/fhir/ServiceRequest"),
               ("GET", "/diary")}
# People (staff accounts): the manager alone (tests/web/test_people.py covers each rule).
PEOPLE = {("GET", "/people"), ("POST", "/people"), ("GET", "/people/{person_id}"),
          ("POST", "/people/{person_id}/disable"), ("POST", "/people/{person_id}/enable"),
          ("POST", "/people/{person_id}/reset-authenticator")}
# Practices as the service manager runs them: the manager alone
# (tests/web/test_manage_practices.py covers each rule).
MANAGED_PRACTICES = {("GET", "/practices/manage"), ("POST", "/practices/manage"),
                     ("GET", "/practices/manage/{practice_ods}"),
                     ("POST", "/practices/manage/{practice_ods}"),
                     ("POST", "/practices/manage/{practice_ods}/pause"),
                     ("POST", "/practices/manage/{practice_ods}/resume"),
                     ("POST", "/practices/manage/{practice_ods}/leave")}
# Coaches and their sessions, likewise (tests/web/test_manage_coaches.py).
MANAGED_COACHES = {("GET", "/coaches/manage"), ("POST", "/coaches/manage"),
                   ("GET", "/coaches/manage/{coach_id}"), ("POST", "/coaches/manage/{coach_id}"),
                   ("POST", "/coaches/manage/{coach_id}/sessions"),
                   ("POST", "/coaches/manage/{coach_id}/sessions/remove")}
# A coach's absences: the manager alone (tests/web/test_cover_pages.py covers each rule).
COACH_ABSENCES = {("GET", "/coaches/{coach_id}/absences"), ("POST", "/coaches/{coach_id}/absences"),
                  ("POST", "/coaches/{coach_id}/absences/{absence_id}/cancel"),
                  ("POST", "/referrals/{referral_id}/coach"),
                  ("GET", "/coaches/{coach_id}/caseload"), ("POST", "/coaches/{coach_id}/leave")}
# Reports name no referral: ops and commissioners read them, nobody else.
REPORTS = {("GET", "/reports/outcomes"), ("GET", "/reports/ips-fidelity")}
# The patient's own one-time link needs no login by design: its token is the credential
# (tests/integration/test_notifications.py covers a guessed, a used and an expired one).
# The API's own description is public too: it holds no data (tests/unit/test_openapi.py).
NO_LOGIN = {("GET", "/patient/withdraw/{token}"), ("POST", "/patient/withdraw/{token}"),
            ("GET", "/openapi.json"), ("GET", "/fhir/metadata")}
# The JSON routes (a module per concern, handlers/api.py registers them) and the FHIR routes.
API_MODULES = {m.__name__ for m in JSON_ROUTES} | {"workingbetter.fhir.routes"}
# GOV.UK Notify's delivery receipts: Notify's own bearer token, which no role's token opens
# (tests/integration/test_delivery_receipts.py).
NOTIFYS = {("POST", "/notify/callbacks")}


def served_routes() -> set[tuple[str, str]]:
    """The JSON and FHIR API's routes (the web pages, served from their own module, sign in by
    cookie)."""
    return {(method, path) for path, methods in app.routes.items()
            for method, entry in methods.items()
            if entry.view_function.__module__ in API_MODULES}


def sent_as(method: str, route: str) -> dict[str, str]:
    """The body type the route takes (a FHIR Task's PATCH takes a JSON Patch)."""
    return {"Content-Type": app.routes[route][method].content_types[0]}


def error_type(route: str) -> str:
    return "application/fhir+json" if route.startswith("/fhir/") else "application/problem+json"


def test_the_matrix_covers_every_route_of_the_api() -> None:
    assert served_routes() == (set(MATRIX) | COLLECTIONS | REPORTS | NO_LOGIN | NOTIFYS | PEOPLE
                               | MANAGED_PRACTICES | MANAGED_COACHES | COACH_ABSENCES)


def test_only_a_manager_reaches_the_people_routes(cloud: Cloud) -> None:
    api = Api(cloud)
    manager = cloud.token(Role.MANAGER)
    someone = str(api.call("GET", "/people", manager).body["items"][0]["person_id"])
    others = [cloud.token(Role.REFERRER, practice_ods="F83001"),
              cloud.token(Role.COACH, coach_id="coach-amara"), cloud.token(Role.OPS),
              cloud.token(Role.COMMISSIONER)]
    for method, route in sorted(PEOPLE):
        path = route.format(person_id=someone)
        for token in others:
            reply = api.call(method, path, token, {} if method == "POST" else None)
            assert reply.status == 403, (method, path, reply.body)
            assert reply.headers["Content-Type"] == "application/problem+json"
    assert api.call("GET", f"/people/{someone}", manager).status == 200
    assert api.call("GET", "/people/not-a-person", manager).status == 404


@pytest.mark.parametrize(("routes", "held", "missing"), [
    (MANAGED_PRACTICES, "/practices/manage/F83001", "/practices/manage/Y99999"),
    (MANAGED_COACHES, "/coaches/manage/coach-amara", "/coaches/manage/coach-nobody"),
    (COACH_ABSENCES, "/coaches/coach-amara/absences", "/coaches/nobody/absences")])
def test_only_a_manager_reaches_the_practice_and_coach_routes(
        cloud: Cloud, routes: set[tuple[str, str]], held: str, missing: str) -> None:
    api = Api(cloud)
    manager = cloud.token(Role.MANAGER)
    others = [cloud.token(Role.REFERRER, practice_ods="F83001"),
              cloud.token(Role.COACH, coach_id="coach-amara"), cloud.token(Role.OPS),
              cloud.token(Role.COMMISSIONER)]
    for method, route in sorted(routes):
        path = route.format(practice_ods="F83001", coach_id="coach-amara", absence_id="x",
                            referral_id="x")
        for token in others:
            reply = api.call(method, path, token, {} if method == "POST" else None)
            assert reply.status == 403, (method, path, reply.body)
            assert reply.headers["Content-Type"] == "application/problem+json"
    assert api.call("GET", held, manager).status == 200
    assert api.call("GET", missing, manager).status == 404


@pytest.fixture
def records(cloud: Cloud) -> dict[str, str]:
    """One referral at F83001 (coach-amara or -bilal) and one at F83002 (coach-chloe)."""
    api = Api(cloud)
    own = api.refer("F83001", patient__nhs_number=VALID_NHS_NUMBERS[1])
    foreign = api.refer("F83002", patient__nhs_number=VALID_NHS_NUMBERS[2])
    api.awaiting(own, "appointment_outcome")
    api.awaiting(foreign, "appointment_outcome")
    note = {}
    for which, referral_id in ((OWN, own), (FOREIGN, foreign)):
        reply = api.call("POST", f"/referrals/{referral_id}/notes", api.coach_of(referral_id),
                         {"text": "A note to change"})
        assert reply.status == 201, reply.body
        note[which] = str(reply.body["note_id"])
    return {OWN: own, FOREIGN: foreign, f"{OWN}-note": note[OWN],
            f"{FOREIGN}-note": note[FOREIGN]}


def fill(route: str, records: dict[str, str], which: str) -> str:
    """The route for one of the records (with its note, and a follow-up id of the right
    shape)."""
    return route.format(referral_id=records[which], note_id=records[f"{which}-note"],
                        follow_up_id="20260105T100000Z", person_id="someone",
                        practice_ods="F83001", coach_id="coach-amara", absence_id="x")


def token_for(cloud: Cloud, role: str, own_referral: str) -> str:
    if role == "referrer":
        return cloud.token(Role.REFERRER, practice_ods="F83001")
    if role == "coach":
        item = cloud.store.referrals.get(own_referral)
        assert item is not None
        return cloud.token(Role.COACH, coach_id=str(item.coach_id))
    return cloud.token(Role.OPS)


@pytest.mark.parametrize(("method", "route"), sorted(MATRIX))
def test_each_role_reaches_only_what_it_may(cloud: Cloud, records: dict[str, str],
                                            method: str, route: str) -> None:
    api = Api(cloud)
    seen: dict[tuple[str, str], int] = {}
    # Foreign first: a refused call must change nothing the own-record call relies on.
    for which in (FOREIGN, OWN):
        for role, expected in MATRIX[(method, route)].items():
            path = fill(route, records, which)
            body = BODIES.get(path.rsplit("/", 1)[-1]) if method == "POST" else None
            reply = api.call(method, path, token_for(cloud, role, records[OWN]), body,
                             **sent_as(method, route))
            seen[(role, which)] = reply.status
            want = expected[0] if which == OWN else expected[1]
            if want == ALLOWED:
                assert reply.status not in {401, 403, 404}, (role, which, reply.body)
            else:
                assert reply.status == want, (role, which, reply.body)
                assert reply.headers["Content-Type"] == error_type(route)
    foreign = cloud.store.referrals.get(records[FOREIGN])
    assert foreign is not None
    assert foreign.status == "APPOINTMENT_BOOKED", seen  # untouched by every refusal


def test_collections_are_scoped(cloud: Cloud, records: dict[str, str]) -> None:
    api = Api(cloud)
    assert api.call("POST", "/referrals", api.coach("coach-amara"), {}).status == 403
    assert api.call("POST", "/referrals", api.ops(), {}).status == 403
    for token in (api.coach("coach-amara"), api.ops()):
        assert api.call("POST", "/fhir/ServiceRequest", token, {}).status == 403
    for role in ("referrer", "coach"):
        token = token_for(cloud, role, records[OWN])
        assert api.call("GET", "/ops/notifications", token).status == 403
    assert api.call("GET", "/ops/notifications", api.ops()).status == 200
    for token in (api.referrer(), api.ops()):
        assert api.call("GET", "/diary", token).status == 403
    assert api.call("GET", "/diary", token_for(cloud, "coach", records[OWN])).status == 200
    for _, report in sorted(REPORTS):
        for role in ("referrer", "coach"):
            assert api.call("GET", report, token_for(cloud, role, records[OWN])).status == 403
        assert api.call("GET", report, api.ops()).status == 200
    listed = {
        role: {r["referral_id"] for r in api.call("GET", "/referrals",
                                                  token_for(cloud, role, records[OWN])
                                                  ).body["items"]}
        for role in ("referrer", "coach", "ops")
    }
    assert listed["referrer"] == {records[OWN]}
    assert listed["coach"] == {records[OWN]}
    assert listed["ops"] == {records[OWN], records[FOREIGN]}


OPS = {"cognito:groups": ["ops"], "custom:coach_id": None}  # an account that reaches every route


@pytest.mark.parametrize("problem", sorted(BAD_TOKENS))
def test_every_route_refuses_a_bad_token_with_401(cloud: Cloud, records: dict[str, str],
                                                  problem: str) -> None:
    api = Api(cloud)
    for method, route in sorted(served_routes() - NO_LOGIN):
        path = fill(route, records, OWN)
        token = BAD_TOKENS[problem](OPS)
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        reply = api.client.http.request(method, path, headers={
            **headers, **sent_as(method, route)}, body=b"{}")
        assert reply.status_code == 401, (problem, method, path)
        # In the route's own error format: an OperationOutcome for FHIR, else problem+json.
        expected = "application/fhir+json" if route.startswith("/fhir/") \
            else "application/problem+json"
        assert reply.headers["Content-Type"] == expected, (problem, method, path)


def test_a_commissioner_reads_no_referral_and_changes_nothing(cloud: Cloud,
                                                               records: dict[str, str]) -> None:
    api = Api(cloud)
    commissioner = cloud.token(Role.COMMISSIONER)
    assert api.call("GET", "/referrals", commissioner).status == 403
    assert api.call("POST", "/referrals", commissioner, {}).status == 403
    assert api.call("POST", "/fhir/ServiceRequest", commissioner, {}).status == 403
    assert api.call("GET", "/ops/notifications", commissioner).status == 403
    for _, report in sorted(REPORTS):
        assert api.call("GET", report, commissioner).status == 200
    for route in sorted(MATRIX):
        method, path = route[0], fill(route[1], records, OWN)
        body = BODIES.get(path.rsplit("/", 1)[-1]) if method == "POST" else None
        reply = api.call(method, path, commissioner, body, **sent_as(*route))
        assert reply.status in {403, 404}, route
