"""A referral's personal-data items, as the adapter types them: each item's kind comes from its
key, and nothing held is dropped (the patient's copy gives every item, whatever its kind)."""

from __future__ import annotations

from decimal import Decimal

from workingbetter.adapters import keys
from workingbetter.adapters.case_items import case_file
from workingbetter.domain.records.case import CaseKey, CaseKind

R = "r-1"


def test_each_item_is_sorted_by_the_kind_its_key_names() -> None:
    found = case_file([
        {"referral_id": R, "sk": "CASENOTE#abc", "text": "Called", "at": "2030-01-02T00:00:00Z",
         "request_hash": "h"},
        {"referral_id": R, "sk": "CONFIDENCE#2030-01-01T00:00:00Z", "score": Decimal(7),
         "at": "2030-01-01T00:00:00Z"},
        {"referral_id": R, "sk": "NOTE#2030-01-03T00:00:00Z#1a2b", "event": "job_started",
         "employer": "Acme", "at": "2030-01-03T00:00:00Z"},
        {"referral_id": R, "sk": "PROFILE", "goals": [{"goal": "Drive", "status": "achieved"}],
         "at": "2030-01-01T00:00:00Z"},
    ])
    assert found.patient is None  # erased, or never held: the case record alone
    assert [i.key for i in found.items] == [
        CaseKey(R, CaseKind.CASE_NOTE, "abc"),
        CaseKey(R, CaseKind.CONFIDENCE, "2030-01-01T00:00:00Z"),
        CaseKey(R, CaseKind.STEP_NOTE, "2030-01-03T00:00:00Z#1a2b"),
        CaseKey(R, CaseKind.PROFILE)]
    (note,) = found.notes
    assert (note.note_id, note.text, note.version) == ("abc", "Called", 1)  # before versions: 1
    assert found.confidence[0].score == 7
    assert found.step_notes[0].employer == "Acme"
    assert [g.goal for g in found.profile_goals] == ["Drive"]
    assert "request_hash" not in found.items[0].written  # the fingerprint is not what was written


def test_an_item_of_a_kind_not_known_is_kept() -> None:
    (item,) = case_file([{"referral_id": R, "sk": "LETTER#9", "at": "2030-01-01T00:00:00Z",
                          "text": "Sent"}]).items
    assert item.key.kind is CaseKind.OTHER
    assert item.written == {"at": "2030-01-01T00:00:00Z", "text": "Sent"}


def test_a_key_written_is_the_key_read() -> None:
    for key in (CaseKey(R, CaseKind.PROFILE), CaseKey(R, CaseKind.CONTACT, "k1"),
                CaseKey(R, CaseKind.STEP_NOTE, "2030-01-03T00:00:00Z#1a2b")):
        assert keys.case_key_of(R, keys.case_item(key)["sk"]) == key


def test_a_reviews_draft_names_the_review_it_is_for() -> None:
    draft = case_file([{"referral_id": R, "sk": "REVIEWDRAFT", "review": Decimal(2),
                        "answers": {"goal_1": "Drive"}, "at": "2030-01-01T00:00:00Z"}]
                      ).review_draft
    assert draft is not None
    assert (draft.review, dict(draft.answers)) == (2, {"goal_1": "Drive"})
