"""The social enterprise network: SoHo network meetings, themed awareness sessions, supply-chain events,
festivals; who attended each, pitches to buyers and what came of them, ideas that became enterprises."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate

SERIES = ("soho_network", "awareness_session", "supply_chain", "festival")


class NetworkEvent(TracedAggregate):
    """One meeting or event of a series, recorded once it has been held.

    Invariants: each attendee (a person, an enterprise or another organisation, by reference) is counted once
    per event; pitches, leads and contracts are recorded at supply-chain events only, for enterprises that
    attended, and each enterprise pitches once; ideas become enterprises at awareness sessions only, each
    enterprise once, never more than the ideas raised.
    """

    @event("Held")
    def __init__(self, id: UUID, series: str, title: str, held_on: date, theme: str | None,
                 speakers: int, buyers_present: int, ideas_raised: int, occurred_at: datetime) -> None:
        self.series, self.title, self.held_on, self.theme = series, title, held_on, theme
        self.speakers, self.buyers_present, self.ideas_raised = speakers, buyers_present, ideas_raised
        self.attendees: list[tuple[str, str]] = []
        self.walk_ins = 0
        self.pitched: list[str] = []
        self.leads = 0
        self.contracts = 0
        self.contract_pence = 0
        self.ideas_became: list[str] = []

    @classmethod
    def hold(cls, id: UUID, series: str, title: str, held_on: date, theme: str | None,
             speakers: int, buyers_present: int, ideas_raised: int, occurred_at: datetime) -> NetworkEvent:
        """Checks the series' own facts, then records the event."""
        ensure_past(occurred_at)
        if held_on > occurred_at.date():
            raise RuleBroken("held_before_recorded", "record an event once it has been held",
                             fields={"held_on": ["after occurred_at"]})
        if series == "awareness_session" and not theme:
            raise RuleBroken("awareness_sessions_have_a_theme", "name the session's theme (food, employment, ...)",
                             fields={"theme": ["required for an awareness session"]})
        if buyers_present and series != "supply_chain":
            raise RuleBroken("buyers_at_supply_chain_events", "buyers are counted at supply-chain events",
                             fields={"buyers_present": ["only for a supply-chain event"]})
        if ideas_raised and series != "awareness_session":
            raise RuleBroken("ideas_at_awareness_sessions", "ideas are counted at awareness sessions",
                             fields={"ideas_raised": ["only for an awareness session"]})
        return cls(id=id, series=series, title=title, held_on=held_on, theme=theme, speakers=speakers,
                   buyers_present=buyers_present, ideas_raised=ideas_raised, occurred_at=occurred_at)

    def record_attendance(self, attendees: list[dict[str, str]], walk_ins: int, occurred_at: datetime) -> None:
        """``attendees``: ``{"kind": person|enterprise|organisation, "ref": id}``; ``walk_ins``: people not named."""
        ensure_past(occurred_at)
        keys = [(a["kind"], str(a["ref"])) for a in attendees]
        seen = set(self.attendees)
        repeated = sorted({f"{kind} {ref}" for index, (kind, ref) in enumerate(keys)
                           if (kind, ref) in seen or (kind, ref) in keys[:index]})
        if repeated:
            raise RuleBroken("attended_once", "each attendee is counted once per event",
                             fields={"attendees": [f"{entry} is already counted" for entry in repeated]})
        if not keys and walk_ins <= 0:
            raise RuleBroken("attendance_is_someone", "name attendees or count walk-ins")
        self._attendance_recorded(attendees=[{"kind": kind, "ref": ref} for kind, ref in keys], walk_ins=walk_ins,
                                  walk_ins_total=self.walk_ins + walk_ins, series=self.series, held_on=self.held_on,
                                  occurred_at=occurred_at)

    @event("AttendanceRecorded")
    def _attendance_recorded(self, attendees: list[dict[str, str]], walk_ins: int, walk_ins_total: int, series: str,
                             held_on: date, occurred_at: datetime) -> None:
        self.attendees.extend((a["kind"], a["ref"]) for a in attendees)
        self.walk_ins = walk_ins_total

    def record_supply_chain_outcome(self, enterprise_id: UUID, outcome: str, buyer: str, value_pence: int | None,
                                    occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.series != "supply_chain":
            raise RuleBroken("supply_chain_events_only", "pitches, leads and contracts belong to supply-chain events")
        if ("enterprise", str(enterprise_id)) not in self.attendees:
            raise RuleBroken("attended_before_pitching", "record the enterprise's attendance first")
        if outcome == "pitched" and str(enterprise_id) in self.pitched:
            raise RuleBroken("pitched_once", "this enterprise's pitch is already recorded")
        if value_pence is not None and outcome != "contract_won":
            raise RuleBroken("value_of_contracts_won", "a value belongs to a contract won",
                             fields={"value_pence": ["only for contract_won"]})
        self._outcome_recorded(enterprise_id=str(enterprise_id), outcome=outcome, buyer=buyer,
                               value_pence=value_pence, occurred_at=occurred_at)

    @event("OutcomeRecorded")
    def _outcome_recorded(self, enterprise_id: str, outcome: str, buyer: str, value_pence: int | None,
                          occurred_at: datetime) -> None:
        if outcome == "pitched":
            self.pitched.append(enterprise_id)
        elif outcome == "lead":
            self.leads += 1
        else:
            self.contracts += 1
            self.contract_pence += value_pence or 0

    def record_idea_became_enterprise(self, enterprise_id: UUID, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.series != "awareness_session":
            raise RuleBroken("awareness_sessions_only", "ideas become enterprises from awareness sessions")
        if str(enterprise_id) in self.ideas_became:
            raise RuleBroken("idea_counted_once", "this enterprise is already counted for this session")
        if len(self.ideas_became) >= self.ideas_raised:
            raise RuleBroken("ideas_within_raised", f"the session raised {self.ideas_raised} ideas")
        self._idea_became_enterprise(enterprise_id=str(enterprise_id), theme=self.theme, occurred_at=occurred_at)

    @event("IdeaBecameEnterprise")
    def _idea_became_enterprise(self, enterprise_id: str, theme: str | None, occurred_at: datetime) -> None:
        self.ideas_became.append(enterprise_id)

    def view(self) -> dict[str, Any]:
        return {"network_event_id": str(self.id), "version": self.version, "series": self.series,
                "title": self.title, "held_on": self.held_on, "theme": self.theme, "speakers": self.speakers,
                "attendance": len(self.attendees) + self.walk_ins, "walk_ins": self.walk_ins,
                "attendees": [{"kind": kind, "ref": ref} for kind, ref in self.attendees],
                "buyers_present": self.buyers_present, "pitches": len(self.pitched), "leads": self.leads,
                "contracts_won": self.contracts, "contract_value_pence": self.contract_pence,
                "ideas_raised": self.ideas_raised, "ideas_became_enterprises": list(self.ideas_became)}
