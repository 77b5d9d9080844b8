"""Right to work, job offers, employment, sustainment and interim care work.

The commands of ``Pathway`` for this part of the route (a mixin: each checks its rule, then calls the event
method on the aggregate, which records the event; events and their methods stay on ``Pathway`` itself,
eventsourcing names them after it).
"""
from __future__ import annotations

from datetime import date, datetime

from pathways.domain import rules
from pathways.domain.base import (
    WORK_DEFAULTS,
    StepRefused,
    day,
    last_ended,
    new_interim,
    new_spell,
)
from pathways.domain.dates import days_worked


class WorkSteps:
    # -- right to work, offers and jobs ------------------------------------------------------------------
    def record_right_to_work_check(self, valid_until: date | None, occurred_at: datetime,
                                   restriction: str = "none") -> None:
        self._ensure_open()
        self._right_to_work_checked(valid_until=valid_until.isoformat() if valid_until else None,
                                    restriction=restriction, occurred_at=occurred_at)

    def _ensure_right_to_work(self, on: date, shortage_occupation: bool) -> None:
        if not self.right_to_work_checked or (
                self.right_to_work_until is not None and self.right_to_work_until < on.isoformat()):
            raise StepRefused("right_to_work_before_employment",
                              "a right-to-work check valid on the start date must come before a job starts")
        if self.right_to_work_restriction == "shortage_occupations_only" and not shortage_occupation:
            raise StepRefused("right_to_work_restriction",
                              "this client's permission to work covers shortage occupations only")

    def offer_job(self, offer_ref: str, employer: str, nhs: bool, role: str, conditional: bool,
                  occurred_at: datetime) -> None:
        self._ensure_open()
        if offer_ref in self.offers:
            raise StepRefused("offer_ref_unique", f"job offer {offer_ref} already exists")
        self._job_offered(offer_ref=offer_ref, employer=employer, nhs=nhs, role=role, conditional=conditional,
                          occurred_at=occurred_at)

    def withdraw_job_offer(self, offer_ref: str, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.offers.get(offer_ref, {}).get("status") != "open":
            raise StepRefused("job_offer_open", f"no open job offer {offer_ref}")
        self._job_offer_withdrawn(offer_ref=offer_ref, occurred_at=occurred_at)

    # Work: each spell (a main job or an interim care job) carries the last day its continuation is evidenced
    # (its start, a confirmation, its end). Every event that changes the work record carries the whole record
    # after it (``work``), so that each outcomes contract counts weeks its own way from one message alone.
    def work(self, spells: list[dict] | None = None, interim_jobs: list[dict] | None = None) -> list[dict]:
        """The client's work record: main jobs and interim care jobs, in a shape outcomes contracts read."""
        record = [{**WORK_DEFAULTS, **spell,
                   "interim": False} for spell in (self.spells if spells is None else spells)]
        for job in self.interim_jobs if interim_jobs is None else interim_jobs:
            record.append({**WORK_DEFAULTS, "employer": job["employer"], "employer_kind": "social_care", "nhs": False,
                           "hours_per_week": job.get("hours_per_week"), "role": "health_care_assistant",
                           "started_on": job["started_on"], "ended_on": job["ended_on"],
                           "evidenced_until": job.get("evidenced_until") or job["ended_on"] or job["started_on"],
                           "interim": True})
        for spell in record:
            spell["evidenced_until"] = spell["evidenced_until"] or spell["ended_on"] or spell["started_on"]
        return sorted(record, key=lambda spell: (spell["started_on"], spell["interim"]))

    def start_employment(self, employer: str, nhs: bool, hours_per_week: float, role: str, occurred_at: datetime,
                         shortage_occupation: bool = False, employer_kind: str | None = None,
                         basis: str | None = None, self_employed: bool = False) -> None:
        self._ensure_open()
        if self.employed_since is not None:
            raise StepRefused("one_employment_spell_at_a_time", "end the current job before starting another")
        if self.spells and self.spells[-1]["ended_on"] > day(occurred_at):
            raise StepRefused("steps_in_date_order", "a job starts after the previous one ended")
        self._ensure_right_to_work(occurred_at.date(), shortage_occupation)
        if self_employed and self.right_to_work_restriction != "none":
            raise StepRefused("right_to_work_restriction", "permission limited to shortage occupations does not"
                              " cover self-employment")
        kind = employer_kind or ("nhs" if nhs else None)
        spell = new_spell(employer, kind, nhs, basis, self_employed, hours_per_week, role, day(occurred_at))
        self._employment_started(employer=employer, nhs=nhs, hours_per_week=hours_per_week, role=role,
                                 shortage_occupation=shortage_occupation, employer_kind=kind, basis=basis,
                                 self_employed=self_employed, work=self.work([*self.spells, spell]),
                                 occurred_at=occurred_at)

    def end_employment(self, occurred_at: datetime) -> None:
        """The job ended; ``occurred_at`` is its last day (both the first and the last day are days worked)."""
        self._ensure_open()
        if self.employed_since is None:
            raise StepRefused("employment_ends_after_it_starts", "there is no current job to end")
        if day(occurred_at) < self.employed_since:
            raise StepRefused("employment_ends_after_it_starts", "a job ends after it starts")
        ended = last_ended(self.spells, occurred_at)
        self._employment_ended(work=self.work(ended), occurred_at=occurred_at)

    def confirm_employment(self, job: str, evidence: str, occurred_at: datetime) -> None:
        """Evidence (a payslip, payroll, an employer's letter) that the client was still in the current main job
        (or interim job) on ``occurred_at``: the weeks it covers count from this message on."""
        self._ensure_open()
        current = self.employed_since if job == "main" else self.interim_since
        if current is None or current > day(occurred_at):
            raise StepRefused("employment_current", f"no {job} job was current on this date")
        spells, interim = self._evidenced(day(occurred_at), main=job == "main", interim=job == "interim")
        self._employment_confirmed(job=job, evidence=evidence, work=self.work(spells, interim),
                                   occurred_at=occurred_at)

    def _evidenced(self, day: str, main: bool, interim: bool) -> tuple[list[dict], list[dict]]:
        """The spells with the current ones evidenced up to ``day``."""
        def extend(items: list[dict]) -> list[dict]:
            return [{**item, "evidenced_until": max(day, item.get("evidenced_until") or item["started_on"])}
                    if item["ended_on"] is None and item["started_on"] <= day else item for item in items]
        return ((extend(self.spells) if main else self.spells),
                (extend(self.interim_jobs) if interim else self.interim_jobs))

    def confirm_sustainment(self, weeks: int, occurred_at: datetime) -> None:
        """Evidence (payslips, payroll) that the client has worked ``weeks`` weeks by this date, in any work:
        each outcomes contract then counts the weeks its own way (employer, hours, continuous or cumulative)."""
        self._ensure_open()
        key = f"{weeks}_weeks"
        if key in self.sustained:
            raise StepRefused("sustainment_confirmed_once", f"{weeks} weeks were already confirmed")
        if weeks == 26 and "13_weeks" not in self.sustained:
            raise StepRefused("sustainment_in_order", "confirm 13 weeks before 26")
        on = occurred_at.date()
        spells, interim = self._evidenced(on.isoformat(), main=True, interim=True)
        work = self.work(spells, interim)
        counted = days_worked(work, on) / 7
        if counted < weeks:
            raise StepRefused("sustainment_reached", f"{counted:.1f} weeks of work by this date; {weeks} needed")
        rule = rules.in_force(rules.SUSTAINMENT, on)
        self._sustained(weeks=weeks, weeks_counted=round(counted, 2), mode="cumulative",
                        rule_from=rule.effective_from.isoformat(), spells=work, occurred_at=occurred_at)

    def start_interim_job(self, employer: str, hours_per_week: float, occurred_at: datetime,
                          shortage_occupation: bool = True) -> None:
        """Interim work as a health care assistant in social care, in parallel with training."""
        self._ensure_open()
        if self.interim_since is not None:
            raise StepRefused("one_interim_job_at_a_time", "end the current interim job first")
        if self.interim_jobs and (self.interim_jobs[-1]["ended_on"] or "") > day(occurred_at):
            raise StepRefused("steps_in_date_order", "an interim job starts after the previous one ended")
        self._ensure_right_to_work(occurred_at.date(), shortage_occupation)
        job = new_interim(employer, hours_per_week, day(occurred_at))
        self._interim_job_started(employer=employer, hours_per_week=hours_per_week,
                                  work=self.work(interim_jobs=[*self.interim_jobs, job]), occurred_at=occurred_at)

    def complete_care_certificate(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if not self.interim_jobs or self.interim_jobs[-1]["care_certificate_on"]:
            raise StepRefused("care_certificate_in_interim_job", "record an interim care job first (once)")
        self._care_certificate_completed(occurred_at=occurred_at)

    def end_interim_job(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.interim_since is None or day(occurred_at) < self.interim_since:
            raise StepRefused("interim_job_ends_after_it_starts", "there is no interim job to end on this date")
        ended = last_ended(self.interim_jobs, occurred_at)
        self._interim_job_ended(work=self.work(interim_jobs=ended), occurred_at=occurred_at)
