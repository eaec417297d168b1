"""Every page says who is signed in as people say it: their name, their role in words and the
practice's name, never an id (a coach's name and practice from their coach record when the
sign-in has no name)."""

from __future__ import annotations

import re

import pytest

from infra.cognito import Person
from tests.conftest import Cloud
from tests.web.pages import Pages

pytestmark = pytest.mark.integration


def header(page: str) -> str:
    found = re.search(r'<span id="signed-in-as">([^<]*)</span>', page)
    assert found, "no signed-in line on the page"
    return found.group(1)


def test_practice_staff_are_named_with_their_role_and_practice(cloud: Cloud,
                                                               pages: Pages) -> None:
    pages.pool.add(Person("referrer", practice_ods="F83001", name="Priya Shah"))
    pages.sign_in("referrer:F83001")

    shown = header(pages.get("/practice").text)

    assert shown == "Signed in as Priya Shah, practice staff at City Road Medical Centre."
    assert "F83001" not in shown


def test_a_coach_with_no_name_on_their_sign_in_is_named_from_their_record(
        cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("coach:coach-amara")

    shown = header(pages.get("/coach").text)

    assert shown == "Signed in as Amara Okafor, coach at City Road Medical Centre."
    assert "coach-amara" not in shown


@pytest.mark.parametrize(("identity", "name", "expected"), [
    ("ops", "Sam Taylor", "Signed in as Sam Taylor, service manager."),
    ("commissioner", "", "Signed in as commissioner."),
])
def test_ops_and_commissioners_are_named_by_their_role(cloud: Cloud, pages: Pages,
                                                       identity: str, name: str,
                                                       expected: str) -> None:
    pages.pool.add(Person(identity, name=name))
    pages.sign_in(identity)

    assert header(pages.get("/reports").text) == expected
