"""The one place the service is put together (docs/architecture.md §2).

Settings are read here, once per container, and every adapter and service is built from them
here, each service handed what it uses (repositories, the workflow, `Notices`, the services it
calls): no service builds another. The entry points (the JSON routes, the pages, the FHIR
routes, the workflow tasks and the scheduled functions) ask this module for what they use, and
nothing below them reads settings or builds a client. It imports the services lazily, so a
cold start pays only for what its first request needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workingbetter.adapters.sign_in import CognitoSignIn
    from workingbetter.adapters.sign_in_attempts import Attempts
    from workingbetter.adapters.sign_outs import SignOuts
    from workingbetter.adapters.store import Store
    from workingbetter.adapters.token_check import TokenCheck
    from workingbetter.adapters.workflow import Workflow
    from workingbetter.notifications.notices import Notices
    from workingbetter.notifications.receipts import Receipts
    from workingbetter.notifications.sending import Sending
    from workingbetter.notifications.waiting import Messages
    from workingbetter.reports.service import Reports
    from workingbetter.services.appointment_moves import Moves
    from workingbetter.services.calendar_feed import CalendarFeeds
    from workingbetter.services.case_record import CaseRecords
    from workingbetter.services.caseload_moves import CaseloadMoves
    from workingbetter.services.coaches import Coaches
    from workingbetter.services.communication_needs import Needs
    from workingbetter.services.cover import Cover
    from workingbetter.services.follow_ups import FollowUps
    from workingbetter.services.leaving import Leaving
    from workingbetter.services.lifecycle import Lifecycle
    from workingbetter.services.ops_watch import OpsWatch
    from workingbetter.services.pathway import Pathway
    from workingbetter.services.patient_requests import PatientRequests
    from workingbetter.services.people import People
    from workingbetter.services.practices import Practices
    from workingbetter.services.reconcile import Reconciler
    from workingbetter.services.referrals import Referrals
    from workingbetter.services.resume import Resumption
    from workingbetter.services.staff import Staff
    from workingbetter.services.steps import Steps
    from workingbetter.services.subject_access import SubjectAccess
    from workingbetter.services.withdrawal import Withdrawals
    from workingbetter.settings import Settings


@dataclass(frozen=True)
class Adapters:
    """What every function uses: its settings, the tables and the workflow."""

    settings: Settings
    store: Store
    workflow: Workflow


def settings() -> Settings:
    """Read from the environment (template.yaml's Globals) on first use, then kept."""
    from workingbetter.settings import get_settings

    return get_settings()


@lru_cache(maxsize=1)
def adapters() -> Adapters:
    from workingbetter.adapters.store import Store
    from workingbetter.adapters.workflow import Workflow

    given = settings()
    store = Store(given.table_name, given.personal_data_table_name,
                  given.idempotency_table_name)
    return Adapters(given, store, Workflow(given.state_machine_arn))


class Services:
    """Every service, each built on first use and then kept: the API's and the pages', the
    workflow tasks' and the scheduled functions'. Each receives what it uses from here."""

    def __init__(self, built: Adapters) -> None:
        self.settings = built.settings
        self.store = built.store
        self.workflow = built.workflow

    # -- what the services below share: built here, never inside a service ------------------

    @cached_property
    def notices(self) -> Notices:
        from workingbetter.notifications.notices import Notices

        return Notices(self.store.outbox, self.settings)

    @cached_property
    def resumption(self) -> Resumption:
        from workingbetter.services.resume import Resumption

        return Resumption(self.store, self.workflow, self.settings)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        from workingbetter.services.lifecycle import Lifecycle

        return Lifecycle(self.store, self.workflow, self.settings, self.notices,
                         self.resumption)

    @cached_property
    def moves(self) -> Moves:
        from workingbetter.services.appointment_moves import Moves

        return Moves(self.store, self.settings, self.notices, self.lifecycle)

    # -- the workflow's tasks and the scheduled functions ------------------------------------

    @cached_property
    def pathway(self) -> Pathway:
        from workingbetter.services.pathway import Pathway

        return Pathway(self.store, self.workflow, self.settings, self.notices, self.lifecycle)

    @cached_property
    def sending(self) -> Sending:
        from workingbetter.notifications.notify import NotifySender
        from workingbetter.notifications.senders import TopicAlerts
        from workingbetter.notifications.sending import Sending

        notify = NotifySender(self.settings.secret("notify_api_key"),
                              self.settings.notify_base_url, self.settings.template_ids())
        return Sending(self.store, notify, TopicAlerts(self.settings.ops_alerts_topic_arn),
                       self.settings)

    @cached_property
    def reconciler(self) -> Reconciler:
        from workingbetter.services.reconcile import Reconciler

        return Reconciler(self.store, self.notices, self.lifecycle)

    # -- the API's and the pages' -----------------------------------------------------------

    @cached_property
    def ops_watch(self) -> OpsWatch:
        from workingbetter.services.ops_watch import OpsWatch

        return OpsWatch(self.store, self.workflow)

    @cached_property
    def messages(self) -> Messages:
        from workingbetter.notifications.waiting import Messages

        return Messages(self.store)

    @cached_property
    def withdrawals(self) -> Withdrawals:
        from workingbetter.services.withdrawal import Withdrawals

        return Withdrawals(self.store, self.workflow, self.lifecycle)

    @cached_property
    def needs(self) -> Needs:
        from workingbetter.services.communication_needs import Needs

        return Needs(self.store, self.notices)

    @cached_property
    def patient_requests(self) -> PatientRequests:
        from workingbetter.services.patient_requests import PatientRequests

        return PatientRequests(self.store, self.settings, self.notices)

    @cached_property
    def referrals(self) -> Referrals:
        from workingbetter.services.referrals import Referrals

        return Referrals(self.store, self.workflow, self.settings, self.notices)

    @cached_property
    def steps(self) -> Steps:
        from workingbetter.services.steps import Steps

        return Steps(self.store, self.workflow, self.settings, self.notices, self.lifecycle,
                     self.resumption)

    @cached_property
    def reports(self) -> Reports:
        from workingbetter.reports.service import Reports
        from workingbetter.reports.suppression import Rounding

        return Reports(self.store, self.settings.seconds_per_day,
                       Rounding.derived_from(self.settings.hash_key()))

    @cached_property
    def case_records(self) -> CaseRecords:
        from workingbetter.services.case_record import CaseRecords

        return CaseRecords(self.store, self.settings, self.needs)

    @cached_property
    def follow_ups(self) -> FollowUps:
        from workingbetter.services.follow_ups import FollowUps

        return FollowUps(self.store, self.settings, self.notices)

    @cached_property
    def subject_access(self) -> SubjectAccess:
        from workingbetter.services.subject_access import SubjectAccess

        return SubjectAccess(self.store)

    @cached_property
    def calendars(self) -> CalendarFeeds:
        from workingbetter.services.calendar_feed import CalendarFeeds

        return CalendarFeeds(self.store, self.follow_ups)

    @cached_property
    def staff(self) -> Staff:
        from workingbetter.services.staff import Staff

        return Staff(self.store.directory)

    @cached_property
    def people(self) -> People:
        from workingbetter.adapters.people_audit import PeopleAudit
        from workingbetter.adapters.people_directory import CognitoPeople
        from workingbetter.services.people import People

        return People(CognitoPeople(self.settings.cognito_pool()),
                      PeopleAudit(self.store.tables.table),
                      sign_outs(), self.staff)

    @cached_property
    def cover(self) -> Cover:
        from workingbetter.adapters.absences import Absences, CoverAudit
        from workingbetter.services.cover import Cover

        table = self.store.tables.table
        return Cover(self.store, self.workflow, self.settings, Absences(table), CoverAudit(table),
                     self.moves)

    @cached_property
    def caseload_moves(self) -> CaseloadMoves:
        from workingbetter.adapters.absences import CoverAudit
        from workingbetter.services.caseload_moves import CaseloadMoves

        return CaseloadMoves(self.store, self.settings, CoverAudit(self.store.tables.table),
                             self.notices, self.moves)

    @cached_property
    def leaving(self) -> Leaving:
        from workingbetter.adapters.absences import CoverAudit
        from workingbetter.services.leaving import Leaving

        return Leaving(self.store, self.workflow, self.settings,
                       CoverAudit(self.store.tables.table), self.caseload_moves, self.notices,
                       self.resumption)

    @cached_property
    def practices(self) -> Practices:
        from workingbetter.adapters.people_audit import practice_audit
        from workingbetter.services.practices import Practices

        return Practices(self.store, practice_audit(self.store.tables.table),
                         self.withdrawals, self.notices)

    @cached_property
    def coaches(self) -> Coaches:
        from workingbetter.adapters.absences import CoverAudit
        from workingbetter.adapters.people_audit import coach_audit
        from workingbetter.services.coaches import Coaches

        table = self.store.tables.table
        return Coaches(self.store, coach_audit(table), CoverAudit(table),
                       self.lifecycle, self.settings)

    @cached_property
    def sign_in(self) -> CognitoSignIn:
        from workingbetter.adapters.sign_in import CognitoSignIn

        return CognitoSignIn(self.settings.cognito_pool())

    @cached_property
    def sign_in_attempts(self) -> Attempts:
        from workingbetter.adapters.sign_in_attempts import TableAttempts

        return TableAttempts(self.store.tables.table, self.settings.hash_key())

    @cached_property
    def receipts(self) -> Receipts:
        """GOV.UK Notify's delivery receipts (the coach told when a patient's message failed)."""
        from workingbetter.notifications.receipts import Receipts

        return Receipts(self.store, self.notices)


@lru_cache(maxsize=1)
def services() -> Services:
    return Services(adapters())


@lru_cache(maxsize=1)
def sign_outs() -> SignOuts:
    """One per container: the token check and the sign-out page share what it remembers, so
    a sign-out here is refused here at once."""
    from workingbetter.adapters.sign_outs import TableSignOuts

    return TableSignOuts(adapters().store.tables.table)


@lru_cache(maxsize=1)
def tokens() -> TokenCheck:
    """Built once per container, so the pool's keys stay cached between requests."""
    from workingbetter.adapters import token_check

    pool = settings().cognito_pool()
    # Looked up when called: in-process tests read moto's keys (infra/cognito.py).
    return token_check.TokenCheck(pool, token_check.key_source(pool), sign_outs())


def reset() -> None:
    """Forget everything built (tests, and the local stack, build a fresh cloud)."""
    from workingbetter.settings import get_settings

    for cached in (get_settings, adapters, services, sign_outs, tokens):
        cached.cache_clear()
