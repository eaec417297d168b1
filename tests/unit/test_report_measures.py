"""The outcome measures over populations whose right answers are known: the funnel, times,
rates against their benchmarks, the Work and Health Programme outcome, IPS measures."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.report_population import (
    CLOCK,
    COACHES,
    NOW,
    PERIOD,
    attended,
    day,
    job,
    referred,
    rejected,
)
from workingbetter.adapters.item_codec import decode
from workingbetter.domain.bands import age_band
from workingbetter.domain.records.referral import Referral
from workingbetter.reports.measures import Distribution, outcomes, whp_outcome
from workingbetter.reports.population import from_item


def test_the_funnel_counts_each_stage_as_a_subset_of_the_one_before() -> None:
    population = [
        *[rejected(referred(i)) for i in range(2)],
        *[attended(referred(10 + i)) for i in range(6)],
        *[job(attended(referred(20 + i))) for i in range(3)],
        *[referred(30 + i) for i in range(4)],
    ]
    funnel = {s.key: s.count for s in outcomes(population, COACHES, PERIOD, NOW, CLOCK).funnel}
    assert funnel == {"referred": 15, "accepted": 9, "allocated": 9, "attended": 9,
                      "in_support": 3, "job_start": 3, "in_work_13": 3, "in_work_26": 3,
                      "in_work_52": 0}


def test_times_are_medians_and_90th_percentiles_in_days() -> None:
    population = [attended(referred(i), booked_day=i, attended_day=2 * i) for i in range(1, 11)]
    measured = outcomes(population, COACHES, PERIOD, NOW, CLOCK)
    assert measured.to_first_contact == Distribution(10, 5.5, 9.0, people=10)
    assert measured.to_first_attended == Distribution(10, 11.0, 18.0, people=10)


def test_a_compressed_clock_still_reports_service_days() -> None:
    from workingbetter.reports.measures import Clock

    fast = [replace(attended(referred(i)), first_attended_at=day(9 / 86400))
            for i in range(5)]
    assert outcomes(fast, COACHES, PERIOD, NOW, Clock(1)).to_first_attended.median == 9


def test_dna_rate_and_job_starts_against_those_who_started_support() -> None:
    population = [attended(referred(i), missed=1) for i in range(4)] + \
        [job(attended(referred(10 + i))) for i in range(4)]
    measured = outcomes(population, COACHES, PERIOD, NOW, CLOCK)
    assert (measured.did_not_attend.numerator, measured.did_not_attend.denominator) == (4, 12)
    assert measured.job_starts.value == 0.5


def test_a_whp_job_outcome_needs_16_hours_at_the_living_wage_for_26_weeks() -> None:
    base = attended(referred())
    assert whp_outcome(job(base, hours=16, pay_band="nlw"))
    assert whp_outcome(job(base, hours=35, pay_band="llw"))
    assert not whp_outcome(job(base, hours=15.5, pay_band="nlw"))
    assert not whp_outcome(job(base, hours=30, pay_band="below_nlw"))
    assert not whp_outcome(job(base, hours=30, pay_band=None))  # not recorded: not counted
    assert not whp_outcome(job(base, weeks=frozenset({13})))
    assert whp_outcome(job(base, hours=5, pay_band=None, self_employed=True))


def test_counts_by_practice_age_band_and_condition_include_the_empty_ones() -> None:
    population = [referred(0, "F83001", "16-24", ("diabetes", "mental_health")),
                  referred(1, "F83001", None, ("mental_health",))]
    measured = outcomes(population, COACHES, PERIOD, NOW, CLOCK, ["F83001", "F83002"])
    assert measured.by_practice == {"F83001": 2, "F83002": 0}
    assert measured.by_age_band == {"16-24": 1, "25-34": 0, "35-49": 0, "50-64": 0, "65+": 0,
                                    "not recorded": 1}
    assert measured.by_condition["mental_health"] == 2
    assert measured.by_condition["diabetes"] == 1
    assert measured.by_condition["cancer"] == 0


def test_ips_measures_rapid_search_contacts_benefits_advice_and_exclusion() -> None:
    population = [
        job(attended(referred(0), attended_day=10), contact_day=20),  # 10 days: rapid
        job(attended(referred(1), attended_day=10), contact_day=60),  # 50 days: not
        replace(attended(referred(2)), benefits_advice_at=day(12)),
        rejected(referred(3), by="coach_decision"),
        rejected(referred(4), by="age_rule"),
    ]
    ips = outcomes(population, COACHES, PERIOD, NOW, CLOCK).ips
    assert ips.to_first_employer_contact.median == 30
    assert (ips.first_employer_contact_within_30.numerator,
            ips.first_employer_contact_within_30.denominator) == (1, 3)
    assert ips.employer_contacts == 2
    assert ips.coach_weeks == 20  # ten weeks, two coaches
    assert ips.contacts_per_coach_week == 0.1
    assert ips.contacts_per_full_time_week == 0.5  # each coach works one day in five
    assert ips.benefits_advice.value == 1 / 3
    assert ips.rejected_at_triage.value == 2 / 5
    assert ips.rejected_by_a_person.value == 1 / 5


def test_a_one_day_coach_has_an_ips_cap_of_four() -> None:
    assert COACHES[0].ips_cap == 4
    assert COACHES[0].per_full_time == 15


def test_age_bands_are_taken_on_the_referral_date() -> None:
    from datetime import date

    on = date(2026, 6, 1)
    assert age_band(date(2010, 6, 2), on) is None  # 15
    assert age_band(date(2010, 6, 1), on) == "16-24"
    assert age_band(date(2001, 6, 2), on) == "16-24"  # 24
    assert age_band(date(2001, 6, 1), on) == "25-34"
    assert age_band(date(1976, 6, 1), on) == "50-64"
    assert age_band(date(1961, 6, 1), on) == "65+"


def test_a_referral_item_reads_as_a_typed_record() -> None:
    item = {
        "referral_id": "r1", "practice_ods": "F83001", "status": "IN_WORK",
        "created_at": "2026-01-05T09:00:00.000000Z", "coach_id": "coach-amara",
        "age_band": "35-49", "condition_categories": ["diabetes", "mental_health"],
        "employer_contact_dates": ["2026-02-10", "2026-02-03"],
        "benefits_advice_on": "2026-02-01",
        "job": {"hours_per_week": "20.0", "start_date": "2026-03-01", "pay_band": "llw",
                "self_employed": False},
        "timeline": [
            {"at": "2026-01-05T09:00:00.000000Z", "event": "referral_received", "by": "x"},
            {"at": "2026-01-05T09:00:01.000000Z", "event": "coach_allocated", "by": "system"},
            {"at": "2026-01-06T09:00:00.000000Z", "event": "appointment_booked",
             "by": "system"},
            {"at": "2026-01-12T10:00:00.000000Z", "event": "did_not_attend_outreach",
             "by": "coach:coach-amara"},
            {"at": "2026-01-19T10:00:00.000000Z", "event": "first_appointment_attended",
             "by": "coach:coach-amara"},
            {"at": "2026-02-16T10:00:00.000000Z", "event": "job_started", "by": "coach"},
            {"at": "2026-05-18T10:00:00.000000Z", "event": "in_work_13_weeks", "by": "coach"},
        ],
    }
    r = from_item(decode(Referral, item))
    assert (r.accepted, r.allocated, r.reviewed, r.did_not_attend) == (True, True, True, 1)
    assert r.conditions == ("diabetes", "mental_health")
    assert r.first_employer_contact_at == day(29)
    assert r.in_work_weeks == frozenset({13})
    assert r.job is not None
    assert (r.job.hours_per_week, r.job.pay_band) == (20.0, "llw")
    assert r.benefits_advice_at is not None
    assert r.ended_at is None
