"""The people manager runs the service's people on pages and through the JSON API: invites
someone into a role and scope, disables a leaver, resets a lost authenticator app; everyone
else is refused; each change is audited on the person's page (ids and enums: no patient). A
first sign-in sets a new password, then an app, before any token; a forgotten password is
reset by an emailed code, and the page never says whether an address has an account."""

from __future__ import annotations

import re
import time
from typing import Any

import boto3
import pytest

from infra import cognito_mail
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE
from tests.api_client import Api
from tests.conftest import Cloud
from tests.web.pages import Page, Pages, person
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.integration

NEW_PASSWORD = "Brand-new-Passw0rd"


def _mail_to(email: str) -> cognito_mail.Mail:
    found = [m for m in cognito_mail.sent if m.to == email]
    assert found, f"nothing emailed to {email}"
    return found[-1]


def _secret(mail: cognito_mail.Mail) -> str:
    """The temporary password or code in an email (the template puts a space after it)."""
    found = re.search(r"(?:password: |is )(\S+) \.", mail.body)
    assert found, mail.body
    return found.group(1)


def _invite(pages: Pages, email: str, role: str = "referrer", scope: str = "F83001",
            name: str = "Rosa Diaz") -> Page:
    form = pages.get("/manage/people/invite")
    assert form.status == 200, form.text
    fields = {"email": email, "name": name, "role": role,
              "practice_ods": scope if role == "referrer" else "",
              "coach_id": scope if role == "coach" else ""}
    return pages.post("/manage/people/invite", {**form.keys_of("/manage/people/invite"),
                                                **fields})


def _first_sign_in(pages: Pages, email: str) -> Page:
    """Temporary password from the invitation, a new password, an app, and in."""
    pages.cookies.clear()
    asked = pages.post("/login", {"email": email, "password": _secret(_mail_to(email))},
                       keys=False)
    assert "Create a new password" in asked.text, asked.text
    assert "wb_token" not in pages.cookies
    setup = pages.post("/login/new-password", {
        "email": asked.hidden("email"), "session": asked.hidden("session"),
        "password": NEW_PASSWORD, "again": NEW_PASSWORD}, keys=False)
    assert "Set up an authenticator app" in setup.text, setup.text
    assert "wb_token" not in pages.cookies  # no token before the second factor
    return pages.post("/login/app", {"email": setup.hidden("email"),
                                     "secret": setup.hidden("secret"),
                                     "session": setup.hidden("session"), "code": LOCAL_CODE},
                      keys=False)


def test_a_manager_invites_a_referrer_who_sets_a_password_and_an_app_then_lands(
        pages: Pages) -> None:
    assert pages.sign_in("manager").location == "/manage/people"

    sent = _invite(pages, "rosa.diaz@nhs.example")

    assert sent.status == 303, sent.text
    person = pages.follow(sent)
    assert "Invitation sent" in person.text
    assert "Invited as practice staff (City Road Medical Centre)" in person.text
    mail = _mail_to("rosa.diaz@nhs.example")
    assert "temporary password" in mail.body and "/login" in mail.body  # noqa: PT018
    done = _first_sign_in(pages, "rosa.diaz@nhs.example")
    assert (done.status, done.location) == (303, "/practice")
    assert pages.get("/practice").status == 200


def test_an_invitation_with_mistakes_names_each_field_and_makes_no_account(
        pages: Pages) -> None:
    pages.sign_in("manager")

    wrong = _invite(pages, "not-an-address", role="referrer", scope="Z99999", name="")

    assert wrong.status == 422
    assert wrong.error_summary() == [
        ("#email", "Enter an email address in the correct format, like name@nhs.net"),
        ("#name", "Enter their full name"),
        ("#practice_ods", "Choose the practice they work at")]
    again = _invite(pages, "someone@nhs.example", role="coach", scope="nobody")
    assert again.error_summary() == [("#coach_id", "Choose which coach they are")]
    assert not cognito_mail.sent


def test_inviting_an_address_that_has_an_account_is_refused_on_the_email_field(
        pages: Pages) -> None:
    pages.sign_in("manager")
    assert _invite(pages, "twice@nhs.example").status == 303

    again = _invite(pages, "twice@nhs.example")

    assert again.status == 409
    assert again.error_summary() == [("#email", "This email address already has an account")]


