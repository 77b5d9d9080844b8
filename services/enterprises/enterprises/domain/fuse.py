"""The FUSE start-up programme: recruitment rounds (with their applications), applicants and programmes.

Applications live inside their round: every selection rule (the round is open, one application per applicant
and enterprise, conflicts of interest keep a panel member off that interview, decisions are final, places)
is then kept in one consistency boundary. A round holds tens of applications (the journal's has 30), so
the aggregate stays small; two staff writing the same round at the same instant get a 409 and retry.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import NotFound, RuleBroken
from chassis.meta import TracedAggregate

FINAL = ("accepted", "rejected")


class ApplicationNotFoundError(NotFound):
    """Raised when a round has no application with the given id."""

    def __init__(self, application_id: UUID) -> None:
        super().__init__(f"no application {application_id} in this round")


class RoundClosedError(RuleBroken):
    """Raised when a step targets a recruitment round that was closed."""

    def __init__(self) -> None:
        super().__init__("round_closed_is_final", "this recruitment round is closed")


class RecruitmentRound(TracedAggregate):
    """One FUSE recruitment round and its applications, from submission to decision.

    Invariants: a closed round takes no steps; applications arrive between opening and closing dates; an
    applicant applies for an enterprise once per round; only submitted applications are shortlisted and only
    shortlisted ones interviewed; a panel member who declared a conflict never sits on that interview (a
    conflict declared after the interview voids it); accepting or waitlisting needs an interview; accepted and
    rejected are final; accepted applications never exceed the round's places.
    """

    @event("Opened")
    def __init__(self, id: UUID, name: str, programme_id: UUID | None, opens_on: date,
                 closes_on: date, places: int | None, occurred_at: datetime) -> None:
        if closes_on < opens_on:  # raise before mutating (this body re-runs on replay only if it passed)
            raise RuleBroken("round_closes_after_it_opens", "closes_on is before opens_on",
                             fields={"closes_on": ["before opens_on"]})
        self.name, self.programme_id = name, None if programme_id is None else str(programme_id)
        self.opens_on, self.closes_on, self.places = opens_on, closes_on, places
        self.status = "open"
        self.applications: dict[str, dict[str, Any]] = {}

    # -- helpers -------------------------------------------------------------------------------------------
    def application(self, application_id: UUID | str) -> dict[str, Any]:
        found = self.applications.get(str(application_id))
        if found is None:
            raise ApplicationNotFoundError(UUID(str(application_id)))
        return found

    def _ensure_open(self, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.status == "closed":
            raise RoundClosedError()

    def _who(self, application_id: UUID) -> dict[str, str]:
        """The ids each application event carries, so that every one of them is readable on its own."""
        application = self.application(application_id)
        return {"application_id": str(application_id), "applicant_id": application["applicant_id"],
                "enterprise_id": application["enterprise_id"]}

    def _ensure_unique(self, applicant_id: str, enterprise_id: str) -> None:
        for other in self.applications.values():
            if other["applicant_id"] == applicant_id and other["enterprise_id"] == enterprise_id:
                raise RuleBroken("one_application_per_applicant_and_enterprise",
                                 "this person has already applied for this enterprise in this round",
                                 application_id=other["application_id"])

    # -- commands ------------------------------------------------------------------------------------------
    def submit(self, application_id: UUID, applicant_id: UUID, enterprise_id: UUID, match: str, sector: str,
               occurred_at: datetime) -> None:
        self._ensure_open(occurred_at)
        if str(application_id) in self.applications:
            raise RuleBroken("application_once", "this application was already submitted")
        if not self.opens_on <= occurred_at.date() <= self.closes_on:
            raise RuleBroken("applications_within_the_round",
                             f"applications are taken from {self.opens_on} to {self.closes_on}")
        self._ensure_unique(str(applicant_id), str(enterprise_id))
        self._submitted(application_id=str(application_id), applicant_id=str(applicant_id),
                        enterprise_id=str(enterprise_id), match=match, sector=sector, occurred_at=occurred_at)

    @event("ApplicationSubmitted")
    def _submitted(self, application_id: str, applicant_id: str, enterprise_id: str, match: str, sector: str,
                   occurred_at: datetime) -> None:
        self.applications[application_id] = {
            "application_id": application_id, "applicant_id": applicant_id, "enterprise_id": enterprise_id,
            "match": match, "sector": sector, "status": "submitted", "submitted_on": occurred_at.date(),
            "conflicts": {}, "panel": [], "decision_reason": None, "programme_id": None}

    def shortlist(self, application_id: UUID, occurred_at: datetime) -> None:
        self._ensure_open(occurred_at)
        if self.application(application_id)["status"] != "submitted":
            raise RuleBroken("shortlist_submitted_applications", "only a submitted application is shortlisted")
        self._shortlisted(**self._who(application_id), occurred_at=occurred_at)

    @event("Shortlisted")
    def _shortlisted(self, application_id: str, applicant_id: str, enterprise_id: str, occurred_at: datetime) -> None:
        self.applications[application_id]["status"] = "shortlisted"

    def declare_conflict(self, application_id: UUID, panel_member: str, nature: str, occurred_at: datetime) -> None:
        self._ensure_open(occurred_at)
        application = self.application(application_id)
        if panel_member in application["conflicts"]:
            raise RuleBroken("conflict_declared_once", "this panel member already declared a conflict here")
        voids = panel_member in application["panel"] and application["status"] in ("interviewed", "waitlisted")
        self._conflict_declared(**self._who(application_id), panel_member=panel_member, nature=nature,
                                voids_interview=voids, occurred_at=occurred_at)

    @event("ConflictDeclared")
    def _conflict_declared(self, application_id: str, applicant_id: str, enterprise_id: str, panel_member: str,
                           nature: str, voids_interview: bool, occurred_at: datetime) -> None:
        application = self.applications[application_id]
        application["conflicts"][panel_member] = nature
        if voids_interview:  # a conflicted member sat on it: interview again without them
            application["status"], application["panel"] = "shortlisted", []

    def interview(self, application_id: UUID, panel: list[str], occurred_at: datetime) -> None:
        self._ensure_open(occurred_at)
        application = self.application(application_id)
        if application["status"] != "shortlisted":
            raise RuleBroken("interview_shortlisted_applications", "only a shortlisted application is interviewed")
        if not panel or len(set(panel)) != len(panel):
            raise RuleBroken("panel_of_distinct_members", "name each panel member once",
                             fields={"panel": ["empty or repeated"]})
        conflicted = sorted(set(panel) & set(application["conflicts"]))
        if conflicted:
            raise RuleBroken("conflicted_member_off_the_panel", "a panel member declared a conflict with this "
                             "application",
                             fields={"panel": [f"{member} declared a conflict" for member in conflicted]})
        self._interviewed(**self._who(application_id), panel=list(panel), occurred_at=occurred_at)

    @event("Interviewed")
    def _interviewed(self, application_id: str, applicant_id: str, enterprise_id: str, panel: list[str],
                     occurred_at: datetime) -> None:
        self.applications[application_id].update(status="interviewed", panel=list(panel))

    def decide(self, application_id: UUID, decision: str, reason: str, programme_id: UUID | None,
               occurred_at: datetime) -> None:
        self._ensure_open(occurred_at)
        status = self.application(application_id)["status"]
        if status in FINAL or status == decision:
            raise RuleBroken("decision_is_final", f"this application is already {status}")
        if decision == "accepted" and status not in ("interviewed", "waitlisted") or \
                decision == "waitlisted" and status != "interviewed":
            raise RuleBroken("interview_before_decision", "interview the applicant (with no conflicted panel "
                             "member) before accepting or waitlisting")
        chosen = programme_id or self.programme_id
        if decision == "accepted":
            if chosen is None:
                raise RuleBroken("accepted_into_a_programme", "name the cohort the applicant joins",
                                 fields={"programme_id": ["required: the round names no cohort"]})
            accepted = sum(1 for a in self.applications.values() if a["status"] == "accepted")
            if self.places is not None and accepted >= self.places:
                raise RuleBroken("round_places", f"all {self.places} places are taken: waitlist instead")
        self._decided(**self._who(application_id), decision=decision, reason=reason,
                      programme_id=str(chosen) if decision == "accepted" else None, occurred_at=occurred_at)

    @event("Decided")
    def _decided(self, application_id: str, applicant_id: str, enterprise_id: str, decision: str, reason: str,
                 programme_id: str | None, occurred_at: datetime) -> None:
        self.applications[application_id].update(status=decision, decision_reason=reason,
                                                  programme_id=programme_id)

    def link_enterprise(self, application_id: UUID, enterprise_id: UUID, occurred_at: datetime) -> None:
        """Staff say which enterprise an application is for (correcting the match made at submission)."""
        self._ensure_open(occurred_at)
        application = self.application(application_id)
        if application["status"] in FINAL:
            raise RuleBroken("link_before_decision", "the application is decided; its enterprise stays")
        if application["enterprise_id"] == str(enterprise_id):
            raise RuleBroken("link_to_another_enterprise", "the application is already for this enterprise")
        self._ensure_unique(application["applicant_id"], str(enterprise_id))
        self._enterprise_linked(application_id=str(application_id), applicant_id=application["applicant_id"],
                                enterprise_id=str(enterprise_id), occurred_at=occurred_at)

    @event("EnterpriseLinked")
    def _enterprise_linked(self, application_id: str, applicant_id: str, enterprise_id: str,
                           occurred_at: datetime) -> None:
        self.applications[application_id].update(enterprise_id=enterprise_id, match="linked")

    def close(self, occurred_at: datetime) -> None:
        self._ensure_open(occurred_at)
        self._closed(occurred_at=occurred_at)

    @event("Closed")
    def _closed(self, occurred_at: datetime) -> None:
        self.status = "closed"

    def view(self) -> dict[str, Any]:
        applications = [{key: value for key, value in a.items()} for a in self.applications.values()]
        counts: dict[str, int] = {}
        for application in applications:
            counts[application["status"]] = counts.get(application["status"], 0) + 1
        return {"round_id": str(self.id), "version": self.version, "name": self.name, "status": self.status,
                "programme_id": self.programme_id, "opens_on": self.opens_on, "closes_on": self.closes_on,
                "places": self.places, "counts": counts, "applications": applications,
                "enterprises": len({a["enterprise_id"] for a in applications}),
                "applicants": len({a["applicant_id"] for a in applications})}


class Applicant(TracedAggregate):
    """A person who applies to FUSE or joins a short programme, kept apart from any enterprise.

    Invariant: their details exist only sealed under their own data key (chassis.vault)."""

    @event("Recorded")
    def __init__(self, id: UUID, personal: str, occurred_at: datetime) -> None:
        self.personal = personal


PROGRAMME_KINDS = ("fuse_cohort", "boot_camp")


class Programme(TracedAggregate):
    """A FUSE cohort or a short, targeted programme such as the summer boot camp.

    Invariants: each enterprise and each person is a member once; no one joins after the programme ends."""

    @event("Started")
    def __init__(self, id: UUID, kind: str, name: str, starts_on: date, ends_on: date,
                 occurred_at: datetime) -> None:
        if ends_on < starts_on:
            raise RuleBroken("programme_ends_after_it_starts", "ends_on is before starts_on",
                             fields={"ends_on": ["before starts_on"]})
        self.kind, self.name, self.starts_on, self.ends_on = kind, name, starts_on, ends_on
        self.enterprises: list[str] = []
        self.people: list[str] = []

    def admit(self, enterprise_id: UUID | None, applicant_id: UUID | None, occurred_at: datetime) -> bool:
        """Admits an enterprise, a person, or both; returns whether the enterprise is a new member."""
        ensure_past(occurred_at)
        if occurred_at.date() > self.ends_on:
            raise RuleBroken("join_before_the_end", f"this programme ended on {self.ends_on}")
        enterprise = str(enterprise_id) if enterprise_id and str(enterprise_id) not in self.enterprises else None
        person = str(applicant_id) if applicant_id and str(applicant_id) not in self.people else None
        if enterprise is None and person is None:
            raise RuleBroken("member_once", "already a member of this programme")
        self._member_joined(enterprise_id=enterprise, applicant_id=person, kind=self.kind, occurred_at=occurred_at)
        return enterprise is not None

    @event("MemberJoined")
    def _member_joined(self, enterprise_id: str | None, applicant_id: str | None, kind: str,
                       occurred_at: datetime) -> None:
        if enterprise_id:
            self.enterprises.append(enterprise_id)
        if applicant_id:
            self.people.append(applicant_id)

    def view(self) -> dict[str, Any]:
        return {"programme_id": str(self.id), "version": self.version, "kind": self.kind, "name": self.name,
                "starts_on": self.starts_on, "ends_on": self.ends_on, "enterprises": list(self.enterprises),
                "people": list(self.people)}
