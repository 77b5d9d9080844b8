"""Use cases of mentors, the network, grants and diagnostics, consortia and community research.

Each takes the request (``chassis.idempotency.Once``: the caller's organisation, the scope of its keys, and its
Idempotency-Key) and the loaded contract body, and returns ``(answer, replayed)``.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from chassis.errors import RuleBroken
from chassis.idempotency import Once
from chassis.vault import Vault
from enterprises.application import Enterprises, answer
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import AssetMapEntry, CommunityResearcher, Introduction
from enterprises.domain.support import Consortium, Diagnostic, Grant
from enterprises.identity import IdentityIndex

Result = tuple[dict[str, Any], bool]


def minutes(hours: Decimal) -> int:
    return int(hours * 60)


def _personal(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: body.get(name) for name in names}


def _hashed(body: dict[str, Any], names: tuple[str, ...], index: IdentityIndex) -> dict[str, Any]:
    """The body as idempotency hashes it: personal fields only as a keyed fingerprint."""
    return {**{k: v for k, v in body.items() if k not in names}, "personal": index.fingerprint(_personal(body, names))}


MENTOR_STEPS: dict[str, Callable[[Mentor, dict[str, Any]], None]] = {
    "change_availability": lambda m, b: m.change_availability(**b),
    "recognise_mentor": lambda m, b: m.recognise(**b),
    "step_down": lambda m, b: m.step_down(**b),
}
RESEARCHER_STEPS: dict[str, Callable[[CommunityResearcher, dict[str, Any]], None]] = {
    "complete_training": lambda r, b: r.complete_training(b["course"], minutes(b["hours"]), b["occurred_at"]),
    "activate": lambda r, b: r.activate(b["occurred_at"]),
    "lapse": lambda r, b: r.lapse(b["reason"], b["occurred_at"]),
    "log_fieldwork": lambda r, b: r.log_fieldwork(minutes(b["hours"]), b["occurred_at"]),
    "record_mentoring": lambda r, b: r.record_mentoring(minutes(b["hours"]), b["occurred_at"]),
}


class CommunityCases:
    """The use cases of mentors, the network, grants and diagnostics, consortia and community research, given
    the event store, the vault and the identity index once (enterprises.dependencies wires them)."""

    def __init__(self, app: Enterprises, vault: Vault, index: IdentityIndex) -> None:
        self.app, self.vault, self.index = app, vault, index

    # -- mentors -------------------------------------------------------------------------------------------------
    def recruit_mentor(self, once: Once, body: dict[str, Any]) -> Result:
        personal = ("display_name", "organisation")

        def build(mentor_id: UUID) -> Mentor:
            former = body["former_applicant_id"]
            return Mentor(id=mentor_id, personal=self.vault.seal(mentor_id, _personal(body, personal)),
                          channel=body["channel"], kind=body["kind"], specialisms=body["specialisms"],
                          max_mentees=body["max_mentees"], former_applicant_id=None if former is None else str(former),
                          occurred_at=body["occurred_at"])

        return self.app.create(once, "recruit_mentor", _hashed(body, personal, self.index), build)

    def match_mentor(self, once: Once, mentor_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "match_mentor", Mentor, mentor_id, body, lambda mentor: mentor.match(
            self.app.current_enterprise(body["enterprise_id"]), body["occurred_at"]))

    def give_mentoring(self, once: Once, mentor_id: UUID, body: dict[str, Any]) -> Result:
        """The session is also support of the enterprise (CO04): both are saved together."""
        def act() -> tuple[list[Any], dict[str, Any]]:
            mentor = self.app.load(Mentor, mentor_id)
            enterprise = self.app.current_enterprise(body["enterprise_id"])
            mentor.give_session(enterprise, minutes(body["hours"]), body["occurred_at"])
            return [mentor, enterprise], answer(mentor)

        return self.app.change(once, "give_mentoring", {"id": mentor_id, **body}, act)

    def mentor_step(self, once: Once, name: str, mentor_id: UUID, body: dict[str, Any]) -> Result:
        """A change to a mentor (``MENTOR_STEPS``: availability, recognition, stepping down)."""
        return self.app.step(once, name, Mentor, mentor_id, body, lambda mentor: MENTOR_STEPS[name](mentor, body))

    # -- network events -------------------------------------------------------------------------------------------
    def hold_event(self, once: Once, body: dict[str, Any]) -> Result:
        return self.app.create(once, "hold_event", body, lambda event_id: NetworkEvent.hold(id=event_id, **body))

    def record_attendance(self, once: Once, event_id: UUID, body: dict[str, Any]) -> Result:
        named = {a["ref"] for a in body["attendees"] if a["kind"] == "enterprise"}
        unknown = sorted(ref for ref in named if self.app.find(Enterprise, ref) is None)
        if unknown:
            raise RuleBroken("known_enterprises_attend", "record these enterprises first",
                             fields={"attendees": [f"no enterprise {ref}" for ref in unknown]})
        return self.app.step(once, "record_attendance", NetworkEvent, event_id, body,
                        lambda event: event.record_attendance(
            body["attendees"], body["walk_ins"], body["occurred_at"]))

    def record_supply_chain_outcome(self, once: Once, event_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "record_supply_chain_outcome", NetworkEvent, event_id, body,
                        lambda event: event.record_supply_chain_outcome(
                            self.app.current_enterprise(body["enterprise_id"]).id, body["outcome"], body["buyer"],
                            body["value_pence"], body["occurred_at"]))

    def record_idea(self, once: Once, event_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "record_idea", NetworkEvent, event_id, body,
                        lambda event: event.record_idea_became_enterprise(
                            self.app.current_enterprise(body["enterprise_id"]).id, body["occurred_at"]))

    # -- grants, diagnostics, consortia ---------------------------------------------------------------------------
    def _beside_enterprise(self, once: Once, command: str, body: dict[str, Any],
                           build: Callable[[UUID, Any], Any]) -> Result:
        """Creates an aggregate that is also support of an enterprise: both saved together, at most once."""
        new_id = once.derived_id(command, command)

        def act() -> tuple[list[Any], dict[str, Any]]:
            enterprise = self.app.current_enterprise(body["enterprise_id"])
            created = build(new_id, enterprise)
            return [created, enterprise], answer(created, enterprise_id=str(enterprise.id))

        return self.app.change(once, command, body, act)

    def award_grant(self, once: Once, body: dict[str, Any]) -> Result:
        return self._beside_enterprise(once, "award_grant", body, lambda grant_id, enterprise: Grant.award(
            grant_id, enterprise, body["funder"], body["amount_pence"], body["purpose"], body["occurred_at"]))

    def complete_diagnostic(self, once: Once, body: dict[str, Any]) -> Result:
        return self._beside_enterprise(once, "complete_diagnostic", body, lambda diagnostic_id, enterprise:
                                  Diagnostic.complete(diagnostic_id, enterprise, dict(body["scores"]),
                                                      minutes(body["hours"]), body["occurred_at"]))

    def form_consortium(self, once: Once, body: dict[str, Any]) -> Result:
        return self.app.create(once, "form_consortium", body,
                               lambda consortium_id: Consortium(id=consortium_id, **body))

    def join_consortium(self, once: Once, consortium_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "join_consortium", Consortium, consortium_id, body,
                             lambda consortium: consortium.admit(
            self.app.current_enterprise(body["enterprise_id"]), body["occurred_at"]))

    # -- community research ---------------------------------------------------------------------------------------
    def recruit_researcher(self, once: Once, body: dict[str, Any]) -> Result:
        def build(researcher_id: UUID) -> CommunityResearcher:
            return CommunityResearcher(id=researcher_id,
                                       personal=self.vault.seal(researcher_id, _personal(body, ("display_name",))),
                                       programme=body["programme"], occurred_at=body["occurred_at"])

        return self.app.create(once, "recruit_researcher", _hashed(body, ("display_name",), self.index), build)

    def researcher_step(self, once: Once, name: str, researcher_id: UUID,
                        body: dict[str, Any]) -> Result:
        return self.app.step(once, name, CommunityResearcher, researcher_id, body,
                        lambda researcher: RESEARCHER_STEPS[name](researcher, body))

    def map_asset(self, once: Once, body: dict[str, Any]) -> Result:
        """An entry with personal data is sealed under its own key (its own retention class, erasable alone)."""
        personal, consent = body["personal_data"], body["consent"]
        texts = {"title": body["title"], "description": body["description"]}

        def build(entry_id: UUID) -> AssetMapEntry:
            recorder = None if body["recorded_by"] is None else self.app.load(CommunityResearcher, body["recorded_by"],
                                                                          "recorded_by")
            AssetMapEntry.check(texts["title"], texts["description"], personal, consent, recorder, body["occurred_at"])
            return AssetMapEntry(id=entry_id, kind=body["kind"], area=body["area"],
                                 title=None if personal else texts["title"],
                                 description=None if personal else texts["description"],
                                 sealed=self.vault.seal(entry_id, texts) if personal else None,
                                 consent_reference=consent["reference"] if consent else None,
                                 consent_recorded_on=consent["recorded_on"] if consent else None,
                                 retain_until=consent["retain_until"] if consent else None,
                                 recorded_by=None if recorder is None else str(recorder.id),
                                 occurred_at=body["occurred_at"])

        hashed = _hashed(body, ("title", "description"), self.index) if personal else body
        return self.app.create(once, "map_asset", hashed, build)

    def withdraw_asset_consent(self, once: Once, entry_id: UUID, body: dict[str, Any], by: str) -> Result:
        def withdraw(entry: AssetMapEntry) -> None:
            entry.withdraw_consent(body["occurred_at"])  # checks first (nothing stored until the save)
            self.vault.erase(entry.id, by=by, ground="asset map consent withdrawn")

        return self.app.step(once, "withdraw_asset_consent", AssetMapEntry, entry_id, body, withdraw)

    def make_introduction(self, once: Once, body: dict[str, Any]) -> Result:
        def build(introduction_id: UUID) -> Introduction:
            connector = self.app.load(CommunityResearcher, body["connector_id"], "connector_id")
            enterprise = None if body["enterprise_id"] is None else self.app.current_enterprise(body["enterprise_id"])
            person = None if body["person_ref"] is None else str(body["person_ref"])
            return Introduction.make(introduction_id, connector, body["to"], enterprise, person, body["occurred_at"])

        return self.app.create(once, "make_introduction", body, build)
