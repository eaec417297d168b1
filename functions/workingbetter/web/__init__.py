"""The web pages: server-rendered HTML over the same services as the JSON API.

`blueprint` carries every page route; api.py registers it on the app. Importing this package
imports the page modules, which is what puts their routes on the blueprint.
"""

from __future__ import annotations

from workingbetter.web import (
    assets,
    case_pages,
    coach_pages,
    copy_pages,
    dev_pages,
    diary_pages,
    login_pages,
    manage_absences,
    manage_coaches,
    manage_leaving,
    manage_moves,
    manage_pages,
    manage_practices,
    ops_pages,
    patient_pages,
    practice_pages,
    referral_pages,
    reports_pages,
    review_pages,
    session_pages,
)
from workingbetter.web.registry import blueprint

__all__ = ["assets", "blueprint", "case_pages", "coach_pages", "copy_pages", "dev_pages",
           "diary_pages", "login_pages", "manage_absences", "manage_coaches", "manage_leaving",
           "manage_moves", "manage_pages", "manage_practices", "ops_pages", "patient_pages",
           "practice_pages", "referral_pages", "reports_pages", "review_pages", "session_pages"]
