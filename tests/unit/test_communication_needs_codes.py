"""Each communication need is declared once, in plain words, with at most one SNOMED CT
concept, and no concept names two needs (a Flag read back must mean one need)."""

from __future__ import annotations

from workingbetter.domain.communication_needs import NEEDS, Need
from workingbetter.fhir import flags
from workingbetter.fhir.codes import SNOMED


def test_every_need_is_declared_with_words_and_a_kind() -> None:
    assert set(NEEDS) == set(Need)
    assert all(info.words and info.kind for info in NEEDS.values())


def test_a_snomed_concept_names_one_need_and_reads_back_as_it() -> None:
    codes = [info.snomed for info in NEEDS.values() if info.snomed]
    assert len(codes) == len(set(codes))
    for need, info in NEEDS.items():
        assert flags.need_for(flags.COMMUNICATION_NEED, str(need)) is need
        if info.snomed:
            assert info.snomed.isdigit()
            assert info.snomed_display
            assert flags.need_for(SNOMED, info.snomed) is need
