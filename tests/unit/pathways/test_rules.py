"""The dated rules cover every date a programme can run in, and every row says where it came from."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from pathways.domain import rules

#: From the USE-IT! window (2016) to today: every regulator's English, exams and registration must be in force.
DAYS = [date(2016, 1, 1) + timedelta(days=d) for d in range(0, (date(2026, 12, 31) - date(2016, 1, 1)).days, 30)]


@pytest.mark.parametrize("regulator", ("GMC", "NMC", "HCPC", "GPhC"))
def test_each_regulator_accepts_an_english_test_and_has_its_route_in_force_on_every_day_since_2016(regulator):
    for day in DAYS:
        assert any(rules.english_rule(regulator, test, day, None) for test in (rules.IELTS, rules.OET)), day
        assert rules.in_force(rules.REGISTRATION, day, regulator=regulator).regulator == regulator
        for exam in rules.EXAMS_OF[regulator]:
            assert rules.in_force(rules.EXAMS, day, exam=exam).attempts >= 1


def test_every_rule_row_names_its_source():
    tables = (rules.ENGLISH, rules.EXAMS, rules.REGISTRATION, rules.GPHC, rules.PLACEMENTS, rules.PLACEMENT_GATES,
              rules.SUSTAINMENT)
    assert all(row.source for table in tables for row in table)


def test_nmc_english_before_december_2018_is_seven_in_every_part_in_one_sitting():
    before = rules.english_rule("NMC", rules.IELTS, date(2017, 6, 1), None)
    assert before is not None and before.overall == 7.0 and set(before.minimum.values()) == {7.0}
    assert before.combine_within_days is None
    assert rules.english_rule("NMC", rules.OET, date(2017, 10, 31), None) is None  # OET from 1 Nov 2017
    assert rules.english_rule("NMC", rules.OET, date(2017, 11, 1), None).minimum["writing"] == "B"
    after = rules.english_rule("NMC", rules.IELTS, date(2018, 12, 5), None)
    assert after.minimum["writing"] == 6.5 and after.combine_within_days == 183


def test_the_osce_allowed_one_resit_per_application_until_april_2017_and_two_since():
    assert rules.in_force(rules.EXAMS, date(2017, 3, 31), exam="OSCE").attempts == 2
    assert rules.in_force(rules.EXAMS, date(2017, 4, 1), exam="OSCE").attempts == 3
    assert all(rules.in_force(rules.EXAMS, day, exam=e).per_application for e in ("CBT", "OSCE") for day in DAYS)
    assert rules.in_force(rules.EXAMS, date(2021, 8, 2), exam="OSCE").prerequisite is None  # any order since
