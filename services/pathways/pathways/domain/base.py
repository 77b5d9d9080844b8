"""What the pathway's modules share: the refusal of a step, the day of a step, the English framework's levels,
and the shapes of a job and an interim job in the work record."""
from __future__ import annotations

from datetime import datetime

from chassis.errors import RuleBroken

#: Qualification levels of the English framework, lowest first (ESOL runs from pre-entry to Level 2).
LEVELS = ("pre_entry", "entry_1", "entry_2", "entry_3", "level_1", "level_2", "level_3", "level_4")
ESOL_LEVELS = LEVELS[:6]
EMPLOYER_KINDS = ("nhs", "independent_healthcare", "social_care", "other_public", "private", "voluntary")


class StepRefused(RuleBroken):
    """Raised when a step is impossible on this pathway; ``rule`` names why. Nothing is stored."""


def day(occurred_at: datetime) -> str:
    return occurred_at.date().isoformat()


WORK_DEFAULTS = {"employer_kind": None, "basis": None, "self_employed": False, "evidenced_until": None}


def new_spell(employer: str, employer_kind: str | None, nhs: bool, basis: str | None, self_employed: bool,
               hours_per_week: float, role: str, started_on: str) -> dict:
    return {"employer": employer, "employer_kind": employer_kind, "nhs": nhs, "basis": basis,
            "self_employed": self_employed, "hours_per_week": hours_per_week, "role": role, "started_on": started_on,
            "ended_on": None, "evidenced_until": started_on}


def new_interim(employer: str, hours_per_week: float, started_on: str) -> dict:
    return {"employer": employer, "hours_per_week": hours_per_week, "started_on": started_on, "ended_on": None,
            "care_certificate_on": None, "evidenced_until": started_on}



def last_ended(jobs: list[dict], occurred_at: datetime) -> list[dict]:
    """The jobs with the last one ended (and evidenced) on ``occurred_at``: a new list, the state is replaced."""
    return [*jobs[:-1], {**jobs[-1], "ended_on": day(occurred_at), "evidenced_until": day(occurred_at)}]
