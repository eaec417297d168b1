"""Field errors from the domain as a GOV.UK error summary plus inline messages.

The domain names fields by their JSON path ("patient.nhs_number"); a page maps each path to the
id of the input it links to, and may reword a message for the way the page asks the question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workingbetter.domain.errors import FieldError

if TYPE_CHECKING:
    from workingbetter.web.http import Form

REQUIRED = "This field is required"
_INDEX = re.compile(r"(\.\d+)+$")


@dataclass(frozen=True)
class PageErrors:
    summary: list[tuple[str, str]] = field(default_factory=list)  # (href, message), page order
    by_field: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.summary)

    def about(self, what: str) -> PageErrors:
        """The summary's lines naming the form they are about ("Record the review for Ada
        Smith: …"), for a page with a form per person; the inline messages stay as they are."""
        return PageErrors([(href, f"{what}: {message}") for href, message in self.summary],
                          self.by_field)


@dataclass(frozen=True)
class FormErrorMap:
    anchors: Mapping[str, str]  # field path → input id, in the order the page asks
    required: Mapping[str, str] = field(default_factory=dict)  # field → "Enter …" message
    reworded: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fallback: str = "main-content"  # where errors about no one field link to
    # Fields asked in a GOV.UK date input: field → the input's form prefix ("start" for
    # start_day, start_month, start_year). Its anchor is the input's id; an error links to its
    # first wrong box (`{anchor}-{box}`) when the form is given.
    dates: Mapping[str, str] = field(default_factory=dict)
    date_boxes: tuple[str, ...] = ("day", "month", "year")

    def message(self, name: str, message: str) -> str:
        if message == REQUIRED and name in self.required:
            return self.required[name]
        return self.reworded.get(name, {}).get(message, message)

    def page_errors(self, errors: list[FieldError], prefix: str = "",
                    form: Form | None = None) -> PageErrors:
        """`prefix` goes before every input id, for a page with one form per referral; with
        the `form` posted, a date's error links to its first wrong box."""
        order = list(self.anchors)
        by_field: dict[str, str] = {}
        for error in errors:
            name = _INDEX.sub("", error.field)
            by_field.setdefault(name, self.message(name, error.message))
        ranked = sorted(by_field, key=lambda n: order.index(n) if n in order else -1)
        summary = [(f"#{prefix}{self._anchor(n, form)}" if n in self.anchors
                    else f"#{self.fallback}", by_field[n]) for n in ranked]
        return PageErrors(summary, by_field)

    def _anchor(self, name: str, form: Form | None) -> str:
        if name not in self.dates or form is None:
            return self.anchors[name]
        from workingbetter.web.date_input import first_wrong

        return f"{self.anchors[name]}-{first_wrong(form, self.dates[name], self.date_boxes)}"


def only_message(message: str, fallback: str = "main-content") -> PageErrors:
    """An error about the whole form (a conflict, say): in the summary, linked to the form."""
    return PageErrors([(f"#{fallback}", message)], {})


def already_sent(fallback: str, check: str) -> PageErrors:
    """A form sent again with different answers (the back button, a second tab): its key was
    used by the first, so nothing new was saved. What to do: look, then send it again (the
    form comes back with what was typed and a key of its own)."""
    return only_message(f"This form was already sent with different answers, so these were "
                        f"not saved. Check {check}, then send the form again to save them.",
                        fallback)


@dataclass(frozen=True)
class Failed:
    """The one form that came back with errors, to show again with what was typed."""

    referral_id: str
    path: str
    form: Form
    errors: PageErrors