@pytest.mark.parametrize("identity", ["referrer:F83001", "coach:coach-amara", "ops",
                                      "commissioner"])
def test_nobody_but_a_manager_reaches_the_people_pages(pages: Pages, identity: str) -> None:
    pages.sign_in(identity)

    assert pages.get("/manage/people").status == 403
    assert pages.get("/manage/people/invite").status == 403


def test_the_api_lets_a_manager_invite_and_refuses_everyone_else_with_problem_json(
        cloud: Cloud) -> None:
    api = Api(cloud)
    body = {"email": "api.invite@nhs.example", "name": "Api Person", "role": "coach",
            "coach_id": "coach-amara"}
    for role in (Role.REFERRER, Role.OPS, Role.COMMISSIONER):
        token = cloud.token(role, practice_ods="F83001" if role is Role.REFERRER else None)
        for method, path in (("POST", "/people"), ("GET", "/people")):
            refused = api.call(method, path, token, body if method == "POST" else None)
            assert refused.status == 403, (role, path)
            assert refused.headers["Content-Type"] == "application/problem+json"
    manager = cloud.token(Role.MANAGER)

    made = api.call("POST", "/people", manager, body)
    wrong = api.call("POST", "/people", manager, {**body, "email": "x", "coach_id": ""})

    assert made.status == 201, made.body
    assert wrong.status == 422
    assert {e["field"] for e in wrong.body["errors"]} == {"email", "coach_id"}
    listed = api.call("GET", "/people", manager).body["items"]
    mine = [p for p in listed if p["email"] == "api.invite@nhs.example"]
    assert mine
    assert mine[0]["roles"] == ["coach"]
    assert mine[0]["coach_id"] == "coach-amara"
    shown = api.call("GET", f"/people/{made.body['person_id']}", manager).body
    assert [e["change"] for e in shown["audit"]] == ["invited"]


def test_a_disabled_persons_token_is_refused_on_the_next_request(cloud: Cloud) -> None:
    api = Api(cloud)
    leaver = cloud.token(Role.REFERRER, practice_ods="F83002")
    assert api.call("GET", "/referrals", leaver).status == 200
    manager = cloud.token(Role.MANAGER)
    person_id = _person_id(api, manager, "referrer.f83002@workingbetter.example")

    disabled = api.call("POST", f"/people/{person_id}/disable", manager, {})

    assert disabled.status == 200, disabled.body
    assert api.call("GET", "/referrals", leaver).status == 401
    cognito = boto3.client("cognito-idp")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=cloud.built.pool.client_id,
                              AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "referrer.f83002@workingbetter.example",
                                              "PASSWORD": DEMO_PASSWORD})


def test_a_disabled_persons_browser_cannot_refresh_its_way_back_in(pages: Pages,
                                                                      cloud: Cloud) -> None:
    leaver = Pages(cloud.built.pool)
    assert leaver.sign_in("referrer:F83003").status == 303
    assert leaver.get("/practice").status == 200
    api = Api(cloud)
    manager = cloud.token(Role.MANAGER)
    person_id = _person_id(api, manager, "referrer.f83003@workingbetter.example")
    assert api.call("POST", f"/people/{person_id}/disable", manager, {}).status == 200
    # A refresh in a later second than the disable: Cognito's refreshed token keeps the old
    # sign-in time, but moto's carried a new one that the sign-out record could not refuse.
    disabled_in = int(time.time())
    while int(time.time()) == disabled_in:
        time.sleep(0.05)

    shown = leaver.get("/practice")

    assert shown.status == 303
    assert shown.location.startswith("/session/refresh")
    refreshed = leaver.get(shown.location)
    assert (refreshed.status, refreshed.location) == (303, "/login"), refreshed.text[:300]


def _person_id(api: Api, manager: str, email: str) -> str:
    listed: list[dict[str, Any]] = api.call("GET", "/people", manager).body["items"]
    return next(str(p["person_id"]) for p in listed if p["email"] == email)


