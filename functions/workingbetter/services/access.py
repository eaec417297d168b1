"""Who may see a referral, and who may decide its triage: one rule each
(docs/architecture.md §5). Off-scope referrals answer as missing ones do (404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workingbetter.domain.auth import Principal, Role

if TYPE_CHECKING:
    from workingbetter.adapters.store import Store
    from workingbetter.domain.records.referral import Referral


def can_see(principal: Principal, item: Referral) -> bool:
    if principal.role is Role.OPS:
        return True
    if principal.role is Role.REFERRER:
        return item.practice_ods == principal.practice_ods
    if principal.role is Role.COACH:
        return item.coach_id == principal.coach_id
    return False  # a commissioner reads reports, never a referral


def may_triage(store: Store, principal: Principal, item: Referral) -> bool:
    """Any coach with a session at the referral's practice may decide its triage (before it
    has a coach)."""
    if principal.role is not Role.COACH or not principal.coach_id:
        return False
    coach = store.directory.coach(principal.coach_id)
    return coach is not None and item.practice_ods in coach.practices
