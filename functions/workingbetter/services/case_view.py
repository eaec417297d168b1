"""The coach's case record of one referral as its pages and the API read it: the referral, and
the personal-data items the adapter read and typed (services/case_record.py writes them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from workingbetter.adapters.dynamo import Item
from workingbetter.domain.communication_needs import CommunicationNeed
from workingbetter.domain.records.case import CaseFile, CaseKind, CaseNote, StepNote
from workingbetter.domain.records.referral import Referral


@dataclass(frozen=True)
class Record:
    """The referral and its case record (the personal-data items, typed by the adapter), as
    the coach's pages and the API read them."""

    referral: Referral
    case: CaseFile

    @property
    def erased(self) -> bool:
        return self.case.patient is None

    @property
    def patient(self) -> Item | None:
        """The patient's details as the case record's page shows them."""
        return None if self.case.patient is None else asdict(self.case.patient)

    @property
    def communication_needs(self) -> tuple[CommunicationNeed, ...]:
        """The patient's needs, from the details this record read."""
        return self.case.patient.patient.communication_needs if self.case.patient else ()

    @property
    def profile(self) -> Item | None:
        found = self.case.one(CaseKind.PROFILE)
        return None if found is None else dict(found.written)

    @property
    def contacts(self) -> list[Item]:
        """Employers contacted, by the day of the contact."""
        return [{"contact_id": c.key.item_id, **c.written} for c in sorted(
            self.case.of(CaseKind.CONTACT), key=lambda c: (str(c.written.get("on")), c.at))]

    @property
    def benefits(self) -> Item | None:
        found = self.case.one(CaseKind.BENEFITS)
        return None if found is None else dict(found.written)

    @property
    def notes(self) -> tuple[CaseNote, ...]:
        """The coach's own notes, editable."""
        return self.case.notes

    @property
    def step_notes(self) -> tuple[StepNote, ...]:
        """Written with a step (reasons, goals, a job's employer)."""
        return self.case.step_notes

    @property
    def jobs(self) -> list[Item]:
        """Job starts: the workflow facts with the employer and role from the step's note."""
        job = self.referral.job
        if not job:
            return []
        note = next((n for n in self.step_notes if n.event == "job_started"), StepNote(""))
        return [{**asdict(job), "employer": note.employer, "role": note.role}]

    def review_answers(self) -> dict[str, str]:
        """The answers given so far to the review the referral awaits (none from an earlier
        review's draft)."""
        draft = self.case.review_draft
        if draft is None or draft.review != self.referral.reviews_done:
            return {}
        return {str(k): str(v) for k, v in draft.answers.items()}

    @property
    def goals_now(self) -> list[str]:
        """The goals as last set: at the latest review that set them, else in the profile."""
        reviews = [n for n in self.step_notes if n.goals]
        if reviews:
            return list(max(reviews, key=lambda n: n.at).goals)
        return [g.goal for g in self.case.profile_goals]

    @property
    def confidence_over_time(self) -> list[Item]:
        """Scores from the profile and from reviews, oldest first."""
        scores = [{"at": c.at, "score": c.score} for c in self.case.confidence]
        scores += [{"at": n.at, "score": n.confidence} for n in self.step_notes
                   if n.confidence is not None]
        return sorted(scores, key=lambda s: str(s["at"]))
