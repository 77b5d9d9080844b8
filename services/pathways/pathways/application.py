"""Pathways use cases: open pathways for accepted clients, take posted steps (single and batch), read them."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, StoredEvent

from chassis.application import ServiceApplication
from chassis.errors import ClientError, Forbidden, NotFound
from chassis.idempotency import Once, answers, key_row, request_hash, save_keyed
from contracts.vocabulary import REGULATORS
from pathways import caseload
from pathways.domain.due import due_items
from pathways.domain.pathway import Pathway, StepRefused
from pathways.steps import HUB_ONLY, payload_trust, take_step


@dataclass(frozen=True)
class Poster:
    """Who posts a step: the employment hub (caseworkers, admins) may post any; a trust system only for
    clients placed with it, never the hub's own steps, and only naming itself as the trust."""

    organisation: str
    hub: bool


class Pathways(ServiceApplication):
    name = "pathways"
    extra_tables = caseload.TABLES

    def open_pathway(self, client_id: UUID, regulator: str, entry_point: str, occurred_at: datetime,
                     profession: str | None = None) -> list[Pathway]:
        """The pathway to save for an accepted client, or none when it is already open."""
        if self._find(Pathway.create_id(client_id, regulator)) is not None:
            return []
        return [Pathway(client_id=client_id, regulator=regulator, entry_point=entry_point, occurred_at=occurred_at,
                        profession=profession)]

    def pathways_of(self, client_id: UUID, today: date) -> list[dict[str, Any]]:
        found = (self._find(Pathway.create_id(client_id, regulator)) for regulator in REGULATORS)
        return [view(pathway, today) for pathway in found if pathway is not None]

    def due_items_of_caseworker(self, caseworker_id: str, today: date, before: date | None) -> list[dict[str, Any]]:
        items = []
        for pathway_id in caseload.open_pathways_of(self, caseworker_id):
            pathway = self._find(UUID(pathway_id))
            if pathway is None or pathway.caseworker_id != caseworker_id:
                continue  # the caseload index lags a reassignment by moments
            for item in due_items(pathway, today):
                if before is None or item["due_on"] < before.isoformat():
                    items.append({**item, "client_id": str(pathway.client_id), "pathway_id": str(pathway.id),
                                  "regulator": pathway.regulator})
        return sorted(items, key=lambda item: (item["due_on"], item["client_id"], item["item"]))

    def history(self, client_id: UUID, regulator: str) -> list[dict[str, Any]]:
        """Every stored event of one pathway, in order: what happened, when, and who recorded it."""
        pathway_id = Pathway.create_id(client_id, regulator)
        events = list(self.events.get(pathway_id))
        if not events:
            raise PathwayNotFoundError(client_id, regulator)
        return [_event_view(e) for e in events]

    def find_many(self, pathway_ids: list[UUID]) -> dict[UUID, Pathway | None]:
        """Many pathways in one query (a batch's): those in the repository's cache are fast-forwarded with the
        events stored after their cached version, the others read whole; each is handed out as a copy, as
        ``repository.get`` does. On SQLite, one ``get`` each."""
        ids = list(dict.fromkeys(pathway_ids))
        cache = self.repository.cache
        if self.is_sqlite or cache is None or len(ids) < 2:
            return {pathway_id: self._find(pathway_id) for pathway_id in ids}
        cached: dict[UUID, Pathway] = {}
        for pathway_id in ids:
            try:
                cached[pathway_id] = cast(Pathway, cache.get(pathway_id))
            except KeyError:
                pass
        rows = self.query(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM pathways_events e"
            " JOIN unnest(%s::uuid[], %s::bigint[]) AS k(id, v) ON e.originator_id = k.id AND e.originator_version > "
            "k.v"
            " ORDER BY e.originator_id, e.originator_version",
            ([str(i) for i in ids], [cached[i].version if i in cached else 0 for i in ids]))
        news: dict[UUID, list[Any]] = {}
        for originator_id, version, topic, state in rows:
            stored = StoredEvent(originator_id=originator_id, originator_version=version, topic=topic,
                                 state=bytes(state))
            news.setdefault(UUID(str(originator_id)), []).append(self.mapper.to_domain_event(stored))
        found: dict[UUID, Pathway | None] = {}
        for pathway_id in ids:
            aggregate = cached.get(pathway_id)
            for domain_event in news.get(pathway_id, []):
                if aggregate is not None and domain_event.originator_version <= aggregate.version:
                    continue  # another worker fast-forwarded the cached copy meanwhile
                aggregate = domain_event.mutate(aggregate)
            if aggregate is not None and pathway_id not in cached:
                cache.put(pathway_id, aggregate)
            found[pathway_id] = None if aggregate is None else copy.deepcopy(aggregate)
        return found

    def _find(self, pathway_id: UUID) -> Pathway | None:
        try:
            return self.repository.get(pathway_id)
        except AggregateNotFoundError:
            return None

    def post_step(self, poster: Poster, once: Once, client_id: UUID, regulator: str, step_type: str,
                  occurred_at: datetime, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """One step on one pathway, at most once per key; refused steps store nothing."""
        pathway_id = Pathway.create_id(client_id, regulator)

        def command() -> tuple[list[Any], dict[str, Any]]:
            pathway = _authorise(self._find(pathway_id), client_id, regulator, step_type, payload, poster)
            saved = self._apply(pathway, step_type, payload, occurred_at)
            return saved, _answer_of(saved, step_type)

        body = _body({"client_id": client_id, "regulator": regulator, "type": step_type, "occurred_at": occurred_at,
                      "payload": payload})
        return once.run(self, "step", body, command)

    def post_steps(self, poster: Poster, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Many steps (loaded ``BatchStep`` dicts, payloads loaded), each answered on its own, stored together.

        Steps are applied in order to their pathways in memory; a refused step leaves nothing behind (the domain
        raises before it mutates). Everything accepted, with each step's idempotency record, is then saved in one
        transaction: one append instead of one per step. If that save collides (a retried key, or another writer
        on one of the pathways), the batch is redone step by step, which answers retries with their first answer.
        """
        scope = f"{poster.organisation}:step"
        keys = [step["idempotency_key"] for step in steps]
        if len(set(keys)) < len(keys) or answers(self, scope, keys) or any(s["type"] == "route_changed" for s in steps):
            return [self._one(poster, step) for step in steps]  # retries among them: answer each as it was answered
        pathways = self.find_many([Pathway.create_id(step["client_id"], step["regulator"]) for step in steps])
        records: list[Any] = []
        results: list[Any] = []
        for step in steps:
            pathway_id = Pathway.create_id(step["client_id"], step["regulator"])
            try:
                pathway = _authorise(pathways[pathway_id], step["client_id"], step["regulator"], step["type"],
                                     step["payload"], poster)
                take_step(pathway, step["type"], step["payload"], step["occurred_at"])
            except ClientError as error:
                results.append(error)
                continue
            answer = _answer_of([pathway], step["type"])
            records.append(key_row(scope, step["idempotency_key"], request_hash(_body(step)), answer))
            results.append(answer)
        try:
            save_keyed(self, [p for p in pathways.values() if p is not None], records)
        except (IntegrityError, ClientError):
            return [self._one(poster, step) for step in steps]
        return [_result(result) for result in results]

    def _one(self, poster: Poster, step: dict[str, Any]) -> dict[str, Any]:
        try:
            answer, _ = self.post_step(poster, Once(poster.organisation, step["idempotency_key"]), step["client_id"],
                                       step["regulator"], step["type"], step["occurred_at"], step["payload"])
            return {"status": 201, **answer}
        except ClientError as error:
            return {"status": error.status, **error.body()}

    def _apply(self, pathway: Pathway, step_type: str, payload: dict, occurred_at: datetime) -> list[Pathway]:
        if step_type == "route_changed":  # closes this pathway and opens another: two aggregates, one save
            new = pathway.change_route(payload["regulator"], occurred_at,
                                       payload.get("profession") or pathway.profession)
            if self._find(new.id) is not None:
                raise StepRefused("one_pathway_per_regulator", f"a {payload['regulator']} pathway exists already")
            return [pathway, new]
        take_step(pathway, step_type, payload, occurred_at)
        return [pathway]


def view(pathway: Pathway, today: date) -> dict[str, Any]:
    return {
        "pathway_id": str(pathway.id), "client_id": str(pathway.client_id), "regulator": pathway.regulator,
        "profession": pathway.profession, "entry_point": pathway.entry_point_at_enrolment,
        "current_entry_point": pathway.entry_point, "status": pathway.status, "stage": pathway.stage,
        "version": pathway.version, "caseworker_id": pathway.caseworker_id, "trusts": pathway.trusts,
        "esol_level": pathway.esol_level, "english_met": pathway.english_met,
        "english_test": pathway.english_test, "english_expires_on": pathway.english_expires_on,
        "exams_passed": sorted(pathway.passed_on), "exam_attempts": dict(pathway.attempts),
        "registration_stages": dict(pathway.stages), "registered": pathway.registered,
        "placements": pathway.placements, "mentoring_sessions": pathway.mentoring_sessions,
        "job_offers": pathway.offers, "employed_since": pathway.employed_since, "employment_spells": pathway.spells,
        "interim_jobs": pathway.interim_jobs, "sustained": pathway.sustained,
        "right_to_work_until": pathway.right_to_work_until, "due_items": due_items(pathway, today),
    }


def _event_view(domain_event: Any) -> dict[str, Any]:
    fields = {k: v for k, v in domain_event.__dict__.items()
              if k not in ("originator_id", "originator_version", "timestamp", "meta", "originator_topic")}
    meta = getattr(domain_event, "meta", {}) or {}
    return {"version": domain_event.originator_version, "event": type(domain_event).__qualname__.split(".")[-1],
            "recorded_at": domain_event.timestamp.isoformat(), "actor": meta.get("actor"),
            "organisation": meta.get("organisation"), "correlation_id": meta.get("correlation_id"), **fields}


class PathwayNotFoundError(NotFound):
    """Raised when a client has no pathway towards that regulator (referrals has not accepted them for it),
    or the caller is a trust the client is not placed with (the same answer: it must not learn which)."""

    def __init__(self, client_id: UUID, regulator: str) -> None:
        super().__init__(f"no {regulator} pathway for client {client_id}")


def _authorise(pathway: Pathway | None, client_id: UUID, regulator: str, step_type: str, payload: dict,
               poster: Poster) -> Pathway:
    if pathway is None or not (poster.hub or poster.organisation in pathway.trusts):
        raise PathwayNotFoundError(client_id, regulator)
    if not poster.hub:
        if step_type in HUB_ONLY:
            raise Forbidden("only the employment hub may post this step", rule="hub_only_step")
        named = payload_trust(step_type, payload)
        if named is not None and named != poster.organisation:
            raise Forbidden("a trust system may only name itself as the trust", rule="trust_names_itself")
    return pathway


def _answer_of(saved: list[Pathway], step_type: str) -> dict[str, Any]:
    pathway = saved[0]
    answer = {"pathway_id": str(pathway.id), "event_id": f"{pathway.id}:{pathway.version}",
              "version": pathway.version, "type": step_type}
    if len(saved) > 1:
        answer["new_pathway_id"] = str(saved[1].id)
    return answer


def _body(step: dict[str, Any]) -> dict[str, Any]:
    return {"client_id": step["client_id"], "regulator": step["regulator"], "type": step["type"],
            "occurred_at": step["occurred_at"], "payload": step["payload"]}


def _result(result: dict[str, Any] | ClientError) -> dict[str, Any]:
    if isinstance(result, ClientError):
        return {"status": result.status, **result.body()}
    return {"status": 201, **result}
