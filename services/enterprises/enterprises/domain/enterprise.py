"""Enterprises domain: the Enterprise aggregate and the rules every part of the service shares.

Other aggregates live beside it: fuse.py (recruitment rounds, applicants, programmes), mentors.py,
network.py (events and attendance), support.py (grants, diagnostics, consortia), research.py (community
researchers, asset map, introductions). Business rules live in these modules only.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate

#: Support a member of staff logs by hand (mentoring, diagnostics and grants are logged by their own steps).
STAFF_SUPPORT = ("one_to_one", "workshop", "group_session")
NON_FINANCIAL = STAFF_SUPPORT + ("mentoring", "diagnostic")
FINANCIAL = ("grant",)




def twelve_months_before(day: date) -> date:
    """The same day a year earlier (29 February falls back to 28 February)."""
    year = day.year - 1
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def is_new_enterprise(registered_on: date | None, first_support_on: date | None) -> bool | None:
    """ERDF CO05 (England, ESIF-GN-1-002): registered less than 12 months before its first support.

    None while either date is unknown (an unregistered venture is not yet an enterprise). An enterprise that
    registers after its first (pre-start) support is new. Registered exactly 12 months before is not."""
    if registered_on is None or first_support_on is None:
        return None
    return registered_on > twelve_months_before(first_support_on)


class MergedEnterpriseError(RuleBroken):
    """Raised when a step targets an enterprise record that was merged into another (a duplicate)."""

    def __init__(self, merged_into: str) -> None:
        super().__init__("merged_enterprise_takes_no_steps",
                         f"this record was merged into enterprise {merged_into}; use that one",
                         enterprise_id=merged_into)


class Enterprise(TracedAggregate):
    """A social enterprise or community business (or a venture not yet registered), counted ONCE in funder
    indicators however many applicants, applications or support sessions it has.

    Invariants: registered (legal form, date) at most once; staff-logged support only within a programme the
    enterprise belongs to; a correction changes the hours of staff support already logged (never a grant's or
    a session's), after it; a dissolved enterprise takes no step dated after the day it dissolved, and dissolves
    once, not before its registration or its last support; a record merged into another takes no more steps, and only a
    record that has had
    no support and joined no programme can be merged; ``new_enterprise`` follows ``is_new_enterprise`` from
    the registration date and the date of the first support, whichever was recorded first.
    """

    class Registered(TracedAggregate.Created):
        legal_form: str | None
        registered_on: date | None
        occurred_at: datetime
        details: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["details"] = None  # v1 records held no name or registration number

    @event(Registered)
    def __init__(self, id: UUID, legal_form: str | None, registered_on: date | None,
                 occurred_at: datetime, details: str | None = None) -> None:
        """``legal_form`` and ``registered_on`` are None for a venture not yet registered; ``details`` is the
        sealed name and registration number (chassis.vault; a sole trader's name is personal data)."""
        self.legal_form, self.registered_on, self.occurred_at = legal_form, registered_on, occurred_at
        self.details = details
        self.programmes: dict[str, str] = {}
        self.first_support_on: date | None = None
        self.non_financial_minutes = 0
        self.grant_pence = 0
        self.grants = 0
        self.supported = False
        self.merged_into: str | None = None
        self.last_support_on: date | None = None
        self.dissolved_on: date | None = None
        #: staff-logged support by the version of its event: (kind, minutes, day), as corrected
        self.staff_support: dict[int, tuple[str, int, date]] = {}

    @classmethod
    def record(cls, id: UUID, legal_form: str | None, registered_on: date | None,
               occurred_at: datetime, details: str | None = None) -> Enterprise:
        ensure_past(occurred_at)
        if registered_on is not None and registered_on > occurred_at.date():
            raise RuleBroken("registration_in_the_past", "the registration date is after the step",
                             fields={"registered_on": ["after occurred_at"]})
        return cls(id=id, legal_form=legal_form, registered_on=registered_on, occurred_at=occurred_at,
                   details=details)

    @property
    def new_enterprise(self) -> bool | None:
        return is_new_enterprise(self.registered_on, self.first_support_on)

    def _ensure_current(self) -> None:
        # raise before mutating: decorated bodies re-run on replay
        if self.merged_into is not None:
            raise MergedEnterpriseError(self.merged_into)

    def ensure_trading(self, occurred_at: datetime) -> None:
        """Raises unless the enterprise still existed on ``occurred_at``'s day (a step on or before the day it
        dissolved is still taken: it happened while it traded)."""
        if self.dissolved_on is not None and occurred_at.date() > self.dissolved_on:
            raise RuleBroken("dissolved_enterprise_takes_no_steps",
                             f"this enterprise dissolved on {self.dissolved_on}", dissolved_on=str(self.dissolved_on))

    def record_registration(self, legal_form: str, registered_on: date, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._ensure_current()
        if self.legal_form is not None:
            raise RuleBroken("registered_once", f"already registered as {self.legal_form} on {self.registered_on}")
        if registered_on > occurred_at.date():
            raise RuleBroken("registration_in_the_past", "the registration date is after the step",
                             fields={"registered_on": ["after occurred_at"]})
        self._registration_recorded(legal_form=legal_form, registered_on=registered_on, occurred_at=occurred_at,
                                    first_support_on=self.first_support_on,
                                    new_enterprise=is_new_enterprise(registered_on, self.first_support_on))

    @event("RegistrationRecorded")
    def _registration_recorded(self, legal_form: str, registered_on: date, occurred_at: datetime,
                               first_support_on: date | None, new_enterprise: bool | None) -> None:
        self.legal_form, self.registered_on = legal_form, registered_on

    def join_programme(self, programme_id: UUID, kind: str, occurred_at: datetime) -> None:
        self._ensure_current()
        self.ensure_trading(occurred_at)
        if str(programme_id) in self.programmes:
            return  # already a member: the programme says so too
        self._joined_programme(programme_id=str(programme_id), kind=kind, occurred_at=occurred_at)

    @event("JoinedProgramme")
    def _joined_programme(self, programme_id: str, kind: str, occurred_at: datetime) -> None:
        self.programmes[programme_id] = kind

    def log_support(self, kind: str, minutes: int, occurred_at: datetime, programme_id: UUID | None = None,
                    source_id: UUID | None = None, amount_pence: int = 0) -> None:
        """Support given on ``occurred_at``: staff time (within a programme the enterprise belongs to), a
        mentoring session, a diagnostic (minutes), or a grant (pence)."""
        ensure_past(occurred_at)
        self._ensure_current()
        self.ensure_trading(occurred_at)
        if kind in STAFF_SUPPORT and (programme_id is None or str(programme_id) not in self.programmes):
            raise RuleBroken("support_within_a_programme",
                             "log support hours for an enterprise in a cohort or short programme it belongs to",
                             fields={"programme_id": ["the enterprise is not a member of this programme"]})
        if kind not in NON_FINANCIAL + FINANCIAL:
            raise RuleBroken("support_kind", f"{kind} is not a kind of support")
        if (kind in FINANCIAL and amount_pence <= 0) or (kind not in FINANCIAL and minutes <= 0):
            raise RuleBroken("support_is_positive", "support is a positive amount of time or money")
        day = occurred_at.date()
        first = day if self.first_support_on is None else min(self.first_support_on, day)
        financial = kind in FINANCIAL
        self._supported(kind=kind, minutes=0 if financial else minutes, amount_pence=amount_pence if financial else 0,
                        programme_id=None if programme_id is None else str(programme_id),
                        source_id=None if source_id is None else str(source_id), occurred_at=occurred_at,
                        legal_form=self.legal_form, registered_on=self.registered_on, first_support_on=first,
                        new_enterprise=is_new_enterprise(self.registered_on, first),
                        non_financial_minutes=self.non_financial_minutes + (0 if financial else minutes),
                        grant_pence=self.grant_pence + (amount_pence if financial else 0),
                        grants=self.grants + (1 if financial else 0))

    @event("Supported")
    def _supported(self, kind: str, minutes: int, amount_pence: int, programme_id: str | None,
                   source_id: str | None, occurred_at: datetime, legal_form: str | None, registered_on: date | None,
                   first_support_on: date, new_enterprise: bool | None, non_financial_minutes: int,
                   grant_pence: int, grants: int) -> None:
        """Carries the enterprise's standing after this support: reporting counts from it alone."""
        self.supported = True
        self.first_support_on = first_support_on
        self.non_financial_minutes, self.grant_pence, self.grants = non_financial_minutes, grant_pence, grants
        day = occurred_at.date()
        self.last_support_on = day if self.last_support_on is None else max(self.last_support_on, day)
        if kind in STAFF_SUPPORT:  # the version this event will have (applied before the version moves on)
            self.staff_support[self.version + 1] = (kind, minutes, occurred_at.date())

    def correct_support(self, support_version: int, minutes: int, reason: str, occurred_at: datetime) -> None:
        """The hours of staff support logged wrongly: a new event (the support as logged stays in the history),
        counted from the support's own day. Mentoring, diagnostics and grants are corrected on their own records."""
        ensure_past(occurred_at)
        self._ensure_current()
        logged = self.staff_support.get(support_version)
        if logged is None:
            raise RuleBroken("staff_support_to_correct", "no staff support of this enterprise has this version",
                             fields={"support_version": ["not a staff support of this enterprise"]})
        kind, previous, day = logged
        if minutes == previous:
            raise RuleBroken("correction_changes_the_hours", "the support already has these hours")
        if occurred_at.date() < day:
            raise RuleBroken("correction_after_the_support", "a correction comes after the support it corrects",
                             fields={"occurred_at": ["before the support"]})
        self._support_corrected(support_version=support_version, kind=kind, supported_on=day, minutes=minutes,
                                previous_minutes=previous, reason=reason, occurred_at=occurred_at,
                                non_financial_minutes=self.non_financial_minutes + minutes - previous)

    @event("SupportCorrected")
    def _support_corrected(self, support_version: int, kind: str, supported_on: date, minutes: int,
                           previous_minutes: int, reason: str, occurred_at: datetime,
                           non_financial_minutes: int) -> None:
        self.staff_support[support_version] = (kind, minutes, supported_on)
        self.non_financial_minutes = non_financial_minutes

    def dissolve(self, reason: str, occurred_at: datetime) -> None:
        """The enterprise ceased to exist on ``occurred_at``'s day (struck off, wound up, stopped trading). What it
        achieved stays counted (support given before is still support); no step after that day is taken."""
        ensure_past(occurred_at)
        self._ensure_current()
        if self.dissolved_on is not None:
            raise RuleBroken("dissolved_once", f"this enterprise dissolved on {self.dissolved_on}")
        day = occurred_at.date()
        if (self.registered_on is not None and day < self.registered_on) or \
                (self.last_support_on is not None and day < self.last_support_on):
            raise RuleBroken("dissolution_after_what_it_did", "the enterprise was registered or supported after this "
                             "day", fields={"occurred_at": ["before its registration or its last support"]})
        self._dissolved(reason=reason, legal_form=self.legal_form, occurred_at=occurred_at)

    @event("Dissolved")
    def _dissolved(self, reason: str, legal_form: str | None, occurred_at: datetime) -> None:
        self.dissolved_on = occurred_at.date()

    def merge_into(self, other: Enterprise, occurred_at: datetime) -> None:
        """This record duplicates ``other``: it takes no more steps, and is no longer counted anywhere."""
        ensure_past(occurred_at)
        self._ensure_current()
        other._ensure_current()
        if other.id == self.id:
            raise RuleBroken("merge_into_another", "an enterprise cannot be merged into itself")
        if self.supported or self.programmes:
            raise RuleBroken("merge_before_support", "this record has support or programme places already; "
                             "link its applications to the other record instead")
        self._merged(merged_into=str(other.id), legal_form=self.legal_form, occurred_at=occurred_at)

    @event("Merged")
    def _merged(self, merged_into: str, legal_form: str | None, occurred_at: datetime) -> None:
        self.merged_into = merged_into

    def view(self) -> dict[str, Any]:
        return {"enterprise_id": str(self.id), "version": self.version, "legal_form": self.legal_form,
                "registered_on": self.registered_on, "first_support_on": self.first_support_on,
                "new_enterprise": self.new_enterprise, "programmes": sorted(self.programmes),
                "support_hours": str(hours(self.non_financial_minutes)), "grants": self.grants,
                "grant_pence": self.grant_pence, "merged_into": self.merged_into, "dissolved_on": self.dissolved_on}


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))
