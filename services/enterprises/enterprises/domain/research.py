"""Community researchers, connectors and partners; the asset map; connectors' introductions."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate
from enterprises.domain.enterprise import Enterprise

#: The lighter community partner programme asks less time and needs no training before fieldwork.
TRAINED_PROGRAMMES = ("community_researcher", "community_connector")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?:\+?\d[\s-]?){10,}")


def looks_personal(*texts: str | None) -> bool:
    """An email address or a phone number: contact details of a person."""
    return any(text and (EMAIL.search(text) or PHONE.search(text)) for text in texts)


class CommunityResearcher(TracedAggregate):
    """A local person recruited as a community researcher, a community connector, or a community partner.

    Invariants: researchers and connectors are trained before they become active (partners need not be);
    only an active person lapses, and a lapsed one may become active again; fieldwork is logged while active.
    """

    @event("Recruited")
    def __init__(self, id: UUID, personal: str, programme: str, occurred_at: datetime) -> None:
        """``personal``: the sealed name (chassis.vault)."""
        self.personal, self.programme = personal, programme
        self.status, self.status_since = "recruited", occurred_at.date()
        self.training: list[str] = []
        self.fieldwork_minutes = 0
        self.mentoring_sessions = 0

    def complete_training(self, course: str, minutes: int, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._trained(course=course, minutes=minutes, occurred_at=occurred_at)

    @event("Trained")
    def _trained(self, course: str, minutes: int, occurred_at: datetime) -> None:
        self.training.append(course)

    def activate(self, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.status == "active":
            raise RuleBroken("already_active", f"active since {self.status_since}")
        if self.programme in TRAINED_PROGRAMMES and not self.training:
            raise RuleBroken("training_before_activation", "complete training before fieldwork")
        self._activated(occurred_at=occurred_at)

    @event("Activated")
    def _activated(self, occurred_at: datetime) -> None:
        self.status, self.status_since = "active", occurred_at.date()

    def lapse(self, reason: str, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.status != "active":
            raise RuleBroken("only_the_active_lapse", f"this person is {self.status}, not active")
        self._lapsed(reason=reason, occurred_at=occurred_at)

    @event("Lapsed")
    def _lapsed(self, reason: str, occurred_at: datetime) -> None:
        self.status, self.status_since = "lapsed", occurred_at.date()

    def log_fieldwork(self, minutes: int, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.status != "active":
            raise RuleBroken("fieldwork_while_active", f"this person is {self.status}, not active")
        self._fieldwork_logged(minutes=minutes, occurred_at=occurred_at)

    @event("FieldworkLogged")
    def _fieldwork_logged(self, minutes: int, occurred_at: datetime) -> None:
        self.fieldwork_minutes += minutes

    def record_mentoring(self, minutes: int, occurred_at: datetime) -> None:
        """A mentoring session with the USE-IT! team (interview techniques, research ideas)."""
        ensure_past(occurred_at)
        self._mentored(minutes=minutes, occurred_at=occurred_at)

    @event("Mentored")
    def _mentored(self, minutes: int, occurred_at: datetime) -> None:
        self.mentoring_sessions += 1

    def view(self) -> dict[str, Any]:
        return {"researcher_id": str(self.id), "version": self.version, "programme": self.programme,
                "status": self.status, "status_since": self.status_since, "training": list(self.training),
                "fieldwork_minutes": self.fieldwork_minutes, "mentoring_sessions": self.mentoring_sessions}


class AssetMapEntry(TracedAggregate):
    """A local asset: a place, an organisation, a skill or an informal network, in an area.

    Invariants: an entry holds personal data only with a recorded consent (its reference, date and how long
    it may be kept: a retention class of its own), and then only sealed under the entry's own key; an entry
    said to hold none must not carry contact details; withdrawing consent erases the personal part (the key
    is deleted first) and keeps the kind and area.
    """

    @event("Mapped")
    def __init__(self, id: UUID, kind: str, area: str, title: str | None, description: str | None,
                 sealed: str | None, consent_reference: str | None, consent_recorded_on: date | None,
                 retain_until: date | None, recorded_by: str | None, occurred_at: datetime) -> None:
        self.kind, self.area, self.title, self.description = kind, area, title, description
        self.sealed, self.consent_reference = sealed, consent_reference
        self.consent_recorded_on, self.retain_until, self.recorded_by = consent_recorded_on, retain_until, recorded_by
        self.consent_withdrawn = False

    @property
    def personal(self) -> bool:
        return self.consent_reference is not None

    @staticmethod
    def check(title: str, description: str, personal: bool, consent: dict[str, Any] | None,
              recorder: CommunityResearcher | None, occurred_at: datetime) -> None:
        """The rules an entry must meet before its text is sealed or stored."""
        ensure_past(occurred_at)
        if personal and consent is None:
            raise RuleBroken("consent_before_personal_data", "an entry with personal data needs the person's "
                             "recorded consent", fields={"consent": ["required when personal_data is true"]})
        if not personal and looks_personal(title, description):
            raise RuleBroken("no_personal_data_without_consent", "the text holds contact details; remove them or "
                             "record consent", fields={"description": ["contains an email or phone number"]})
        if consent is not None and not personal:
            raise RuleBroken("consent_for_personal_data", "consent is recorded for entries with personal data",
                             fields={"personal_data": ["true when consent is given"]})
        if consent is not None and consent["retain_until"] <= consent["recorded_on"]:
            raise RuleBroken("retention_after_consent", "keep the data until a date after the consent",
                             fields={"consent": ["retain_until is not after recorded_on"]})
        if recorder is not None and recorder.status != "active":
            raise RuleBroken("fieldwork_while_active", f"the recorder is {recorder.status}, not active")

    def withdraw_consent(self, occurred_at: datetime) -> None:
        """Records that the person withdrew consent (the caller has deleted the entry's key first)."""
        ensure_past(occurred_at)
        if not self.personal:
            raise RuleBroken("consent_only_for_personal_entries", "this entry holds no personal data")
        if self.consent_withdrawn:
            raise RuleBroken("consent_withdrawn_once", "consent was already withdrawn")
        self._consent_withdrawn(occurred_at=occurred_at)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, occurred_at: datetime) -> None:
        self.consent_withdrawn = True

    def view(self) -> dict[str, Any]:
        return {"entry_id": str(self.id), "version": self.version, "kind": self.kind, "area": self.area,
                "title": self.title, "description": self.description, "personal_data": self.personal,
                "consent_withdrawn": self.consent_withdrawn, "retain_until": self.retain_until,
                "recorded_by": self.recorded_by}


