"""A GP system's ServiceRequest, mapped onto the JSON API's own intake body.

The resource is first validated with `fhir.resources`; the mapping then reads the JSON the
caller sent (so every expression names an element exactly as they sent it) and notes, for
each intake field, the FHIRPath it came from: an intake error is reported against the element
the GP system can fix. Everything the service needs that is missing is reported at once.

What maps where is in the README (FHIR section) and in `codes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workingbetter.domain.communication_needs import NEEDS_DETAIL, NEEDS_LANGUAGE
from workingbetter.domain.errors import FieldError, InvalidInput
from workingbetter.domain.referral import Condition, ContactPreference
from workingbetter.fhir import codes, flags, validation

Json = dict[str, Any]
SR = "ServiceRequest"
STATUSES = ("active",)
INTENTS = ("order", "original-order")
# The identifier is stored with the referral (it is an id, shown back in Task.basedOn): only
# the characters identifiers are made of.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9\-._:/+=@]{1,128}$")
_SYSTEM = re.compile(r"^\S{1,200}$")


@dataclass(frozen=True)
class Identifier:
    system: str
    value: str

    def as_item(self) -> dict[str, str]:
        return {"system": self.system, "value": self.value}


@dataclass(frozen=True)
class Mapped:
    """The intake body, the ServiceRequest's identifier, and where each field came from."""

    body: Json
    identifier: Identifier
    where: dict[str, str]

    def expression(self, intake_field: str) -> str:
        """The FHIRPath an intake field came from (patient.date_of_birth → the contained
        Patient's birthDate); a list item (health_conditions.1) is its list's element."""
        parts = intake_field.split(".")
        while parts:
            found = self.where.get(".".join(parts))
            if found:
                return found
            parts.pop()
        return SR

    def located(self, error: InvalidInput) -> InvalidInput:
        """The intake's field errors, against the elements they came from."""
        return InvalidInput(error.detail, [FieldError(self.expression(e.field), e.message)
                                           for e in error.errors])


def read(body: Any) -> Mapped:
    """Validate the ServiceRequest (400) and map it (422 for what the service cannot take)."""
    from fhir.resources.R4B.servicerequest import ServiceRequest

    validation.parse(ServiceRequest, SR, body)
    return _Mapper(body).mapped()


def _list(node: Json, key: str) -> list[Json]:
    value = node.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _codings(concept: Json | None) -> Iterator[Json]:
    return iter(_list(concept or {}, "coding"))


