"""Moved stored classes: their old topics and their new ones both resolve in a process that has resolved
neither before (a fresh instance reading events another instance stored), whatever the import order."""
from __future__ import annotations

import subprocess
import sys

import pytest

OLD_AND_NEW = [
    ("referrals.domain:ReferralPartner.Registered", "referrals.domain.referral:ReferralPartner.Registered"),
    ("pathways.domain:Pathway.Opened", "pathways.domain.pathway:Pathway.Opened"),
    ("enterprises.fuse:RecruitmentRound", "enterprises.domain.fuse:RecruitmentRound"),
    ("enterprises.domain:Enterprise", "enterprises.domain.enterprise:Enterprise"),
    ("reporting.ledger:ParticipantLedger.Paid", "reporting.outcomes.domain:ParticipantLedger.Paid"),
    ("reporting.ledger:FundedAchievement.Held", "reporting.outcomes.funding:FundedAchievement.Held"),
    ("reporting.outcomes.domain:FundedAchievement.Released", "reporting.outcomes.funding:FundedAchievement.Released"),
]


@pytest.mark.parametrize("old,new", OLD_AND_NEW)
@pytest.mark.parametrize("first", ["new", "old"])
def test_old_and_new_topics_resolve_to_the_same_class_in_a_fresh_process(old, new, first):
    application = {"referrals": "referrals.application", "pathways": "pathways.application",
                   "enterprises": "enterprises.application", "reporting": "reporting.application"}[old.split(".")[0]]
    order = (new, old) if first == "new" else (old, new)
    script = (f"import {application}\n"  # as a service process starts: its application imported, nothing resolved
              "from eventsourcing.utils import resolve_topic\n"
              f"a, b = resolve_topic({order[0]!r}), resolve_topic({order[1]!r})\n"
              "assert a is b, (a, b)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
