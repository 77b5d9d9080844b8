"""Use cases of enterprises and the FUSE programme: recording and merging enterprises, their support, recruitment
rounds and applications, applicants and programmes.

Each takes the request (``chassis.idempotency.Once``: the caller's organisation and its Idempotency-Key) and the
loaded contract body (or the path's ids), and returns ``(answer, replayed)``. The event store, the vault and the
identity index are given once to the constructor (enterprises.dependencies wires them); the community strand's are
in cases.py.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from chassis.errors import Conflict
from chassis.idempotency import Once
from chassis.vault import Vault
from enterprises.application import Enterprises, answer
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Applicant, Programme, RecruitmentRound
from enterprises.identity import IdentityIndex, applicant_keys, enterprise_keys

Result = tuple[dict[str, Any], bool]


class FuseCases:
    """The use cases of enterprises and the FUSE programme over the event store, the vault and the identity index."""

    def __init__(self, app: Enterprises, vault: Vault, index: IdentityIndex) -> None:
        self.app, self.vault, self.index = app, vault, index

    # -- enterprises ---------------------------------------------------------------------------------------
    def register_enterprise(self, once: Once, body: dict[str, Any]) -> Result:
        """``body``: contracts.enterprises.RegisterEnterprise. The same enterprise twice is a 409 naming it."""
        details = {k: body[k] for k in ("name", "registration_number") if body.get(k)}
        digests = self.index.digests(enterprise_keys(body.get("name"), body.get("registration_number")))
        own_id = once.created_id("register_enterprise")
        owner, matched_on = self.index.match_enterprise(digests)
        if owner is not None and owner != str(own_id) and self.app.find(Enterprise, owner) is not None:
            raise Conflict("this enterprise is already recorded", rule="enterprise_recorded_once",
                           enterprise_id=str(self.app.current_enterprise(owner).id), matched_on=matched_on)

        def build(enterprise_id: UUID) -> Enterprise:
            return Enterprise.record(id=enterprise_id, legal_form=body["legal_form"],
                                     registered_on=body["registered_on"], occurred_at=body["occurred_at"],
                                     details=self.vault.seal(enterprise_id, details) if details else None)

        hashed = {**{k: v for k, v in body.items() if k not in details}, "identity": self.index.fingerprint(details)}
        result, replayed = self.app.create(once, "register_enterprise", hashed, build)
        if not replayed:
            self._remember(result["enterprise_id"], digests, body["occurred_at"])
        return result, replayed

    def record_registration(self, once: Once, enterprise_id: UUID, body: dict[str, Any]) -> Result:
        digests = self.index.digests(enterprise_keys(None, body.get("registration_number")))
        owner = self.index.owners(digests).get("registration")
        if owner is not None and owner != str(enterprise_id):
            raise Conflict("another enterprise is registered under this number", rule="registration_number_once",
                           enterprise_id=owner)
        result = self.app.step(once, "record_registration", Enterprise, enterprise_id,
                           {**body, "registration_number": self.index.fingerprint(body.get("registration_number"))},
                           lambda e: e.record_registration(body["legal_form"], body["registered_on"],
                                                           body["occurred_at"]))
        if not result[1]:
            self.index.remember(str(enterprise_id), digests)
        return result

    def merge_enterprise(self, once: Once, enterprise_id: UUID, into: UUID,
                         occurred_at: Any) -> Result:
        def act() -> tuple[list[Any], dict[str, Any]]:
            duplicate = self.app.load(Enterprise, enterprise_id)
            duplicate.merge_into(self.app.load(Enterprise, into, "into"), occurred_at)
            return [duplicate], answer(duplicate, merged_into=str(into))

        return self.app.change(once, "merge_enterprise", {"id": enterprise_id, "into": into,
                                                            "occurred_at": occurred_at}, act)

    def log_support(self, once: Once, enterprise_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "log_support", Enterprise, enterprise_id, body, lambda e: e.log_support(
            body["kind"], int(body["hours"] * 60), body["occurred_at"], programme_id=body["programme_id"]))

    def correct_support(self, once: Once, enterprise_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "correct_support", Enterprise, enterprise_id, body,
                             lambda e: e.correct_support(body["support_version"], int(body["hours"] * 60),
                                                         body["reason"], body["occurred_at"]))

    def dissolve_enterprise(self, once: Once, enterprise_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "dissolve_enterprise", Enterprise, enterprise_id, body,
                             lambda e: e.dissolve(body["reason"], body["occurred_at"]))

    # -- rounds --------------------------------------------------------------------------------------------------
    def open_round(self, once: Once, body: dict[str, Any]) -> Result:
        return self.app.create(once, "open_round", body, lambda round_id: RecruitmentRound(id=round_id, **body))

    def close_round(self, once: Once, round_id: UUID, body: dict[str, Any]) -> Result:
        return self.app.step(once, "close_round", RecruitmentRound, round_id, body,
                             lambda r: r.close(body["occurred_at"]))

    def shortlist_application(self, once: Once, round_id: UUID, application_id: UUID,
                              body: dict[str, Any]) -> Result:
        return self.application_step(once, "shortlist", round_id, application_id, body,
                                     lambda r: r.shortlist(application_id, body["occurred_at"]))

    def declare_conflict(self, once: Once, round_id: UUID, application_id: UUID,
                         body: dict[str, Any]) -> Result:
        return self.application_step(once, "declare_conflict", round_id, application_id, body,
                                     lambda r: r.declare_conflict(application_id, **body))

    def interview_applicant(self, once: Once, round_id: UUID, application_id: UUID,
                            body: dict[str, Any]) -> Result:
        return self.application_step(once, "interview", round_id, application_id, body,
                                     lambda r: r.interview(application_id, **body))

    def start_programme(self, once: Once, body: dict[str, Any]) -> Result:
        return self.app.create(once, "start_programme", body,
                               lambda programme_id: Programme(id=programme_id, **body))

    def _remember(self, owner_id: str, digests: dict[str, str], at: Any) -> None:
        for kind, other in self.index.remember(owner_id, digests):
            self.index.flag(owner_id, other, kind, at.isoformat())

    # -- applications and programmes -------------------------------------------------------------------------
    def submit_application(self, once: Once, round_id: UUID, body: dict[str, Any]) -> Result:
        """``body``: contracts.enterprises.SubmitApplication. A person known by email is the same applicant;
        an enterprise known by registration number or name is the same enterprise (identity.py)."""
        command = "submit_application"
        saved: list[Any] = []  # new applicant, new or newly registered enterprise
        person, venture = body["applicant"] or {}, body["enterprise"] or {}
        person_digests = self.index.digests(applicant_keys(person.get("email")))
        venture_digests = self.index.digests(enterprise_keys(venture.get("name"), venture.get("registration_number")))
        applicant_id = body["applicant_id"] or self.index.owners(person_digests).get("email")
        if applicant_id is not None:
            self.app.load(Applicant, applicant_id, "applicant_id")
        else:
            applicant_id = once.derived_id(command, "applicant")
            saved.append(Applicant(id=applicant_id, personal=self.vault.seal(applicant_id, person),
                                     occurred_at=body["occurred_at"]))
        enterprise, match = None, "chosen"
        if body["enterprise_id"] is not None:
            enterprise = self.app.current_enterprise(body["enterprise_id"])
        else:
            owner, match = self.index.match_enterprise(venture_digests)
            enterprise = self.app.current_enterprise(owner) if owner and self.app.find(Enterprise, owner) else None
            if enterprise is None:
                enterprise_id, match = once.derived_id(command, "enterprise"), "new"
                details = {k: venture[k] for k in ("name", "registration_number") if venture.get(k)}
                enterprise = Enterprise.record(enterprise_id, venture["legal_form"], venture["registered_on"],
                                               body["occurred_at"], self.vault.seal(enterprise_id, details))
                saved.append(enterprise)
            elif enterprise.legal_form is None and venture.get("legal_form"):
                enterprise.record_registration(venture["legal_form"], venture["registered_on"], body["occurred_at"])
                saved.append(enterprise)  # a known venture that has registered since
        application_id = once.derived_id(command, "application")

        def act() -> tuple[list[Any], dict[str, Any]]:
            round_ = self.app.load(RecruitmentRound, round_id)
            round_.submit(application_id, UUID(str(applicant_id)), enterprise.id, match, body["sector"],
                          body["occurred_at"])
            return [round_, *saved], {**_application_answer(round_, application_id), "enterprise_match": match}

        hashed = {"round_id": round_id, "sector": body["sector"], "occurred_at": body["occurred_at"],
                  "who": self.index.fingerprint([body["applicant_id"], person, body["enterprise_id"], venture])}
        result, replayed = self.app.change(once, "submit_application", hashed, act)
        if not replayed:
            self._remember(result["applicant_id"], person_digests, body["occurred_at"])
            self._remember(result["enterprise_id"], venture_digests, body["occurred_at"])
        return result, replayed

    def application_step(self, once: Once, command: str, round_id: UUID, application_id: UUID,
                         body: dict[str, Any], apply: Callable[[RecruitmentRound], Any]) -> Result:
        def act() -> tuple[list[Any], dict[str, Any]]:
            round_ = self.app.load(RecruitmentRound, round_id)
            saved = apply(round_) or []
            return [round_, *saved], _application_answer(round_, application_id)

        return self.app.change(once, command, {"round_id": round_id, "application_id": application_id, **body},
                               act)

    def decide_application(self, once: Once, round_id: UUID, application_id: UUID,
                           body: dict[str, Any]) -> Result:
        """Accepted: the enterprise and the person join the cohort in the same save."""
        def decide(round_: RecruitmentRound) -> list[Any]:
            round_.decide(application_id, body["decision"], body["reason"], body["programme_id"], body["occurred_at"])
            application = round_.application(application_id)
            if body["decision"] != "accepted":
                return []
            return self.admit(UUID(application["programme_id"]), UUID(application["enterprise_id"]),
                              UUID(application["applicant_id"]), body["occurred_at"], lenient=True)

        return self.application_step(once, "decide_application", round_id, application_id, body, decide)

    def link_application(self, once: Once, round_id: UUID, application_id: UUID, enterprise_id: UUID,
                         occurred_at: Any) -> Result:
        def link(round_: RecruitmentRound) -> None:
            round_.link_enterprise(application_id, self.app.current_enterprise(enterprise_id).id, occurred_at)

        return self.application_step(once, "link_application", round_id, application_id,
                                     {"enterprise_id": enterprise_id, "occurred_at": occurred_at}, link)

    def record_applicant(self, once: Once, body: dict[str, Any]) -> Result:
        """A person known by email already is a 409 naming them (one record per person)."""
        person = {"display_name": body["display_name"], "email": body["email"]}
        digests = self.index.digests(applicant_keys(body["email"]))
        owner = self.index.owners(digests).get("email")
        if owner not in (None, str(once.created_id("record_applicant"))) and \
                self.app.find(Applicant, owner) is not None:
            raise Conflict("this person is already recorded", rule="person_recorded_once", applicant_id=owner)
        result = self.app.create(once, "record_applicant", {"occurred_at": body["occurred_at"],
                                                              "personal": self.index.fingerprint(person)},
                             lambda i: Applicant(id=i, personal=self.vault.seal(i, person),
                                                 occurred_at=body["occurred_at"]))
        if not result[1]:
            self._remember(result[0]["applicant_id"], digests, body["occurred_at"])
        return result

    def admit_member(self, once: Once, programme_id: UUID,
                     body: dict[str, Any]) -> Result:
        def act() -> tuple[list[Any], dict[str, Any]]:
            saved = self.admit(programme_id, body["enterprise_id"], body["applicant_id"], body["occurred_at"])
            return saved, answer(saved[0])

        return self.app.change(once, "admit_member", {"programme_id": programme_id, **body}, act)

    def admit(self, programme_id: UUID, enterprise_id: UUID | None, applicant_id: UUID | None, occurred_at: Any,
              lenient: bool = False) -> list[Any]:
        """The aggregates to save when an enterprise and/or a person join a programme (``lenient``: nothing
        when both are members already, as when a second founder of a member enterprise is accepted)."""
        programme = self.app.load(Programme, programme_id, "programme_id")
        enterprise = None if enterprise_id is None else self.app.current_enterprise(enterprise_id)
        if applicant_id is not None:
            self.app.load(Applicant, applicant_id, "applicant_id")
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
