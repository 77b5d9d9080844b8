"""The outcome ledger engine: pathways' integration events -> achievements under every registered contract.

Each contract's ledger follows the pathways log with a position of its own (tracking ``ledger:<contract>``),
stored in the same transaction as the achievements it records. A live delivery advances every contract that
has caught up with it; a contract registered later (or one that lagged) catches up from the pathways log over
RPC, in log order (``catch_up``). So each contract sees the pathways log exactly once, in order, however its
messages arrive, and its ledger is a pure function of that log (reconciliation re-derives it: docs/ledger.md).

The inbox applies pathways' events in runs (``apply_pathways_run``): the read models and every caught-up
contract's ledger for many consecutive events in the inbox's one transaction, each event exactly as alone (the
run's aggregates are kept in memory between its events, and the read models it wrote are read through its
transaction), its events appended in the order one delivery at a time would append them.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from chassis.application import ServiceApplication
from chassis.delivery import Delivery, Writes
from chassis.meta import recording
from chassis.sql import Sql
from contracts import pathways as pw
from reporting.outcomes.achievements import Achievement, Enrolment, achievements_of
from reporting.outcomes.domain import ContractLedger, ParticipantLedger
from reporting.outcomes.funding import FundedAchievement
from reporting.readmodels import projections
from reporting.readmodels.grouped import GroupedWrites

Fetch = Callable[[int, "int | None", int], dict]
UPSTREAM = "pathways"
CONTRACTS_TTL = 2.0
MILESTONE = pw.MilestoneReachedV1()
#: The metric triggers each milestone can satisfy (reporting.outcomes.terms.TRIGGERS).
TRIGGERED_BY: dict[str, set[str]] = {m: {m} for m in pw.MILESTONES}
for _m in pw.WORK_MILESTONES:
    TRIGGERED_BY[_m] = {"employment_started", "sustained"}
TRIGGERED_BY["esol_level_2_achieved"] = {"esol_level_2_achieved", "qualification_achieved"}


class LedgerNotReady(Exception):
    """Raised when a milestone's pathway is not (yet) in the read models, as while they are rebuilt: the
    delivery is retried later rather than processed without its participant."""


def ledger_position_name(contract_id: str) -> str:
    return f"ledger:{contract_id}"


def participant_reference(key: bytes, contract_id: str, client_id: str) -> str:
    """A pseudonymous participant reference, different in every contract (a keyed hash: finance partners can
    neither reverse it nor link one contract's participants to another's)."""
    digest = hmac.new(key, f"{contract_id}:{client_id}".encode(), hashlib.sha256).hexdigest()
    return "P" + digest[:15].upper()


class LedgerEngine:
    def __init__(self, app: ServiceApplication, pseudonym_key: bytes) -> None:
        self.app, self.key = app, pseudonym_key
        self._contracts: tuple[float, list[str]] = (0.0, [])
        self._triggers: dict[str, set[str]] = {}
        self._run: dict[Any, Any] | None = None  # a run's aggregates, by id (``for_run``)
        self._sql: Sql | None = None

    def for_run(self, sql: Sql) -> LedgerEngine:
        """An engine for one run of deliveries: aggregates it loads or creates are kept for the rest of the run
        (later events see what earlier ones changed before it is saved), and the read models are read through
        ``sql``'s transaction (the run's own writes included). A copy, so nothing of an uncommitted run is ever
        seen by the HTTP commands the service's engine serves meanwhile."""
        view = copy.copy(self)  # shares the store, the key and the contracts' caches
        view._run, view._sql = {}, sql
        return view

    def _get(self, aggregate_id: Any) -> Any:
        """An aggregate from the run, or from the store (AggregateNotFoundError when there is none)."""
        if self._run is not None and aggregate_id in self._run:
            return self._run[aggregate_id]
        found: Any = self.app.repository.get(aggregate_id)
        if self._run is not None:
            self._run[aggregate_id] = found
        return found

    # -- registered contracts ------------------------------------------------------------------------------
    def contract_ids(self, fresh: bool = False) -> list[str]:
        loaded_at, ids = self._contracts
        if fresh or time.monotonic() - loaded_at > CONTRACTS_TTL:
            ids = [row[0] for row in self.app.query("SELECT contract_id FROM ledger_contracts ORDER BY contract_id")]
            self._contracts = (time.monotonic(), ids)
        return ids

    def triggers(self, contract_id: str) -> set[str]:
        """The triggers of a contract's metrics (fixed when it is registered: only prices change later)."""
        if contract_id not in self._triggers:
            contract = self.contract(contract_id)
            if contract is None:
                return set()
            self._triggers[contract_id] = {m["trigger"] for m in contract.terms_document["metrics"]}
        return self._triggers[contract_id]

    def contract(self, contract_id: str) -> ContractLedger | None:
        try:
            return self._get(ContractLedger.create_id(contract_id))
        except AggregateNotFoundError:
            return None

    # -- live deliveries (inside the inbox: in order, once) ------------------------------------------------
    def ledger_for(self, delivery: Delivery) -> tuple[list[Any], list[str]]:
        """The ledger aggregates this delivery changes, and the contracts whose position it advances."""
        aggregates: list[Any] = []
        advanced: list[str] = []
        contracts = self.contract_ids()
        positions = self.app.positions("ledger:") if contracts else {}
        for contract_id in contracts:
            position = positions.get(ledger_position_name(contract_id), 0)
            if position >= delivery.notification_id or position < delivery.previous_id:
                continue  # done already, or behind: catch_up() brings it here in order
            aggregates += self.achievements(contract_id, delivery.body)
            advanced.append(contract_id)
        return aggregates, advanced

    @staticmethod
    def record_positions(sql: Sql, app: ServiceApplication, contracts: Sequence[str], notification_id: int) -> None:
        for contract_id in contracts:
            app.record_tracking(sql, ledger_position_name(contract_id), notification_id)

    def _tracking(self, name: str, notification_id: int) -> Callable[[Sql], None]:
        def write(sql: Sql) -> None:
            self.app.record_tracking(sql, name, notification_id)
        return write

    def catch_up(self, fetch: Fetch, upto: int) -> int:
        """Brings every lagging contract up to ``upto`` (the pathways position of the read models), in order.
        Call it under the inbox's lock for the pathways upstream (one writer of the ledger at a time)."""
        done = 0
        for contract_id in self.contract_ids(fresh=True):
            name = ledger_position_name(contract_id)
            position = self.app.position(name)
            try:
                while position < upto:
                    page = fetch(position, upto, 500)
                    for item in page["items"]:
                        notification_id, body = int(item["notification_id"]), item["body"]
                        with recording(actor="system:reporting", organisation=body.get("organisation"),
                                       idempotency_key=body.get("event_id"), correlation_id=body.get("correlation_id")):
                            changed = self.achievements(contract_id, body)
                            self.app.save(*changed, sql=self._tracking(name, notification_id))
                        position, done = notification_id, done + 1
                    scanned = min(int(page["scanned_to"]), upto)
                    if scanned > position:  # past events that are not integration events
                        with self.app.sql() as sql:
                            self.app.record_tracking(sql, name, scanned)
                        position = scanned
                    elif not page["items"]:
                        break
            except IntegrityError:
                continue  # another instance moved this contract on; it carries on from there
        return done

    # -- achievements --------------------------------------------------------------------------------------
    def achievements(self, contract_id: str, body: dict[str, Any]) -> list[Any]:
        """The outcomes ``body`` (a pathways integration event) achieves under one contract, caps applied."""
        if body.get("event_type") != pw.MILESTONE_REACHED_V1 or \
                not TRIGGERED_BY.get(str(body.get("milestone")), set()) & self.triggers(contract_id):
            return []
        message = MILESTONE.load(body)
        facts = self.enrolment(str(message["pathway_id"]))
        if facts is None:  # its opening comes first in the log: the read models are being rebuilt, retry
            raise LedgerNotReady(f"pathway {message['pathway_id']} is not in the read models yet")
        contract = self.contract(contract_id)
        if contract is None:
            return []
        enrolment, regulator = facts
        ref = participant_reference(self.key, contract_id, enrolment.client_id)
        participant = self.participant_by_ref(contract_id, ref)
        found = achievements_of(contract.terms, message["milestone"], message["occurred_at"].date(),
                                message["detail"], message["event_id"], enrolment, regulator,
                                participant.achieved() if participant is not None else {})
        if not found:
            return []
        if participant is None:
            participant = self.participant(contract_id, enrolment)
        for achievement, occurrence in found:
            self._achieve(contract, participant, achievement, occurrence, enrolment)
        return [contract, participant]

    def _achieve(self, contract: ContractLedger, participant: ParticipantLedger, achievement: Achievement,
                 occurrence: int, enrolment: Enrolment) -> None:
        """Records one outcome with its payable amount: the price in force on the achievement date for the
        entry point at enrolment, less what would break the participant cap or the contract cap; nothing once
        the metric's volume cap is used up."""
        terms, metric, day = contract.terms, achievement.metric, achievement.achieved_on
        price = terms.price(contract.prices, metric, enrolment.entry_point, day)
        price_pence = int(price["pence"]) if price else 0
        cap = terms.cap("participant_cap_pence")
        participant_room = price_pence if cap is None else cap - participant.payable_total
        contract_room = contract.room if contract.room is not None else price_pence
        volume_left = contract.volume_left(metric)
        payable = max(0, min(price_pence, participant_room, contract_room)) if volume_left else 0
        reason = None
        if price is None:
            reason = "no_price_in_force"
        elif not volume_left:
            reason = "volume_cap"
        elif payable < price_pence:
            reason = "participant_cap" if participant_room <= contract_room else "contract_cap"
        participant.achieve(metric=metric, occurrence=occurrence, achieved_on=day.isoformat(),
                            evidenced_on=achievement.evidenced_on.isoformat(), price_pence=price_pence,
                            payable_pence=payable, payer_split=terms.split(payable),
                            price_from=str(price["effective_from"]) if price else None, not_payable_reason=reason,
                            trigger=achievement.key)
        if payable:
            contract.allocate(outcome=participant.ref(metric, occurrence), pence=payable)

    # -- claims across contracts (double funding) ------------------------------------------------------------
    def claim(self, participant: ParticipantLedger, contract: ContractLedger, metric: str, occurrence: int,
              occurred_at: Any) -> list[Any]:
        """The provider claims an outcome: the participant's rules, then the achievement behind it must not be
        claimed under another contract. Returns what to save, together (optimistic concurrency on the
        achievement makes two contracts' simultaneous claims collide rather than both pass)."""
        participant.claim(metric, occurrence, contract.terms, occurred_at)
        funded = self.funded(participant.outcome(metric, occurrence)["trigger"])
        funded.hold(participant.ref(metric, occurrence), contract.contract_id)
        return [participant, funded]

    def let_go(self, participant: ParticipantLedger, metric: str, occurrence: int) -> list[Any]:
        """After a rejection or a clawback the achievement may be claimed under another contract."""
        funded = self.funded(participant.outcome(metric, occurrence)["trigger"])
        funded.release(participant.ref(metric, occurrence))
        return [participant, funded]

    def funded(self, trigger: str) -> FundedAchievement:
        try:
            return self.app.repository.get(FundedAchievement.create_id(trigger))
        except AggregateNotFoundError:
            return FundedAchievement(trigger=trigger)

    def participant_by_ref(self, contract_id: str, participant_ref: str) -> ParticipantLedger | None:
        try:
            return self._get(ParticipantLedger.create_id(contract_id, participant_ref))
        except AggregateNotFoundError:
            return None

    def participant(self, contract_id: str, enrolment: Enrolment) -> ParticipantLedger:
        ref = participant_reference(self.key, contract_id, enrolment.client_id)
        try:
            return self._get(ParticipantLedger.create_id(contract_id, ref))
        except AggregateNotFoundError:
            created = ParticipantLedger(contract_id=contract_id, participant_ref=ref, client_id=enrolment.client_id,
                                        enrolled_on=enrolment.enrolled_on.isoformat(),
                                        entry_point=enrolment.entry_point)
            if self._run is not None:
                self._run[created.id] = created
            return created

    def enrolment(self, pathway_id: str) -> tuple[Enrolment, str] | None:
        """The participant behind a pathway: their first pathway's start and entry point, and this route."""
        statement = ("SELECT first.client_id, first.opened_on, first.entry_point, this.regulator"
                     " FROM report_pathways this JOIN report_pathways first ON first.client_id = this.client_id"
                     " WHERE this.pathway_id = %s ORDER BY first.opened_seq LIMIT 1")
        rows = self.app.query(statement, (pathway_id,)) if self._sql is None else \
            self._sql.execute(statement, (pathway_id,)).fetchall()
        if not rows:
            return None
        client_id, opened_on, entry_point, regulator = rows[0]
        return Enrolment(str(client_id), date.fromisoformat(str(opened_on)), str(entry_point)), str(regulator)


