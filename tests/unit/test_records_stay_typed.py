"""Stored records are read as typed records: outside the adapter no module reads a stored
attribute by its name as a string (`item["task_token"]`, `item.get("chases")`).

mypy --strict already refuses indexing a record; this catches a stored item that reaches a
service as a dict. Names a record shares with a public contract (a request body, the API's
JSON views, FHIR, Step Functions) are left out: without types, reading those cannot be told
apart from reading the contract.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from pydantic import BaseModel

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.records import field_names
from workingbetter.domain.records.audit import AuditRead
from workingbetter.domain.records.case import (
    CaseNote,
    Confidence,
    ProfileGoal,
    ReviewDraft,
    StepNote,
)
from workingbetter.domain.records.diary import FollowUp, Slot
from workingbetter.domain.records.directory import Coach, Practice, Session
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.records.patient import PatientDetails, PersonalData, PostalAddress
from workingbetter.domain.records.referral import (
    Appointment,
    JobFacts,
    LastAnswer,
    Referral,
    ServiceRequestId,
    StoredTriageFacts,
    TimelineEvent,
)
from workingbetter.domain.referral import Status

PACKAGE = Path(__file__).parents[2] / "functions" / "workingbetter"
# The adapters: the only modules that see items and attribute names.
ADAPTERS = "adapters/"
ADAPTER: set[str] = set()
# Modules whose pydantic models are the request contracts.
CONTRACTS = ("services.intake", "domain.step_answers", "services.case_record",
             "services.follow_ups", "services.withdrawal", "notifications.receipts",
             "handlers.task_events", "services.practices", "services.coaches")
# Keys of the other JSON the service reads: FHIR identifiers and codings, Step Functions'
# executions and events, Notify's messages, the withdrawal's answer and the pages' forms.
OUTSIDE = {"system", "value", "name", "status", "state", "email", "created_at", "detail",
           "personal_data_erased", "notification_id"}
STORED = (Referral, Coach, Practice, Session, FollowUp, Slot, Appointment, JobFacts,
          TimelineEvent, LastAnswer, ServiceRequestId, StoredTriageFacts, OutboxRow,
          PersonalData, PatientDetails, PostalAddress, AuditRead, CaseNote, StepNote,
          Confidence, ReviewDraft, ProfileGoal)


def contract_names() -> set[str]:
    """Every field name of the request models, and every key of a referral's JSON view."""
    from workingbetter.services.referral_reading import view

    names: set[str] = set(OUTSIDE)
    for module in CONTRACTS:
        for _, model in inspect.getmembers(importlib.import_module(f"workingbetter.{module}"),
                                           inspect.isclass):
            if issubclass(model, BaseModel):
                names |= set(model.model_fields)
    sample = Referral("r", "2030-01-01T00:00:00Z", Status.IN_SUPPORT, "F83001",
                      appointment=Appointment("2030-01-08T09:00:00Z", "F83001"),
                      timeline=(TimelineEvent("2030-01-01T00:00:00Z", "e", "x", {"k": 1}),))
    shown = view(Principal(Role.OPS, "ops"), sample, None)
    names |= set(shown) | set(shown["appointment"]) | set(shown["timeline"][0])
    names |= {"sessions", "coach_id", "weekday"}  # GET /practices
    return names


def string_reads(source: str) -> list[tuple[int, str]]:
    """Subscripts and .get calls with a string literal: (line, the literal)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            found.append((node.lineno, node.slice.value))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and node.args
              and isinstance(node.args[0], ast.Constant)):
            found.append((node.lineno, node.args[0].value))
    return [(line, key) for line, key in found if isinstance(key, str)]


def test_no_module_outside_the_adapter_reads_a_stored_attribute_by_name() -> None:
    stored = field_names(*STORED) - contract_names()
    assert {"task_token", "chases", "missed_in_a_row", "active"} <= stored  # the test bites
    reads = [f"{path.relative_to(PACKAGE)}:{line}: [{key!r}]"
             for path in sorted(PACKAGE.rglob("*.py"))
             if path.relative_to(PACKAGE).as_posix() not in ADAPTER
             and not path.relative_to(PACKAGE).as_posix().startswith(ADAPTERS)
             for line, key in string_reads(path.read_text()) if key in stored]
    assert reads == []


def test_the_scan_finds_a_stored_attribute_read_by_name() -> None:
    assert string_reads('item["task_token"]\nitem.get("chases", 0)\n') == [
        (1, "task_token"), (2, "chases")]


def test_no_repository_of_the_store_answers_with_a_stored_item() -> None:
    """What the store's repositories give back is a typed record (or ids, counts and words),
    never an item as DynamoDB holds it: its attribute names stay in the adapter."""
    from workingbetter.adapters.store import Store

    store = Store("workflow", "personal", "idempotency")
    answers = {f"store.{name}.{method}": str(function.__annotations__.get("return"))
               for name, repository in vars(store).items() if name != "tables"
               for method, function in inspect.getmembers(type(repository), inspect.isfunction)
               if not method.startswith("_")}
    assert "store.audit.trail" in answers  # the test bites
    assert "store.case.read" in answers
    assert [f"{where} -> {answer}" for where, answer in sorted(answers.items())
            if "Item" in answer or "Any" in answer] == []
