"""Leaving from the patient's link: the confirmation page and its button. No login (the link's
token is the key, see patient_link), GOV.UK styled, no script. Looking at the page never uses
the link up; only pressing the button does."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from workingbetter.domain.errors import DomainError, NotFound
from workingbetter.observability import logger
from workingbetter.routing.problems import status_of
from workingbetter.web.http import error_page, html


def gone(token: str) -> Response:
    """410: the link existed once (or looks as if it did); say what to do instead. When its
    referral was withdrawn, the person holding it has left (the id in a link is known only to
    its patient and the staff): say so plainly, and what happens now."""
    from workingbetter.wiring import services  # the services load with the first patient page

    left = services().patient_requests.has_left(token)
    return html("patient_link_gone.html", 410, left=left, phone=services().settings.service_phone,
                title="You have left Working Better" if left
                else "This link has expired or was already used")


def show(token: str, back: str | None = None) -> Response:
    from workingbetter.wiring import services

    if services().patient_requests.referral_for(token) is None:
        return gone(token)
    return html("patient_leave.html", title="Leave Working Better", back=back)


def leave(token: str, body: Any) -> Response:
    """The form's button: leave, then a page in plain words (never JSON)."""
    from workingbetter.wiring import services  # its services load when it is pressed

    try:
        left = services().withdrawals.withdraw_by_link(token, body)
    except NotFound:
        return gone(token)
    except DomainError as error:
        return error_page(status_of(error), error.title, error.detail)
    except Exception:
        logger.exception("unhandled error on the patient's page")
        return error_page(500, "Sorry, there is a problem with the service",
                          "You have not left yet. Try again later, or contact your GP practice.")
    return html("patient_left.html", title="You have left Working Better",
                erased=left["personal_data_erased"], phone=services().settings.service_phone)