def test_a_reset_authenticator_is_set_up_again_before_any_token(pages: Pages,
                                                                  cloud: Cloud) -> None:
    coach = "coach-chloe@workingbetter.example"
    old_token = cloud.token(Role.COACH, coach_id="coach-chloe")
    pages.sign_in("manager")
    person_id = _person_id(Api(cloud), cloud.token(Role.MANAGER), coach)
    page = pages.get(f"/manage/people/{person_id}")
    assert "Set up" in page.text.partition('id="authenticator"')[2][:40]

    reset = pages.post(f"/manage/people/{person_id}/reset-authenticator",
                       page.keys_of(f"/manage/people/{person_id}/reset-authenticator"))

    assert "Authenticator app reset" in pages.follow(reset).text
    assert Api(cloud).call("GET", "/referrals", old_token).status == 401
    pages.cookies.clear()
    asked = pages.post("/login", {"email": coach, "password": DEMO_PASSWORD}, keys=False)
    assert "Set up an authenticator app" in asked.text
    assert "wb_token" not in pages.cookies


def test_each_change_is_audited_on_the_persons_page_with_no_patient_data(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")
    assert _invite(pages, "audited@nhs.example", "coach", "coach-amara").status == 303
    person_id = _person_id(Api(cloud), cloud.token(Role.MANAGER), "audited@nhs.example")
    page = pages.get(f"/manage/people/{person_id}")
    pages.post(f"/manage/people/{person_id}/reset-authenticator",
               page.keys_of(f"/manage/people/{person_id}/reset-authenticator"))
    page = pages.get(f"/manage/people/{person_id}")
    pages.post(f"/manage/people/{person_id}/disable",
               page.keys_of(f"/manage/people/{person_id}/disable"))

    shown = pages.get(f"/manage/people/{person_id}").text
    audit = shown.partition('id="audit"')[2].partition("</dl>")[0]
    by = ", by manager@workingbetter.example"
    assert re.findall(r'__value">([^<]+)</dd>', audit) == [
        f"Disabled{by}", f"Authenticator app reset{by}", f"Invited as coach (Amara Okafor){by}"]
    items = boto3.resource("dynamodb").Table(cloud.settings.table_name).query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": f"PEOPLE_AUDIT#{person_id}"})["Items"]
    assert {frozenset(i) for i in items} <= {
        frozenset({"pk", "sk", "change", "by"}),
        frozenset({"pk", "sk", "change", "by", "role", "scope"})}
    assert "audited@nhs.example" not in str(items)  # ids and enums, not even staff details


def test_the_list_shows_role_scope_account_state_and_last_sign_in(pages: Pages) -> None:
    pages.sign_in("referrer:F83001")
    pages.cookies.clear()
    pages.sign_in("manager")

    listed = pages.get("/manage/people").text

    card = listed.partition("referrer.f83001@workingbetter.example")[2].partition(
        "govuk-summary-card__title")[0]
    assert "Practice staff" in card and "City Road Medical Centre" in card  # noqa: PT018
    assert "Active" in card
    assert "Not yet" not in card  # they signed in at /login


def test_a_forgotten_password_is_reset_by_the_emailed_code(pages: Pages) -> None:
    email = "referrer.f83003@workingbetter.example"
    pages.pool.add(person("referrer:F83003"))
    form = pages.get("/login")
    assert 'href="/login/forgotten"' in form.text

    asked = pages.post("/login/forgotten", {"email": email}, keys=False)
    assert "Check your email" in asked.text
    wrong = pages.post("/login/forgotten/reset", {"email": email, "code": "000000",
                                                  "password": NEW_PASSWORD,
                                                  "again": NEW_PASSWORD}, keys=False)
    code = _secret(_mail_to(email))
    assert code != "000000"
    assert wrong.error_summary() == [("#code", "Enter the 6-digit code from the email we "
                                               "sent you")]
    done = pages.post("/login/forgotten/reset", {"email": email, "code": code,
                                                 "password": NEW_PASSWORD,
                                                 "again": NEW_PASSWORD}, keys=False)

    assert done.location == "/login?done=password-reset"
    assert pages.sign_in("referrer:F83003", password=NEW_PASSWORD).location == "/practice"


def test_a_forgotten_password_answers_the_same_for_an_address_with_no_account(
        pages: Pages) -> None:
    pages.pool.add(person("ops"))

    known = pages.post("/login/forgotten", {"email": "ops@workingbetter.example"}, keys=False)
    unknown = pages.post("/login/forgotten", {"email": "nobody@workingbetter.example"},
                         keys=False)

    assert known.status == unknown.status == 200
    assert known.text.replace("ops@", "X@") == unknown.text.replace("nobody@", "X@")


def test_a_first_sign_in_refuses_a_weak_or_mistyped_new_password_on_its_field(
        pages: Pages) -> None:
    pages.sign_in("manager")
    assert _invite(pages, "weak@nhs.example").status == 303
    pages.cookies.clear()
    asked = pages.post("/login", {"email": "weak@nhs.example",
                                  "password": _secret(_mail_to("weak@nhs.example"))},
                       keys=False)
    session = {"email": asked.hidden("email"), "session": asked.hidden("session")}

    mistyped = pages.post("/login/new-password", {**session, "password": NEW_PASSWORD,
                                                  "again": NEW_PASSWORD + "x"}, keys=False)
    weak = pages.post("/login/new-password", {**session, "password": "short",
                                              "again": "short"}, keys=False)

    assert mistyped.status == weak.status == 422
    assert mistyped.error_summary() == [("#password_again", "Enter the same password twice")]
    assert weak.error_summary() == [("#password", "Enter a password of at least 12 characters "
                                                  "with a capital letter, a small letter and a "
                                                  "number, that is not a common password")]
    assert "wb_token" not in pages.cookies


def test_a_leaver_signed_in_on_the_pages_is_signed_out_at_their_next_click(
        pages: Pages, cloud: Cloud) -> None:
    leaver = Pages(cloud.built.pool)
    assert leaver.sign_in("coach:coach-bilal").location == "/coach"
    assert leaver.get("/coach").status == 200
    pages.sign_in("manager")
    person_id = _person_id(Api(cloud), cloud.token(Role.MANAGER),
                           "coach-bilal@workingbetter.example")
    page = pages.get(f"/manage/people/{person_id}")

    pages.post(f"/manage/people/{person_id}/disable",
               page.keys_of(f"/manage/people/{person_id}/disable"))

    assert pages.get(f"/manage/people/{person_id}").text.count("Disabled") >= 1
    shown = leaver.follow(leaver.get("/coach"))
    assert shown.status == 200 and "Sign in to Working Better" in shown.text  # noqa: PT018
    assert "wb_token" not in leaver.cookies


def test_an_account_disabled_by_mistake_is_enabled_again_audited_and_its_old_tokens_stay_refused(
        pages: Pages, cloud: Cloud) -> None:
    email = "referrer.f83004@workingbetter.example"
    api = Api(cloud)
    old_token = cloud.token(Role.REFERRER, practice_ods="F83004")
    manager = cloud.token(Role.MANAGER)
    person_id = _person_id(api, manager, email)
    pages.sign_in("manager")
    path = f"/manage/people/{person_id}"
    pages.post(f"{path}/disable", pages.get(path).keys_of(f"{path}/disable"))

    enabled = pages.post(f"{path}/enable", pages.get(path).keys_of(f"{path}/enable"))

    shown = pages.follow(enabled).text
    assert "Account enabled again" in shown
    assert "Active" in shown.partition('id="account"')[2][:40]
    audit = shown.partition('id="audit"')[2].partition("</dl>")[0]
    assert re.findall(r'__value">([^<,]+),', audit) == ["Enabled again", "Disabled"]
    assert api.call("GET", "/referrals", old_token).status == 401  # what they held stays out
    boto3.client("cognito-idp").initiate_auth(
        ClientId=cloud.built.pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": DEMO_PASSWORD})  # they sign in again
    assert api.call("POST", f"/people/{person_id}/enable", manager, {}).body == {
        "person_id": person_id, "enabled": True}  # the API over the same service, once
    assert len(api.call("GET", f"/people/{person_id}", manager).body["audit"]) == 2


def test_a_practice_added_a_moment_ago_is_offered_and_accepted_for_an_invitation(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")
    assert pages.get("/manage/people").status == 200  # its header read the practices known
    added = Api(cloud).call("POST", "/practices/manage", cloud.token(Role.MANAGER), {
        "practice_ods": "Y05678", "name": "Moorside Surgery", "email": "moorside@nhs.example",
        "address": "2 Moor Lane, Leeds LS2 1AA", "phone": "0113 496 0001", "rooms": []})
    assert added.status == 201, added.body

    form = pages.get("/manage/people/invite").text
    invited = _invite(pages, "new.starter@nhs.example", "referrer", "Y05678")

    assert "Moorside Surgery" in form
    assert invited.status == 303, invited.error_summary()
