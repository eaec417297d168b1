"""The communication needs' questions, as every form asks them (the referral form, the case
record, the patient's own page): one checkbox per need, then the language for an interpreter
and the words for "something else". The answers become the JSON API's list, and its field
errors come back onto the inputs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from workingbetter.domain.communication_needs import (
    DETAIL_NEEDED,
    LANGUAGE_NEEDED,
    NEEDS_DETAIL,
    NEEDS_LANGUAGE,
    CommunicationNeed,
)
from workingbetter.domain.errors import FieldError
from workingbetter.web.errors import FormErrorMap, PageErrors
from workingbetter.web.http import Form

FIELD = "communication_needs"
YOUR_LANGUAGE = "Enter the language you need an interpreter for, like Polish"
YOUR_DETAIL = "Describe what you need"
_ITEM = re.compile(r"\.\d+")


def answers(form: Form) -> list[dict[str, Any]]:
    """The needs ticked, each with the words it needs (the service says which are missing)."""
    found: list[dict[str, Any]] = []
    for need in form.all("need"):
        entry: dict[str, Any] = {"need": need}
        if need in NEEDS_LANGUAGE:
            entry["language"] = form.get("language") or None
        if need in NEEDS_DETAIL:
            entry["detail"] = form.get("detail") or None
        found.append(entry)
    return found


def prefilled(needs: tuple[CommunicationNeed, ...]) -> Form:
    """The form as the needs on file fill it."""
    pairs = [("need", str(n.need)) for n in needs]
    pairs += [(name, value) for n in needs
              for name, value in (("language", n.language), ("detail", n.detail)) if value]
    return Form.parse(urlencode(pairs))


class NeedsErrorMap(FormErrorMap):
    """Errors about one need in the list (`communication_needs.1.language`) go to the one
    input the form has for it."""

    def page_errors(self, errors: list[FieldError], prefix: str = "",
                    form: Form | None = None) -> PageErrors:
        return super().page_errors([FieldError(_ITEM.sub("", e.field), e.message)
                                    for e in errors], prefix, form)


def error_map(prefix: str, within: str = "", patients_own: bool = False) -> FormErrorMap:
    """Where each error goes: the checkboxes, the language, the words (`within` is the API
    field the list sits in, like "patient."). On the patient's own page the words speak to
    them."""
    reworded = {f"{FIELD}.language": {LANGUAGE_NEEDED: YOUR_LANGUAGE},
                f"{FIELD}.detail": {DETAIL_NEEDED: YOUR_DETAIL}} if patients_own else {}
    return NeedsErrorMap({f"{within}{FIELD}": prefix, f"{within}{FIELD}.need": prefix,
                          f"{within}{FIELD}.language": f"{prefix}-language",
                          f"{within}{FIELD}.detail": f"{prefix}-detail"}, reworded=reworded)
