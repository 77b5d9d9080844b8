"""Whether a client's English sittings meet their regulator's requirement: pure functions over recorded sittings.

A sitting is ``{"test", "on" (ISO date), "scores"}``. Per test, the most recent sitting decides (GMC's rule,
applied to all here): it meets the rule in force on its date on its own, or, where the regulator allows
combining, together with the sitting just before it (within the window, each sitting within the floor). Of the
tests that meet, the most recent evidence counts. The certificate is valid for two years from its (earliest
combined) sitting.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chassis.dates import years_later
from pathways.domain import rules


@dataclass(frozen=True)
class EnglishStanding:
    met: bool
    met_on: date | None = None
    expires_on: date | None = None
    test: str | None = None
    combined: bool = False
    rule_from: date | None = None


NOT_MET = EnglishStanding(met=False)


def standing(sittings: Sequence[dict[str, Any]], regulator: str, profession: str | None) -> EnglishStanding:
    best = NOT_MET
    for test in rules.english_tests_of(regulator):
        of_test = sorted((s for s in sittings if s["test"] == test), key=lambda s: s["on"])
        if not of_test:
            continue
        last = of_test[-1]
        on = date.fromisoformat(last["on"])
        rule = rules.english_rule(regulator, test, on, profession)
        if rule is None:
            continue
        found = None
        if rules.sitting_meets(rule, last["scores"]):
            found = EnglishStanding(True, on, years_later(on, rules.ENGLISH_VALID_YEARS), test, False,
                                    rule.effective_from)
        elif rule.combine_within_days is not None and len(of_test) > 1:
            previous = of_test[-2]
            first_on = date.fromisoformat(previous["on"])
            if (on - first_on).days <= rule.combine_within_days and \
                    rules.combined_meets(rule, previous["scores"], last["scores"]):
                found = EnglishStanding(True, on, years_later(first_on, rules.ENGLISH_VALID_YEARS), test, True,
                                        rule.effective_from)
        if found is not None and (best.met_on is None or found.met_on > best.met_on):  # type: ignore[operator]
            best = found
    return best
