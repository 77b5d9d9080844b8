"""The enterprises event store and the generic steps its use cases are made of (the use cases: fuse_cases.py for
enterprises and the FUSE programme, cases.py for the community strand), in primitives and UUIDs.

Every command is idempotent per Idempotency-Key (chassis.idempotency): a creation of one aggregate derives
its id from the key (``create``); a command that changes aggregates, or creates one beside others, saves a
record of the key with its events (``change``). Ids of aggregates created beside others are derived from the
key too (``Once.derived_id``), so a retry collides instead of creating twins, and seals under the same key.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from chassis.application import ServiceApplication
from chassis.errors import ClientError, Conflict, NotFound
from chassis.idempotency import Once, request_hash
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Applicant, Programme, RecruitmentRound
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import AssetMapEntry, CommunityResearcher, Introduction
from enterprises.domain.support import Consortium, Diagnostic, Grant
from enterprises.identity import TABLES

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

    def create(self, once: Once, command: str, body: Any, build: Callable[[UUID], Any],
               extra: Callable[[Any], dict[str, Any]] = lambda _: {}) -> tuple[dict[str, Any], bool]:
        """Creates one aggregate at most once per key. ``build`` may refuse (its rules read other aggregates);
        a retry refused because those changed since is still answered as the first request was."""
        try:
            return once.create(self, command, body, build, lambda a: answer(a, **extra(a)))
        except ClientError:
            first: Any = next(iter(self.events.get(once.created_id(command), lte=1)), None)
            if first is None:
                raise
            if (getattr(first, "meta", None) or {}).get("request_hash") != request_hash(body):
                raise Conflict("this idempotency key was already used with a different body",
                               rule="idempotency_key_reused") from None
            created = first.mutate(None)
            return answer(created, **extra(created)), True

    def change(self, once: Once, command: str, body: Any,
               act: Callable[[], tuple[Sequence[Any], dict[str, Any]]]) -> tuple[dict[str, Any], bool]:
        return once.run(self, command, body, act)

    def step(self, once: Once, command: str, cls: type[T], aggregate_id: UUID, body: dict[str, Any],
             apply: Callable[[T], Any]) -> tuple[dict[str, Any], bool]:
        """One command on one aggregate."""
        def act() -> tuple[list[Any], dict[str, Any]]:
            aggregate = self.load(cls, aggregate_id)
            apply(aggregate)
            return [aggregate], answer(aggregate)

        return self.change(once, command, {"id": aggregate_id, **body}, act)

    def current_enterprise(self, enterprise_id: UUID | str, field: str | None = "enterprise_id") -> Enterprise:
        """The enterprise, following a merged record to the one it was merged into."""
        enterprise = self.load(Enterprise, enterprise_id, field)
        while enterprise.merged_into is not None:
            enterprise = self.load(Enterprise, enterprise.merged_into)
        return enterprise