def _text(node: Json, key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


@dataclass
class _Mapper:
    resource: Json
    body: Json = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    problems: list[FieldError] = field(default_factory=list)

    def problem(self, expression: str, message: str) -> None:
        self.problems.append(FieldError(expression, message))

    def contained(self, reference: Json | None, resource_type: str) -> tuple[str, Json] | None:
        """The contained resource a reference like {"reference": "#pat"} points at, with its
        FHIRPath."""
        target = _text(reference or {}, "reference") or ""
        if not target.startswith("#"):
            return None
        for index, resource in enumerate(_list(self.resource, "contained")):
            if resource.get("id") == target[1:] and resource.get("resourceType") == resource_type:
                return f"{SR}.contained[{index}]", resource
        return None

    def of_type(self, resource_type: str) -> Iterator[tuple[str, Json]]:
        for index, resource in enumerate(_list(self.resource, "contained")):
            if resource.get("resourceType") == resource_type:
                yield f"{SR}.contained[{index}]", resource

    def mapped(self) -> Mapped:
        self._request()
        identifier = self._identifier()
        self._patient()
        self._needs()
        self._consent()
        self._reason()
        self._conditions()
        self._employment()
        self._practice()
        if self.problems or identifier is None:
            raise InvalidInput(f"This {SR} is not a referral Working Better can take: "
                               "nothing was saved", self.problems)
        return Mapped(self.body, identifier, self.where)

    # -- the request itself -------------------------------------------------------------

    def _request(self) -> None:
        if self.resource.get("status") not in STATUSES:
            self.problem(f"{SR}.status", "Send an active ServiceRequest")
        if self.resource.get("intent") not in INTENTS:
            self.problem(f"{SR}.intent", "Send a ServiceRequest whose intent is order")

    def _identifier(self) -> Identifier | None:
        for index, identifier in enumerate(_list(self.resource, "identifier")):
            system, value = _text(identifier, "system"), _text(identifier, "value")
            if value is None:
                continue
            at = f"{SR}.identifier[{index}]"
            if not (system and _SYSTEM.match(system)):
                self.problem(f"{at}.system", "Give the identifier's system, a URI")
            elif not _IDENTIFIER.match(value):
                self.problem(f"{at}.value", "Use 1 to 128 letters, digits and - . _ : / + = @ "
                             "(a UUID, say)")
            else:
                return Identifier(system, value)
            return None
        self.problem(f"{SR}.identifier", "Give the ServiceRequest an identifier: sending it "
                     "again with the same identifier then refers the patient once")
        return None

    # -- the patient --------------------------------------------------------------------

    def _patient(self) -> None:
        found = self.contained(self.resource.get("subject"), "Patient")
        if found is None:
            self.problem(f"{SR}.subject", "Contain the Patient in the ServiceRequest and "
                         "reference it from subject, like \"#patient\"")
            return
        at, patient = found
        details: Json = {}
        self.body["patient"] = details
        self.where["patient"] = at
        self._nhs_number(at, patient, details)
        self._name(at, patient, details)
        if "birthDate" in patient:
            details["date_of_birth"] = patient["birthDate"]
        self.where["patient.date_of_birth"] = f"{at}.birthDate"
        self._telecom(at, patient, details)

    def _nhs_number(self, at: str, patient: Json, details: Json) -> None:
        for index, identifier in enumerate(_list(patient, "identifier")):
            if identifier.get("system") == codes.NHS_NUMBER and _text(identifier, "value"):
                details["nhs_number"] = identifier["value"]
                self.where["patient.nhs_number"] = f"{at}.identifier[{index}].value"
                return
        self.problem(f"{at}.identifier", f"Give the patient's NHS number (system "
                     f"{codes.NHS_NUMBER})")

    def _name(self, at: str, patient: Json, details: Json) -> None:
        names = _list(patient, "name")
        index = next((i for i, n in enumerate(names) if n.get("use") == "official"), 0)
        if not names:
            self.problem(f"{at}.name", "Give the patient's name")
            return
        name = names[index]
        given = [g for g in name.get("given") or [] if isinstance(g, str)]
        if given:
            details["given_name"] = " ".join(given)
        if _text(name, "family"):
            details["family_name"] = name["family"]
        self.where["patient.given_name"] = f"{at}.name[{index}].given"
        self.where["patient.family_name"] = f"{at}.name[{index}].family"

    def _telecom(self, at: str, patient: Json, details: Json) -> None:
        telecom = _list(patient, "telecom")
        ranked = sorted(range(len(telecom)), key=lambda i: telecom[i].get("rank") or 10**9)
        for system, key in (("phone", "phone"), ("sms", "phone"), ("email", "email")):
            index = next((i for i in ranked if telecom[i].get("system") == system
                          and _text(telecom[i], "value")), None)
            if index is not None and key not in details:
                details[key] = telecom[index]["value"]
                self.where[f"patient.{key}"] = f"{at}.telecom[{index}].value"
        self.where["patient.phone"] = self.where.get("patient.phone", f"{at}.telecom")
        self.where["patient.email"] = self.where.get("patient.email", f"{at}.telecom")
        preference = self._preference(at, patient, telecom, ranked)
        if preference is not None:
            details["contact_preference"] = str(preference)

    def _preference(self, at: str, patient: Json, telecom: list[Json],
                    ranked: list[int]) -> ContactPreference | None:
        """UK Core's ContactPreference extension if the patient has one; otherwise the
        system of their preferred (rank 1) telecom."""
        for index, extension in enumerate(_list(patient, "extension")):
            if extension.get("url") == codes.UK_CONTACT_PREFERENCE:
                return self._uk_core_method(f"{at}.extension[{index}]", extension)
        preferred = [i for i in ranked if telecom[i].get("rank") == 1]
        chosen = codes.TELECOM_PREFERENCES.get(telecom[preferred[0]].get("system", "")) \
            if preferred else None
        self.where["patient.contact_preference"] = \
            f"{at}.telecom[{preferred[0]}]" if preferred else f"{at}.telecom"
        if chosen is None:
            self.problem(self.where["patient.contact_preference"], "Say how the patient wants "
                         "to be contacted: give their preferred phone, sms or email telecom "
                         "rank 1, or use UK Core's ContactPreference extension")
        return chosen

    def _uk_core_method(self, at: str, extension: Json) -> ContactPreference | None:
        self.where["patient.contact_preference"] = at
        for index, part in enumerate(_list(extension, "extension")):
            if part.get("url") != "PreferredContactMethod":
                continue
            for coding in _codings(part.get("valueCodeableConcept")):
                if coding.get("system") == codes.UK_CONTACT_METHOD:
                    method = codes.UK_CONTACT_METHODS.get(str(coding.get("code")))
                    if method is not None:
                        return method
            self.problem(f"{at}.extension[{index}].valueCodeableConcept", "Working Better "
                         "contacts patients by letter (1), telephone (3) or e-mail (4); for "
                         "text messages, rank the patient's sms telecom 1 instead")
            return None
        self.problem(at, "Give the PreferredContactMethod in the ContactPreference extension")
        return None

    # -- consent, reason, conditions, employment, practice ------------------------------

    def _needs(self) -> None:
        """Contained Flags, as NHS England's Reasonable Adjustment Flag carries needs
        (fhir/flags.py): each coded in SNOMED CT or the service's own system."""
        found: list[Json] = []
        for at, resource in self.of_type("Flag"):
            concept = resource.get("code") or {}
            need = next((n for n in (flags.need_for(c.get("system"), c.get("code"))
                                     for c in _codings(concept)) if n), None)
            if need is None:
                self.problem(f"{at}.code", "Code the need in SNOMED CT from the Reasonable "
                             f"Adjustment Flag's value set, or from {flags.COMMUNICATION_NEED}")
                continue
            entry: Json = {"need": str(need)}
            text = _text(concept, "text")
            if text and need in NEEDS_LANGUAGE:
                entry["language"] = text
            elif text and need in NEEDS_DETAIL:
                entry["detail"] = text
            self.where[f"patient.communication_needs.{len(found)}"] = f"{at}.code"
            self.where[f"patient.communication_needs.{len(found)}.language"] = f"{at}.code.text"
            self.where[f"patient.communication_needs.{len(found)}.detail"] = f"{at}.code.text"
            found.append(entry)
        if found and isinstance(self.body.get("patient"), dict):
            self.body["patient"]["communication_needs"] = found
            self.where["patient.communication_needs"] = f"{SR}.contained"

    def _consent(self) -> None:
        referral: tuple[str, Json] | None = None
        share = share_needs = False
        for at, consent in self.of_type("Consent"):
            if self._is_disclosure(consent) and self._about_needs(consent):
                share_needs = share_needs or self._permits(consent)
            elif self._is_disclosure(consent):
                share = share or self._permits(consent)
            elif referral is None:
                referral = at, consent
        self.body["consent"] = {"share_outcome_with_gp": share}
        if share_needs:
            self.body["consent"]["share_needs_with_practice"] = True
        if referral is None:
            self.problem(f"{SR}.contained", "Contain the patient's Consent to the referral "
                         "(scope treatment, status active, provision permit)")
            return
        self.body["consent"]["referral"] = self._permits(referral[1])
        self.where["consent.referral"] = f"{referral[0]}.status"

    @staticmethod
    def _is_disclosure(consent: Json) -> bool:
        """A consent to share outcomes with the practice: scope patient-privacy, or a
        provision whose action is disclose."""
        scope = any(c.get("system") == codes.CONSENT_SCOPE and c.get("code") == "patient-privacy"
                    for c in _codings(consent.get("scope")))
        provision = consent.get("provision") or {}
        disclose = any(c.get("system") == codes.CONSENT_ACTION and c.get("code") == "disclose"
                       for action in _list(provision, "action") for c in _codings(action))
        return scope or disclose

    @staticmethod
    def _about_needs(consent: Json) -> bool:
        """A disclosure whose provision names the communication needs: the patient's consent
        for their practice to see those, asked apart from sharing how they get on."""
        provision = consent.get("provision") or {}
        return any(c.get("system") == codes.CONSENT_TO_SHARE and c.get("code") == codes.NEEDS
                   for concept in _list(provision, "code") for c in _codings(concept))

    @staticmethod
    def _permits(consent: Json) -> bool:
        provision = consent.get("provision") or {}
        return consent.get("status") == "active" and provision.get("type", "permit") == "permit"

    def _reason(self) -> None:
        for index, note in enumerate(_list(self.resource, "note")):
            if _text(note, "text"):
                self.body["reason"] = note["text"]
                self.where["reason"] = f"{SR}.note[{index}].text"
                return
        for index, concept in enumerate(_list(self.resource, "reasonCode")):
            if _text(concept, "text"):
                self.body["reason"] = concept["text"]
                self.where["reason"] = f"{SR}.reasonCode[{index}].text"
                return
        self.problem(f"{SR}.note", "Say why the patient is referred, in note.text")

    def _conditions(self) -> None:
        found: list[Condition] = []
        concepts = [c for c in _list(self.resource, "reasonCode") if c.get("coding")]
        for reference in _list(self.resource, "reasonReference"):
            condition = self.contained(reference, "Condition")
            if condition is not None:
                concepts.append(condition[1].get("code") or {})
        for concept in concepts:
            category = next((c for c in (codes.condition_for(k.get("system"), k.get("code"))
                                         for k in _codings(concept)) if c), Condition.OTHER)
            if category not in found:
                found.append(category)
        self.body["health_conditions"] = [str(c) for c in found]
        self.where["health_conditions"] = f"{SR}.reasonCode"

    def _employment(self) -> None:
        for at, observation in self.of_type("Observation"):
            for coding in _codings(observation.get("valueCodeableConcept")):
                status = codes.employment_status_for(coding.get("system"), coding.get("code"))
                if status is not None:
                    self.body["employment_status"] = str(status)
                    self.where["employment_status"] = f"{at}.valueCodeableConcept"
                    return
        self.problem(f"{SR}.supportingInfo", "Give the patient's employment status: a "
                     f"contained Observation valued SNOMED {codes.SNOMED_UNEMPLOYED} "
                     f"(Unemployed), or unemployed or economically_inactive from "
                     f"{codes.EMPLOYMENT_STATUS}")

    def _practice(self) -> None:
        requester = self.resource.get("requester") or {}
        at = f"{SR}.requester"
        found = self.contained(requester, "PractitionerRole")
        if found is not None:
            at, role = found
            requester = role.get("organization") or {}
            at = f"{at}.organization"
        organization = self.contained(requester, "Organization")
        if organization is not None:
            at, identifiers = organization[0], _list(organization[1], "identifier")
        else:
            identifiers = [requester.get("identifier") or {}]
        for index, identifier in enumerate(identifiers):
            if identifier.get("system") == codes.ODS_CODE and _text(identifier, "value"):
                self.body["practice_ods"] = identifier["value"]
                self.where["practice_ods"] = f"{at}.identifier[{index}].value" \
                    if organization else f"{at}.identifier.value"
                return
        self.problem(at, "Give the referring practice's ODS code: requester (or its "
                     f"organization) with an identifier of system {codes.ODS_CODE}")
