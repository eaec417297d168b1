"""Nothing lost, nothing doubled, with the Lambda service failing under the workflow.

Refers N patients across the pilot practices while 30 % of workflow task invocations fail as
the Lambda service does (half before the handler runs, half after its work landed), withdraws
every fifth, resumes whatever ends up waiting for ops, and then checks the service's rules:
every referral is where it would be without faults (booked while the practice has places,
otherwise waitlisted; withdrawn if withdrawn), and nothing happened twice (a coach's counter
equals the referrals holding a place, no slot booked twice, no timeline event twice, each
message sent once).

    python -m benchmarks.faults [--referrals 500] [--rate 0.3] [--seed 7]

`make test` runs the same check on a dozen referrals (tests/integration/test_faults.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workingbetter.adapters.store import Store
from workingbetter.domain import nhs_number
from workingbetter.domain.records.referral import Referral

Call = Callable[[str, str, str, Any], tuple[int, Any]]  # method, path, token, body
Tokens = Callable[[str, str], str]  # role, practice or coach -> bearer token
SETTLED = {"appointment_outcome": "APPOINTMENT_BOOKED", "capacity": "WAITLISTED"}
ONCE = ("referral_received", "coach_allocated", "appointment_booked", "withdrawn",
        "awaiting_appointment_outcome")


@dataclass
class Report:
    referrals: int
    withdrawn: int = 0
    booked: int = 0
    waitlisted: int = 0
    resumed: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self, faults: dict[str, int]) -> list[str]:
        return [
            f"| referrals | {self.referrals} |",
            f"| faults injected (before / after the handler ran) | "
            f"{faults['before']} / {faults['after']} |",
            f"| booked / waitlisted / withdrawn | {self.booked} / {self.waitlisted} / "
            f"{self.withdrawn} |",
            f"| expected booked / waitlisted | {self.expected.get('booked')} / "
            f"{self.expected.get('waitlisted')} |",
            f"| resumed by ops | {self.resumed} |",
            f"| lost | {len(self.lost)} |",
            f"| doubled | {len(self.doubled)} |",
            f"| wall time | {self.seconds:.0f} s |",
        ]


def valid_nhs_numbers(count: int, start: int = 943_476_000) -> list[str]:
    found: list[str] = []
    candidate = start
    while len(found) < count:
        digit = nhs_number.check_digit(str(candidate))
        if digit is not None:
            found.append(f"{candidate}{digit}")
        candidate += 1
    return found


def body(practice: str, number: str) -> dict[str, Any]:
    return {"practice_ods": practice,
            "patient": {"nhs_number": number, "given_name": "Fault", "family_name": "Test",
                        "date_of_birth": "1980-01-01", "email": "f@example.com",
                        "contact_preference": "email"},
            "employment_status": "unemployed", "health_conditions": ["musculoskeletal"],
            "reason": "Fault injection", "consent": {"referral": True,
                                                     "share_outcome_with_gp": False}}


def exercise(call: Call, tokens: Tokens, store: Store, practices: dict[str, int], n: int,
             progress: Callable[[str], None] = lambda _: None,
             settle_seconds: float = 180) -> Report:
    """Refer, withdraw every fifth, resume what waits for ops, then judge. `practices` gives
    each practice's places (coaches times the caseload cap); `settle_seconds` bounds the wait
    for everything to settle once all are referred."""
    started = time.monotonic()
    report = Report(referrals=n)
    names = sorted(practices)
    ids: dict[str, str] = {}
    for i, number in enumerate(valid_nhs_numbers(n)):
        practice = names[i % len(names)]
        status, reply = call("POST", "/referrals", tokens("referrer", practice),
                             body(practice, number))
        assert status == 201, reply
        ids[reply["referral_id"]] = practice
        if i % 50 == 49:
            progress(f"referred {i + 1}/{n}")
    leaving = list(ids)[4::5]
    for referral_id in leaving:
        status, reply = call("POST", f"/referrals/{referral_id}/withdraw",
                             tokens("referrer", ids[referral_id]), {})
        assert status == 200, reply
    report.withdrawn = len(leaving)
    report.resumed = _settle(call, tokens, store, list(ids),
                             time.monotonic() + settle_seconds, progress,
                             lambda: _places_match(store, ids, practices))
    _judge(store, ids, practices, report)
    report.seconds = time.monotonic() - started
    return report


def _settled(item: Referral | None) -> bool:
    if item is None:
        return False
    if item.status == "WITHDRAWN":
        return True
    return bool(item.task_token) and SETTLED.get(str(item.awaiting)) == \
        item.status


def _settle(call: Call, tokens: Tokens, store: Store, ids: list[str], deadline: float,
            progress: Callable[[str], None], places_match: Callable[[], bool]) -> int:
    """Until every referral has come to rest and every freed place has passed on (a place a
    withdrawal frees reaches the next in line a moment after the withdrawal: a busy machine
    widens that moment, and judging inside it would count a place as lost)."""
    resumed: set[str] = set()
    while time.monotonic() < deadline:
        items = {i: store.referrals.get(i) for i in ids}
        waiting = [i for i, item in items.items() if not _settled(item)]
        if not waiting and places_match():
            break
        for referral_id in waiting:
            item = items[referral_id]
            if item is None:
                continue
            if (item.awaiting == "ops_retry" and item.task_token) or item.stopped:
                status, _ = call("POST", f"/referrals/{referral_id}/resume",
                                 tokens("ops", ""), {})
                if status == 200:
                    resumed.add(referral_id)
        progress(f"{len(ids) - len(waiting)}/{len(ids)} settled, {len(resumed)} resumed")
        time.sleep(1.0)
    return len(resumed)


def _places_match(store: Store, ids: dict[str, str], practices: dict[str, int]) -> bool:
    probe = Report(referrals=len(ids))
    _judge(store, ids, practices, probe)
    return not probe.lost


def _judge(store: Store, ids: dict[str, str], practices: dict[str, int],
           report: Report) -> None:
    items = {i: store.referrals.get(i) for i in ids}
    report.lost = [i for i, item in items.items() if not _settled(item)]
    live = Counter(ids[i] for i, item in items.items() if item and item.status != "WITHDRAWN")
    report.expected = {"booked": sum(min(live[p], places) for p, places in practices.items())}
    report.expected["waitlisted"] = sum(live.values()) - report.expected["booked"]
    report.booked = sum(1 for item in items.values()
                        if item and item.status == "APPOINTMENT_BOOKED")
    report.waitlisted = sum(1 for item in items.values()
                            if item and item.status == "WAITLISTED")
    if (report.booked, report.waitlisted) != (report.expected["booked"],
                                              report.expected["waitlisted"]):
        report.lost.append("places: booked/waitlisted differ from what the places allow")
    report.doubled = _doubled(store, items)


def _doubled(store: Store, items: dict[str, Referral | None]) -> list[str]:
    found: list[str] = []
    slots = Counter(item.appointment.start + str(item.coach_id)
                    for item in items.values()
                    if item and item.appointment and item.status != "WITHDRAWN")
    found += [f"slot {s} booked {n} times" for s, n in slots.items() if n > 1]
    holding = Counter(str(item.coach_id) for item in items.values()
                      if item and item.coach_id and not item.capacity_released)
    for coach_id in {str(item.coach_id) for item in items.values()
                     if item and item.coach_id}:
        coach = store.directory.coach(coach_id)
        active = coach.active if coach else None
        if active != holding[coach_id]:
            found.append(f"{coach_id} counts {active}, {holding[coach_id]} hold")
    for referral_id, item in items.items():
        events = Counter(e.event for e in (item.timeline if item else ()))
        found += [f"{referral_id}: {e} x{events[e]}" for e in ONCE if events[e] > 1]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=500)
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--seed", default="7")
    args = parser.parse_args()
    from benchmarks.local import in_process_service

    with in_process_service(caseload_cap=20, fault_rate=args.rate,
                            fault_seed=args.seed) as service:
        report = exercise(service.call, service.token, service.store, service.places(),
                          args.referrals,
                          progress=lambda line: print(f"  … {line}", file=sys.stderr,
                                                      flush=True),
                          settle_seconds=max(300, args.referrals))
        faults = service.faults()
    print("| fault run | |\n|---|---:|")
    print("\n".join(report.lines(faults)))
    if report.lost or report.doubled:
        print(json.dumps({"lost": report.lost[:20], "doubled": report.doubled[:20]}, indent=1))
    return 0 if not report.lost and not report.doubled else 1


if __name__ == "__main__":
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    sys.exit(main())
