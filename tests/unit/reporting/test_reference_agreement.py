"""The ledger engine against the independent reference implementation (tests/reference/outcome_rules.py).

Thousands of random histories (tests/unit/reporting/reference_histories.py) go through the real pathway
aggregates and the real ledger engine, and the same histories, written as a caseworker would, through the
reference; they must agree outcome by outcome (achievement and evidence dates, price, payable amount) and on
what a provider that claims every payable outcome at once is paid. ``REFERENCE_HISTORIES`` sets how many; a
failure names its seed (``python -m tests.unit.reporting.reference_histories SEED SEED+1`` replays it).

The other tests show that the comparison has teeth: each breaks one rule in the engine the way a plausible
bug would (a week counted a day late, a prerequisite not checked, an hours band closed at the wrong end, an
employer scope ignored, a continuous count that forgives gaps) and asserts that some history then disagrees.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tests.unit.reporting.reference_histories import compare
from tests.unit.reporting.support import seeds_in_two_workers

HISTORIES = int(os.environ.get("REFERENCE_HISTORIES", "4000"))


@pytest.mark.timeout(1200)  # about a minute on a quiet 2-core machine
def test_the_engine_and_the_reference_agree_claim_by_claim_on_thousands_of_histories():
    differences = seeds_in_two_workers("tests.unit.reporting.reference_histories", HISTORIES)
    assert differences == [], f"{len(differences)} of {HISTORIES} histories differ, e.g. {differences[:3]}"


def first_difference(seeds: int = 1500) -> dict | None:
    for seed in range(seeds):
        found = compare(seed)
        if found is not None:
            return found
    return None


def test_the_generated_histories_reach_every_kind_of_outcome():
    """Agreement means something only if the histories reach outcomes of every trigger, paid and unpaid."""
    import random

    from tests.reference.outcome_rules import claims
    from tests.unit.reporting.reference_histories import random_card, random_history

    triggers, payable, capped = set(), 0, 0
    for seed in range(300):
        rnd = random.Random(seed)
        card = random_card(rnd)
        _, steps, _ = random_history(rnd)
        trigger_of = {m["code"]: m["trigger"] for m in card["metrics"]}
        for outcome in claims(steps, card)["outcomes"]:
            triggers.add(trigger_of[outcome["metric"]])
            payable += outcome["payable"] == outcome["price"] > 0
            capped += outcome["payable"] < outcome["price"]
    assert triggers == {"employment_started", "sustained", "qualification_achieved", "training_started"}
    assert payable > 100 and capped > 5


def test_a_week_counted_a_day_late_is_caught(monkeypatch):
    from reporting.outcomes import achievements

    right = achievements.day_reaching

    def a_day_late(periods, days, continuous):
        found = right(periods, days, continuous)
        return None if found is None else found + timedelta(days=1)

    monkeypatch.setattr(achievements, "day_reaching", a_day_late)
    found = first_difference()
    assert found is not None and any(d["engine"] and d["reference"] and d["engine"][0] != d["reference"][0]
                                     for d in found["outcomes"])


def test_a_missed_prerequisite_is_caught(monkeypatch):
    from reporting.outcomes.terms import Terms

    right = Terms.metric
    monkeypatch.setattr(Terms, "metric", lambda self, code: {**right(self, code), "prerequisites": []})
    found = first_difference()
    assert found is not None and found["paid_only_by_engine"]


def test_a_wrong_hours_band_is_caught(monkeypatch):
    """A part-time band closed at its top (16 hours counted as part-time) pays a full-timer as a part-timer."""
    from reporting.outcomes import achievements

    right = achievements.spell_counts

    def closed_at_the_top(metric, spell):
        high = metric["max_hours_per_week"]
        return right({**metric, "max_hours_per_week": None if high is None else float(high) + 0.01}, spell)

    monkeypatch.setattr(achievements, "spell_counts", closed_at_the_top)
    found = first_difference()
    assert found is not None and any(d["engine"] and not d["reference"] for d in found["outcomes"])


def test_a_wrong_employer_scope_is_caught(monkeypatch):
    from reporting.outcomes import achievements

    monkeypatch.setattr(achievements, "employers_of", lambda metric: [])
    found = first_difference()
    assert found is not None and any(d["engine"] and not d["reference"] for d in found["outcomes"])


def test_continuous_weeks_that_forgive_a_gap_are_caught(monkeypatch):
    from reporting.outcomes import achievements

    right = achievements.day_reaching
    monkeypatch.setattr(achievements, "day_reaching", lambda periods, days, continuous: right(periods, days, False))
    found = first_difference()
    assert found is not None and any(d["engine"] and (not d["reference"] or d["engine"][0] < d["reference"][0])
                                     for d in found["outcomes"])