INTRODUCTION_TARGETS = ("enterprise", "referrals", "fuse")


class Introduction(TracedAggregate):
    """A community connector introduces a person to an enterprise, to the hub (referrals) or to FUSE.

    Invariants: made by an active community connector; an introduction to an enterprise names a current one.
    The person is at most an opaque reference: no name travels here."""

    @event("Made")
    def __init__(self, id: UUID, connector_id: str, to: str, enterprise_id: str | None,
                 person_ref: str | None, occurred_at: datetime) -> None:
        self.connector_id, self.to, self.enterprise_id, self.person_ref = connector_id, to, enterprise_id, person_ref

    @classmethod
    def make(cls, id: UUID, connector: CommunityResearcher, to: str, enterprise: Enterprise | None,
             person_ref: str | None, occurred_at: datetime) -> Introduction:
        ensure_past(occurred_at)
        if connector.programme != "community_connector":
            raise RuleBroken("connectors_introduce", "introductions are made by community connectors")
        if connector.status != "active":
            raise RuleBroken("active_connectors_introduce", f"this connector is {connector.status}, not active")
        if (to == "enterprise") != (enterprise is not None):
            raise RuleBroken("introduce_to_an_enterprise", "name the enterprise exactly when introducing to one",
                             fields={"enterprise_id": ["required for an enterprise, and only then"]})
        if enterprise is not None and enterprise.merged_into is not None:
            raise RuleBroken("merged_enterprise_takes_no_steps", "this record was merged into another",
                             enterprise_id=enterprise.merged_into)
        return cls(id=id, connector_id=str(connector.id), to=to,
                   enterprise_id=None if enterprise is None else str(enterprise.id), person_ref=person_ref,
                   occurred_at=occurred_at)

    def view(self) -> dict[str, Any]:
        return {"introduction_id": str(self.id), "connector_id": self.connector_id, "to": self.to,
                "enterprise_id": self.enterprise_id, "person_ref": self.person_ref}
