"""The user pool's accounts as a service manager handles them (Cognito's admin API): invite,
list, read one, disable, sign out everywhere, remove an authenticator app.

An adapter: the service speaks to it in typed records (domain/people.py) and domain errors,
never in botocore's. An invitation is AdminCreateUser without a password of ours: Cognito makes
the temporary one and emails it (locally, moto and infra/cognito_mail.py, to /dev/messages),
so the app never sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workingbetter.adapters.cognito_client import CognitoAdapter
from workingbetter.domain.auth import Role
from workingbetter.domain.errors import Conflict, FieldError, NotFound
from workingbetter.domain.people import INVITABLE, Invitation, Person

ALREADY = "This email address already has an account"


def _attributes(listed: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in listed}


class CognitoPeople(CognitoAdapter):
    def _admin(self, operation: str, person_id: str, **kwargs: Any) -> dict[str, Any]:
        """An Admin* call on one account; an account that is not there is NotFound."""
        client = self._client
        try:
            answer: dict[str, Any] = getattr(client, operation)(
                UserPoolId=self.pool.pool_id, Username=person_id, **kwargs)
        except client.exceptions.UserNotFoundException:
            raise NotFound("No such person") from None
        return answer

    def invite(self, invited: Invitation) -> str:
        """The account, in its group, with the invitation emailed; its person id (sub). A
        half-made account (the group refused) is deleted again."""
        client = self._client
        attributes = [{"Name": "email", "Value": invited.email},
                      {"Name": "email_verified", "Value": "true"},
                      {"Name": "name", "Value": invited.name}]
        if invited.practice_ods:
            attributes.append({"Name": "custom:practice_ods", "Value": invited.practice_ods})
        if invited.coach_id:
            attributes.append({"Name": "custom:coach_id", "Value": invited.coach_id})
        try:
            created = client.admin_create_user(
                UserPoolId=self.pool.pool_id, Username=invited.email,
                UserAttributes=attributes, DesiredDeliveryMediums=["EMAIL"])
        except client.exceptions.UsernameExistsException:
            raise Conflict(ALREADY, [FieldError("email", ALREADY)]) from None
        person_id = str(_attributes(created["User"]["Attributes"]).get(
            "sub", created["User"]["Username"]))
        try:
            self._admin("admin_add_user_to_group", person_id, GroupName=str(invited.role))
        except Exception:
            self.delete(person_id)
            raise
        return person_id

    def delete(self, person_id: str) -> None:
        """Undo an invitation whose audit or group could not be written."""
        self._admin("admin_delete_user", person_id)

    def disable(self, person_id: str) -> None:
        self._admin("admin_disable_user", person_id)

    def enable(self, person_id: str) -> None:
        self._admin("admin_enable_user", person_id)

    def sign_out_everywhere(self, person_id: str) -> None:
        """Every refresh token of the account stops working (AdminUserGlobalSignOut); its ID
        tokens are refused by the app's own record of the sign-out (sign_outs.py)."""
        self._admin("admin_user_global_sign_out", person_id)

    def remove_authenticator(self, person_id: str) -> None:
        """Their next sign-in sets a new app up before any token (the pool requires one)."""
        self._admin("admin_delete_software_token", person_id)

    def person(self, person_id: str) -> Person:
        user = self._admin("admin_get_user", person_id)
        groups = self._admin("admin_list_groups_for_user", person_id)["Groups"]
        roles = tuple(r for r in INVITABLE if r in {g["GroupName"] for g in groups})
        return self._person(user["Username"], _attributes(user["UserAttributes"]), roles,
                            bool(user.get("Enabled", True)), str(user.get("UserStatus", "")),
                            "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or []))

    def everyone(self) -> list[Person]:
        """Each account in a role's group (one ListUsersInGroup a role, paged), by name; an
        account in two groups (ops and manager) once, with both."""
        found: dict[str, tuple[dict[str, Any], list[Role]]] = {}
        for role in INVITABLE:
            for user in self._in_group(role):
                found.setdefault(user["Username"], (user, []))[1].append(role)
        people = [self._person(user["Username"], _attributes(user.get("Attributes", [])),
                               tuple(roles), bool(user.get("Enabled", True)),
                               str(user.get("UserStatus", "")), None)
                  for user, roles in found.values()]
        return sorted(people, key=lambda p: (p.name.lower(), p.email))

    def _in_group(self, role: Role) -> Iterator[dict[str, Any]]:
        pages = self._client.get_paginator("list_users_in_group").paginate(
            UserPoolId=self.pool.pool_id, GroupName=str(role))
        for page in pages:
            yield from page.get("Users", [])

    @staticmethod
    def _person(username: str, attributes: dict[str, str], roles: tuple[Role, ...],
                enabled: bool, status: str, has_app: bool | None) -> Person:
        return Person(person_id=attributes.get("sub", username),
                      email=attributes.get("email", ""), name=attributes.get("name", ""),
                      roles=roles, enabled=enabled, status=status,
                      has_authenticator=bool(has_app),
                      practice_ods=attributes.get("custom:practice_ods"),
                      coach_id=attributes.get("custom:coach_id"))
