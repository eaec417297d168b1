"""template.yaml's user pool on moto's Cognito: the pool, its app client and groups as the
template declares them, and people to sign in as.

moto issues RS256 tokens like Cognito's (its own key pair: the public half is served at
/<pool id>/.well-known/jwks.json by moto's server, and read from moto's package in-process).
The pool requires an authenticator app of everyone, as the template's does (infra/cognito_mfa
makes moto enforce it), so every person made here sets one up, as they would at their first
sign-in. Two differences from AWS: moto never locks an account (the app counts failures
itself), and it accepts any six digits as an authenticator code unless
MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP is set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3

from infra.template import LocalTemplate

# Local only: every seeded person has this password (printed by `make run`).
DEMO_PASSWORD = "Working-Better-2026"  # noqa: S105 - a demo password for the local pool only
LOCAL_CODE = "123456"  # moto accepts any six digits as an authenticator app's code
DOMAIN = "workingbetter.example"
_POOL_KEYS = ("MfaConfiguration", "UsernameAttributes", "UsernameConfiguration", "Schema",
              "Policies", "AdminCreateUserConfig", "AccountRecoverySetting",
              "DeletionProtection", "UserPoolAddOns", "UserPoolTier",
              "VerificationMessageTemplate")
_CLIENT_KEYS = ("ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation",
                "AuthSessionValidity", "IdTokenValidity", "AccessTokenValidity",
                "RefreshTokenValidity", "TokenValidityUnits", "ReadAttributes",
                "WriteAttributes", "ClientName", "GenerateSecret")


@dataclass(frozen=True)
class Person:
    """Someone to sign in as: a role, and the practice or coach that scopes it."""

    role: str
    practice_ods: str | None = None
    coach_id: str | None = None
    name: str = ""  # as pages greet them (Cognito's standard `name` attribute)

    @property
    def email(self) -> str:
        if self.role == "referrer":
            return f"referrer.{(self.practice_ods or '').lower()}@{DOMAIN}"
        if self.role == "coach":
            return f"{(self.coach_id or '').lower()}@{DOMAIN}"
        return f"{self.role}@{DOMAIN}"

    def attributes(self) -> list[dict[str, str]]:
        found = [{"Name": "email", "Value": self.email},
                 {"Name": "email_verified", "Value": "true"}]
        if self.name:
            found.append({"Name": "name", "Value": self.name})
        if self.practice_ods:
            found.append({"Name": "custom:practice_ods", "Value": self.practice_ods})
        if self.coach_id:
            found.append({"Name": "custom:coach_id", "Value": self.coach_id})
        return found


def pilot_people(pilot: dict[str, Any]) -> list[Person]:
    """Staff at each practice, each coach, a service manager (ops), a people manager and a
    commissioner,
    each with an authenticator app (the pool requires it of everyone), by name
    (infra/pilot_practices.json)."""
    practices = pilot["practices"]
    people = [Person("referrer", practice_ods=p["practice_ods"], name=p["staff"])
              for p in practices]
    people += [Person("coach", coach_id=c["coach_id"], name=c["name"])
               for p in practices for c in p["coaches"]]
    return [*people, Person("ops", name=pilot["ops"]),
            Person("manager", name=pilot["manager"]),
            Person("commissioner", name=pilot["commissioner"])]


@dataclass(frozen=True)
class LocalPool:
    region: str
    pool_id: str
    client_id: str
    endpoint_url: str | None = None  # moto's server; None in-process

    def client(self) -> Any:
        return boto3.client("cognito-idp", region_name=self.region,
                            endpoint_url=self.endpoint_url)

    def add(self, person: Person, password: str = DEMO_PASSWORD, app: bool = True) -> None:
        """Create the account (as an administrator would, README) unless it exists; with
        `app`, its authenticator app is set up as at a first sign-in (MFA_SETUP)."""
        cognito = self.client()
        try:
            cognito.admin_create_user(UserPoolId=self.pool_id, Username=person.email,
                                      UserAttributes=person.attributes(),
                                      MessageAction="SUPPRESS")
        except cognito.exceptions.UsernameExistsException:
            return
        cognito.admin_set_user_password(UserPoolId=self.pool_id, Username=person.email,
                                        Password=password, Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=person.email,
                                        GroupName=person.role)
        if app:
            self._set_up_app(cognito, person.email, password)

    def _set_up_app(self, cognito: Any, email: str, password: str) -> None:
        asked = self._initiate(cognito, email, password)
        assert asked.get("ChallengeName") == "MFA_SETUP", "the pool requires an app"
        session = cognito.associate_software_token(Session=asked["Session"])["Session"]
        verified = cognito.verify_software_token(Session=session, UserCode=LOCAL_CODE,
                                                 FriendlyDeviceName="Authenticator app")
        cognito.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
            ChallengeResponses={"USERNAME": email})

    def _initiate(self, cognito: Any, email: str, password: str) -> dict[str, Any]:
        answer: dict[str, Any] = cognito.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password})
        return answer

    def _answer(self, cognito: Any, email: str, password: str) -> dict[str, Any]:
        """Sign in as the page does, with the local code when the account's app is asked."""
        answer = self._initiate(cognito, email, password)
        if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            answer = cognito.respond_to_auth_challenge(
                ClientId=self.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=answer["Session"],
                ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": LOCAL_CODE})
        result: dict[str, Any] = answer["AuthenticationResult"]
        return result

    def id_token(self, person: Person) -> str:
        """A real ID token of this pool for the person (their account is made if missing)."""
        self.add(person)
        return str(self._answer(self.client(), person.email, DEMO_PASSWORD)["IdToken"])


def create_pool(template: LocalTemplate, endpoint_url: str | None = None) -> LocalPool:
    """The template's pool, app client and groups; the template then resolves their Refs."""
    from infra.template import REGION

    cognito = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint_url)
    (pool_id_logical, pool), = template.of_type("AWS::Cognito::UserPool").items()
    props = template.resolve(pool["Properties"])
    pool_id = cognito.create_user_pool(
        PoolName=props["UserPoolName"], **{k: props[k] for k in _POOL_KEYS if k in props},
    )["UserPool"]["Id"]
    if "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []):  # as CloudFormation sets it
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id, MfaConfiguration=props["MfaConfiguration"],
            SoftwareTokenMfaConfiguration={"Enabled": True})
    template.overrides[pool_id_logical] = pool_id
    (client_logical, client), = template.of_type("AWS::Cognito::UserPoolClient").items()
    client_props = template.resolve(client["Properties"])
    client_props.pop("UserPoolId")
    client_props.setdefault("ClientName", client_logical)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, **{k: client_props[k] for k in _CLIENT_KEYS if k in client_props},
    )["UserPoolClient"]["ClientId"]
    template.overrides[client_logical] = client_id
    for group in template.of_type("AWS::Cognito::UserPoolGroup").values():
        props = group["Properties"]
        with contextlib.suppress(cognito.exceptions.GroupExistsException):
            cognito.create_group(UserPoolId=pool_id, GroupName=props["GroupName"],
                                 Description=props.get("Description", ""))
    return LocalPool(REGION, pool_id, client_id, endpoint_url)


def moto_keys() -> dict[str, Any]:
    """The public half of moto's signing key, as its server publishes it (in-process tests)."""
    from moto.utilities.utils import load_resource

    keys: dict[str, Any] = load_resource("cognitoidp/resources/jwks-public.json")
    return keys


@contextlib.contextmanager
def keys_in_process() -> Iterator[None]:
    """moto in this process has no server to publish the keys: the app reads moto's own."""
    from workingbetter import wiring
    from workingbetter.adapters import token_check

    fetched = token_check.key_source
    token_check.key_source = lambda pool: token_check.StaticKeys(moto_keys())
    wiring.tokens.cache_clear()
    try:
        yield
    finally:
        token_check.key_source = fetched
        wiring.tokens.cache_clear()
