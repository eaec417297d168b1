"""The service's records in DynamoDB, one small repository per record, built together on the
same two tables (`dynamo.Tables`) by `wiring.py`:

| repository | record |
|---|---|
| `referrals` | a referral's workflow item and its timeline (`referrals.py`) |
| `lists` | the lists of referrals, the waitlist and ops' counts (`referral_lists.py`) |
| `directory` | practices and coaches (`directory.py`) |
| `capacity` | coaches' caseload places (`capacity.py`) |
| `diary` | held slots and follow-up appointments (`diary.py`) |
| `links` | the patient's one-time link and coaches' calendar links (`links.py`) |
| `patients` | the patient's personal data (`patients.py`) |
| `case` | the coach's case record and notes (`case_items.py`) |
| `audit` | who read personal data (`read_audit.py`) |
| `outbox` | messages to send and sent, and coaches' tasks (`outbox.py`) |

Every change of state is a conditional write, so two writers can never both win.
"""

from __future__ import annotations

from workingbetter.adapters.capacity import Capacity
from workingbetter.adapters.case_items import CaseItems
from workingbetter.adapters.diary import Diary
from workingbetter.adapters.directory import Directory
from workingbetter.adapters.dynamo import Tables
from workingbetter.adapters.links import Links
from workingbetter.adapters.outbox import Outbox
from workingbetter.adapters.patients import Patients
from workingbetter.adapters.read_audit import ReadAudit
from workingbetter.adapters.referral_lists import ReferralLists
from workingbetter.adapters.referrals import Referrals


class Store:
    """The repositories, sharing one set of tables."""

    def __init__(self, table_name: str, personal_data_table_name: str,
                 idempotency_table_name: str) -> None:
        self.tables = Tables(table_name, personal_data_table_name, idempotency_table_name)
        self.referrals = Referrals(self.tables)
        self.lists = ReferralLists(self.tables)
        self.directory = Directory(self.tables)
        self.capacity = Capacity(self.tables, self.referrals)
        self.diary = Diary(self.tables)
        self.links = Links(self.tables)
        self.audit = ReadAudit(self.tables)
        self.patients = Patients(self.tables, self.audit, self.referrals)
        self.case = CaseItems(self.tables, self.audit)
        self.outbox = Outbox(self.tables)
