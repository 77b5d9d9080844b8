"""Enterprises use cases: enterprises and the FUSE programme (the rest are in cases.py), in primitives and UUIDs.

Every command is idempotent per Idempotency-Key (chassis.idempotency): a creation of one aggregate derives
its id from the key (``create``); a command that changes aggregates, or creates one beside others, saves a
record of the key with its events (``change``). Ids of aggregates created beside others are derived from the
key too (``derived_id``), so a retry collides instead of creating twins, and seals under the same key.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from chassis.application import ServiceApplication
from chassis.errors import ClientError, Conflict, NotFound
from chassis.idempotency import IdempotencyRecord, create_once, request_hash, run_once
from chassis.vault import Vault
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Applicant, Programme, RecruitmentRound
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import AssetMapEntry, CommunityResearcher, Introduction
from enterprises.domain.support import Consortium, Diagnostic, Grant
from enterprises.identity import TABLES, IdentityIndex, applicant_keys, enterprise_keys

T = TypeVar("T")
ID_FIELDS: dict[type, str] = {
    Enterprise: "enterprise_id", RecruitmentRound: "round_id", Applicant: "applicant_id", Programme: "programme_id",
    Mentor: "mentor_id", NetworkEvent: "network_event_id", Grant: "grant_id", Diagnostic: "diagnostic_id",
    Consortium: "consortium_id", CommunityResearcher: "researcher_id", AssetMapEntry: "entry_id",
    Introduction: "introduction_id",
}


def answer(aggregate: Any, **extra: Any) -> dict[str, Any]:
    """The answer to a command: the aggregate's id, the stored event's id and version."""
    return {ID_FIELDS[type(aggregate)]: str(aggregate.id), "event_id": f"{aggregate.id}:{aggregate.version}",
            "version": aggregate.version, **extra}


def derived_id(scope: str, key: str, role: str) -> UUID:
    return uuid5(IdempotencyRecord.create_id(scope, key), role)


class Enterprises(ServiceApplication):
    name = "enterprises"  # fixes table enterprises_events and env prefix ENTERPRISES_
    extra_tables = TABLES

    # -- the generic steps every use case is made of ------------------------------------------------------
    def find(self, cls: type[T], aggregate_id: UUID | str) -> T | None:
        try:
            found: Any = self.repository.get(UUID(str(aggregate_id)))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None

    def load(self, cls: type[T], aggregate_id: UUID | str, field: str | None = None) -> T:
        """The aggregate, or 404 naming it (and the body field that named it, when one did)."""
        found = self.find(cls, aggregate_id)
        if found is None:
            label = ID_FIELDS[cls].removesuffix("_id").replace("_", " ")
            details = {"fields": {field: [f"no {label} with this id"]}} if field else {}
            raise NotFound(f"no {label} {aggregate_id}", **details)
        return found

    def create(self, scope: str, key: str, command: str, body: Any, build: Callable[[UUID], Any],
               extra: Callable[[Any], dict[str, Any]] = lambda _: {}) -> tuple[dict[str, Any], bool]:
        """Creates one aggregate at most once per key. ``build`` may refuse (its rules read other aggregates);
        a retry refused because those changed since is still answered as the first request was."""
        name = f"{scope}:{command}"
        try:
            return create_once(self, name, key, body, build, lambda a: answer(a, **extra(a)))
        except ClientError:
            first: Any = next(iter(self.events.get(IdempotencyRecord.create_id(name, key), lte=1)), None)
            if first is None:
                raise
            if (getattr(first, "meta", None) or {}).get("request_hash") != request_hash(body):
                raise Conflict("this idempotency key was already used with a different body",
                               rule="idempotency_key_reused") from None
            created = first.mutate(None)
            return answer(created, **extra(created)), True

    def change(self, scope: str, key: str, command: str, body: Any,
               act: Callable[[], tuple[Sequence[Any], dict[str, Any]]]) -> tuple[dict[str, Any], bool]:
        return run_once(self, f"{scope}:{command}", key, body, act)

    def step(self, scope: str, key: str, command: str, cls: type[T], aggregate_id: UUID, body: dict[str, Any],
             apply: Callable[[T], Any]) -> tuple[dict[str, Any], bool]:
        """One command on one aggregate."""
        def act() -> tuple[list[Any], dict[str, Any]]:
            aggregate = self.load(cls, aggregate_id)
            apply(aggregate)
            return [aggregate], answer(aggregate)

        return self.change(scope, key, command, {"id": aggregate_id, **body}, act)

    def current_enterprise(self, enterprise_id: UUID | str, field: str | None = "enterprise_id") -> Enterprise:
        """The enterprise, following a merged record to the one it was merged into."""
        enterprise = self.load(Enterprise, enterprise_id, field)
        while enterprise.merged_into is not None:
            enterprise = self.load(Enterprise, enterprise.merged_into)
        return enterprise

    # -- enterprises ---------------------------------------------------------------------------------------
    def register_enterprise(self, scope: str, key: str, body: dict[str, Any], vault: Vault,
                            index: IdentityIndex) -> tuple[dict[str, Any], bool]:
        """``body``: contracts.enterprises.RegisterEnterprise. The same enterprise twice is a 409 naming it."""
        details = {k: body[k] for k in ("name", "registration_number") if body.get(k)}
        digests = index.digests(enterprise_keys(body.get("name"), body.get("registration_number")))
        own_id = IdempotencyRecord.create_id(f"{scope}:register_enterprise", key)
        owner, matched_on = index.match_enterprise(digests)
        if owner is not None and owner != str(own_id) and self.find(Enterprise, owner) is not None:
            raise Conflict("this enterprise is already recorded", rule="enterprise_recorded_once",
                           enterprise_id=str(self.current_enterprise(owner).id), matched_on=matched_on)

        def build(enterprise_id: UUID) -> Enterprise:
            return Enterprise.record(id=enterprise_id, legal_form=body["legal_form"],
                                     registered_on=body["registered_on"], occurred_at=body["occurred_at"],
                                     details=vault.seal(enterprise_id, details) if details else None)

        hashed = {**{k: v for k, v in body.items() if k not in details}, "identity": index.fingerprint(details)}
        result, replayed = self.create(scope, key, "register_enterprise", hashed, build)
        if not replayed:
            self._remember(index, result["enterprise_id"], digests, body["occurred_at"])
        return result, replayed

    def record_registration(self, scope: str, key: str, enterprise_id: UUID, body: dict[str, Any],
                            index: IdentityIndex) -> tuple[dict[str, Any], bool]:
        digests = index.digests(enterprise_keys(None, body.get("registration_number")))
        owner = index.owners(digests).get("registration")
        if owner is not None and owner != str(enterprise_id):
            raise Conflict("another enterprise is registered under this number", rule="registration_number_once",
                           enterprise_id=owner)
        result = self.step(scope, key, "record_registration", Enterprise, enterprise_id,
                           {**body, "registration_number": index.fingerprint(body.get("registration_number"))},
                           lambda e: e.record_registration(body["legal_form"], body["registered_on"],
                                                           body["occurred_at"]))
        if not result[1]:
            index.remember(str(enterprise_id), digests)
        return result

    def merge_enterprise(self, scope: str, key: str, enterprise_id: UUID, into: UUID,
                         occurred_at: Any) -> tuple[dict[str, Any], bool]:
        def act() -> tuple[list[Any], dict[str, Any]]:
            duplicate = self.load(Enterprise, enterprise_id)
            duplicate.merge_into(self.load(Enterprise, into, "into"), occurred_at)
            return [duplicate], answer(duplicate, merged_into=str(into))

        return self.change(scope, key, "merge_enterprise", {"id": enterprise_id, "into": into,
                                                            "occurred_at": occurred_at}, act)

    def _remember(self, index: IdentityIndex, owner_id: str, digests: dict[str, str], at: Any) -> None:
        for kind, other in index.remember(owner_id, digests):
            index.flag(owner_id, other, kind, at.isoformat())

    # -- FUSE ----------------------------------------------------------------------------------------------
    def submit_application(self, scope: str, key: str, round_id: UUID, body: dict[str, Any], vault: Vault,
                           index: IdentityIndex) -> tuple[dict[str, Any], bool]:
        """``body``: contracts.enterprises.SubmitApplication. A person known by email is the same applicant;
        an enterprise known by registration number or name is the same enterprise (identity.py)."""
        command = f"{scope}:submit_application"
        saved: list[Any] = []  # new applicant, new or newly registered enterprise
        person, venture = body["applicant"] or {}, body["enterprise"] or {}
        person_digests = index.digests(applicant_keys(person.get("email")))
        venture_digests = index.digests(enterprise_keys(venture.get("name"), venture.get("registration_number")))
        applicant_id = body["applicant_id"] or index.owners(person_digests).get("email")
        if applicant_id is not None:
            self.load(Applicant, applicant_id, "applicant_id")
        else:
            applicant_id = derived_id(command, key, "applicant")
            saved.append(Applicant(id=applicant_id, personal=vault.seal(applicant_id, person),
                                     occurred_at=body["occurred_at"]))
        enterprise, match = None, "chosen"
        if body["enterprise_id"] is not None:
            enterprise = self.current_enterprise(body["enterprise_id"])
        else:
            owner, match = index.match_enterprise(venture_digests)
            enterprise = self.current_enterprise(owner) if owner and self.find(Enterprise, owner) else None
            if enterprise is None:
                enterprise_id, match = derived_id(command, key, "enterprise"), "new"
                details = {k: venture[k] for k in ("name", "registration_number") if venture.get(k)}
                enterprise = Enterprise.record(enterprise_id, venture["legal_form"], venture["registered_on"],
                                               body["occurred_at"], vault.seal(enterprise_id, details))
                saved.append(enterprise)
            elif enterprise.legal_form is None and venture.get("legal_form"):
                enterprise.record_registration(venture["legal_form"], venture["registered_on"], body["occurred_at"])
                saved.append(enterprise)  # a known venture that has registered since
        application_id = derived_id(command, key, "application")

        def act() -> tuple[list[Any], dict[str, Any]]:
            round_ = self.load(RecruitmentRound, round_id)
            round_.submit(application_id, UUID(str(applicant_id)), enterprise.id, match, body["sector"],
                          body["occurred_at"])
            return [round_, *saved], {**_application_answer(round_, application_id), "enterprise_match": match}

        hashed = {"round_id": round_id, "sector": body["sector"], "occurred_at": body["occurred_at"],
                  "who": index.fingerprint([body["applicant_id"], person, body["enterprise_id"], venture])}
        result, replayed = self.change(scope, key, "submit_application", hashed, act)
        if not replayed:
            self._remember(index, result["applicant_id"], person_digests, body["occurred_at"])
            self._remember(index, result["enterprise_id"], venture_digests, body["occurred_at"])
        return result, replayed

    def application_step(self, scope: str, key: str, command: str, round_id: UUID, application_id: UUID,
                         body: dict[str, Any], apply: Callable[[RecruitmentRound], Any]) -> tuple[dict[str, Any], bool]:
        def act() -> tuple[list[Any], dict[str, Any]]:
            round_ = self.load(RecruitmentRound, round_id)
            saved = apply(round_) or []
            return [round_, *saved], _application_answer(round_, application_id)

        return self.change(scope, key, command, {"round_id": round_id, "application_id": application_id, **body}, act)

    def decide_application(self, scope: str, key: str, round_id: UUID, application_id: UUID,
                           body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Accepted: the enterprise and the person join the cohort in the same save."""
        def decide(round_: RecruitmentRound) -> list[Any]:
            round_.decide(application_id, body["decision"], body["reason"], body["programme_id"], body["occurred_at"])
            application = round_.application(application_id)
            if body["decision"] != "accepted":
                return []
            return self.admit(UUID(application["programme_id"]), UUID(application["enterprise_id"]),
                              UUID(application["applicant_id"]), body["occurred_at"], lenient=True)

        return self.application_step(scope, key, "decide_application", round_id, application_id, body, decide)

    def link_application(self, scope: str, key: str, round_id: UUID, application_id: UUID, enterprise_id: UUID,
                         occurred_at: Any) -> tuple[dict[str, Any], bool]:
        def link(round_: RecruitmentRound) -> None:
            round_.link_enterprise(application_id, self.current_enterprise(enterprise_id).id, occurred_at)

        return self.application_step(scope, key, "link_application", round_id, application_id,
                                     {"enterprise_id": enterprise_id, "occurred_at": occurred_at}, link)

    def record_applicant(self, scope: str, key: str, body: dict[str, Any], vault: Vault,
                         index: IdentityIndex) -> tuple[dict[str, Any], bool]:
        """A person known by email already is a 409 naming them (one record per person)."""
        person = {"display_name": body["display_name"], "email": body["email"]}
        digests = index.digests(applicant_keys(body["email"]))
        owner = index.owners(digests).get("email")
        if owner not in (None, str(IdempotencyRecord.create_id(f"{scope}:record_applicant", key))) and \
                self.find(Applicant, owner) is not None:
            raise Conflict("this person is already recorded", rule="person_recorded_once", applicant_id=owner)
        result = self.create(scope, key, "record_applicant", {"occurred_at": body["occurred_at"],
                                                              "personal": index.fingerprint(person)},
                             lambda i: Applicant(id=i, personal=vault.seal(i, person), occurred_at=body["occurred_at"]))
        if not result[1]:
            self._remember(index, result[0]["applicant_id"], digests, body["occurred_at"])
        return result

    def admit_member(self, scope: str, key: str, programme_id: UUID,
                     body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        def act() -> tuple[list[Any], dict[str, Any]]:
            saved = self.admit(programme_id, body["enterprise_id"], body["applicant_id"], body["occurred_at"])
            return saved, answer(saved[0])

        return self.change(scope, key, "admit_member", {"programme_id": programme_id, **body}, act)

    def admit(self, programme_id: UUID, enterprise_id: UUID | None, applicant_id: UUID | None, occurred_at: Any,
              lenient: bool = False) -> list[Any]:
        """The aggregates to save when an enterprise and/or a person join a programme (``lenient``: nothing
        when both are members already, as when a second founder of a member enterprise is accepted)."""
        programme = self.load(Programme, programme_id, "programme_id")
        enterprise = None if enterprise_id is None else self.current_enterprise(enterprise_id)
        if applicant_id is not None:
            self.load(Applicant, applicant_id, "applicant_id")
        members = (enterprise is None or str(enterprise.id) in programme.enterprises) and \
            (applicant_id is None or str(applicant_id) in programme.people)
        if lenient and members:
            return []
        if programme.admit(None if enterprise is None else enterprise.id, applicant_id, occurred_at):
            assert enterprise is not None
            enterprise.join_programme(programme.id, programme.kind, occurred_at)
            return [programme, enterprise]
        return [programme]


def _application_answer(round_: RecruitmentRound, application_id: UUID) -> dict[str, Any]:
    application = round_.application(application_id)
    return answer(round_, application_id=str(application_id), status=application["status"],
                  applicant_id=application["applicant_id"], enterprise_id=application["enterprise_id"])