def pathways_writes(engine: LedgerEngine, delivery: Delivery) -> Writes:
    """What one pathways event changes: the read models and every caught-up contract's ledger, with the
    ledger positions, to be committed with the inbox's position in one transaction."""
    aggregates, advanced = engine.ledger_for(delivery)

    def writes(sql: Sql) -> None:
        projections.apply(sql, delivery)
        LedgerEngine.record_positions(sql, engine.app, advanced, delivery.notification_id)

    return Writes(aggregates, writes)


def apply_pathways_run(engine: LedgerEngine, sql: Sql, deliveries: Sequence[Delivery]) -> None:
    """A run of consecutive pathways events inside the inbox's transaction ``sql``: the read models, then every
    caught-up contract's ledger for each event in turn, as ``pathways_writes`` would one at a time; the ledger's
    events appended in that order and each contract's positions recorded, all in ``sql`` (the inbox records
    the run's own positions)."""
    contracts = engine.contract_ids()
    positions = engine.app.positions("ledger:") if contracts else {}
    reached = {c: positions.get(ledger_position_name(c), 0) for c in contracts}
    events: list[Any] = []
    grouped = GroupedWrites(sql)  # the read models' writes in few round trips; a read sends what it reads first
    run = engine.for_run(grouped)  # type: ignore[arg-type]  # a Sql in all the engine uses
    for delivery in deliveries:
        with delivery.recorded("reporting"):
            projections.apply(grouped, delivery)  # type: ignore[arg-type]
            for contract_id in contracts:
                position = reached[contract_id]
                if position >= delivery.notification_id or position < delivery.previous_id:
                    continue  # done already, or behind: catch_up() brings it here in order
                for aggregate in run.achievements(contract_id, delivery.body):
                    events += aggregate.collect_events()
                reached[contract_id] = delivery.notification_id
    grouped.flush()
    if events:
        engine.app.save_events(events, within=sql)
    for contract_id, reached_now in reached.items():
        if reached_now != positions.get(ledger_position_name(contract_id), 0):
            engine.app.advance_tracking(sql, ledger_position_name(contract_id),
                                        positions.get(ledger_position_name(contract_id), 0), reached_now)
