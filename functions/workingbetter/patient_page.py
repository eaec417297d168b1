"""The one page a patient sees: leaving the service from the link in their messages. No login
(the link's token is the key), GOV.UK styled, no script. Looking at the page never uses the
link up; only pressing the button does."""

from __future__ import annotations

import hashlib
from typing import Any

from chalice.app import Response

from workingbetter import withdrawal
from workingbetter.domain.errors import DomainError, NotFound
from workingbetter.domain.referral import Status
from workingbetter.observability import logger
from workingbetter.problems import STATUS
from workingbetter.store import Store
from workingbetter.web.http import error_page, html
from workingbetter.workflow import Workflow


def _live(store: Store, token: str) -> bool:
    """The checks `withdrawal.withdraw_by_link` makes, without using the link."""
    referral_id, _, secret = token.partition(".")
    if not secret or len(token) > 200:
        return False
    item = store.referral(referral_id)
    if item is None or Status(item["status"]).terminal:
        return False
    return store.withdraw_link_is_live(referral_id, hashlib.sha256(token.encode()).hexdigest())


def _gone() -> Response:
    # 410: the link existed once (or looks as if it did); say what to do instead.
    return html("patient_link_gone.html", 410, title="This link has expired or was already used")


def show(store: Store, token: str) -> Response:
    if not _live(store, token):
        return _gone()
    return html("patient_leave.html", title="Leave Working Better")


def leave(store: Store, workflow: Workflow, token: str, body: Any) -> Response:
    """The form's button: leave, then a page in plain words (never JSON)."""
    try:
        left = withdrawal.withdraw_by_link(store, workflow, token, body)
    except NotFound:
        return _gone()
    except DomainError as error:
        return error_page(STATUS.get(type(error), 400), error.title, error.detail)
    except Exception:
        logger.exception("unhandled error on the patient's page")
        return error_page(500, "Sorry, there is a problem with the service",
                          "You have not left yet. Try again later, or contact your GP practice.")
    return html("patient_left.html", title="You have left Working Better",
                erased=left["personal_data_erased"])
