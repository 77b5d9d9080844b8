"""Random programme histories through the outcome ledger: ``check(seed)`` builds and checks one.

Each history is a random pathways log (enrolments at random entry points, jobs NHS or not at random hours,
sustainment evidence, ESOL, closures), two contracts with random caps, and random finance commands. For each:
- the invariants hold: caps never exceeded, every payable amount split exactly, no outcome paid twice, claims
  beyond a cap recorded as achieved but not payable, no metric paying beyond its volume cap, no achievement (one
  milestone) claimed under two contracts
  at once (double funding);
- the ledger built from the log delivered in order (a clean rebuild) equals the ledger built from the log
  delivered shuffled, duplicated and partly lost through the real inbox (positions, gap filling from the log),
  with the contracts registered at random moments of it (the late ones catch up from the log); the ledger's
  read models rebuilt from its events equal the live ones.

``python -m tests.unit.reporting.ledger_histories FIRST LAST`` checks seeds FIRST..LAST-1 and prints the failures
as JSON (tests/unit/reporting/test_ledger_properties.py runs 10,000 of them in two processes).
"""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from chassis.delivery import Delivery
from chassis.inbox import Inbox
from reporting.outcomes.domain import LedgerRefused, ParticipantLedger
from reporting.outcomes.engine import apply_pathways_run
from reporting.outcomes.views import LEDGER_VIEWS
from tests.unit.reporting.support import Harness, PathwaysLog, at, terms

START = date(2018, 11, 5)


def evidence_kinds(metric: dict) -> list[str]:
    """Evidence that satisfies the metric: all it requires and the first of each group of alternatives."""
    return [*metric["evidence_required"], *(group[0] for group in metric.get("evidence_one_of") or ())]


def _day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


def random_log(rnd: random.Random) -> PathwaysLog:
    log = PathwaysLog()
    for _ in range(rnd.randint(1, 4)):
        client, day = str(uuid.UUID(int=rnd.getrandbits(128))), rnd.randint(0, 300)
        pathway = log.opened(client, _day(day), entry_point=rnd.choice(("E-A", "E-B", "E-C", "E-D")))
        spells: list[dict] = []
        for _ in range(rnd.randint(0, 6)):
            day += rnd.randint(1, 120)
            choice = rnd.random()
            if choice < 0.15:
                log.milestone(pathway, "esol_level_2_achieved", _day(day))
            elif choice < 0.55 and (not spells or spells[-1]["ended_on"]):
                nhs, hours = rnd.random() < 0.7, rnd.choice((12, 16, 30, 37.5))
                spells.append({"employer": "x", "nhs": nhs, "hours_per_week": hours, "role": "r",
                               "started_on": _day(day), "ended_on": None})
                log.milestone(pathway, "employment_started", _day(day), employer="x", nhs=nhs, hours_per_week=hours,
                              role="r")
            elif choice < 0.7 and spells and not spells[-1]["ended_on"]:
                spells[-1] = {**spells[-1], "ended_on": _day(day)}
                log.milestone(pathway, "employment_ended", _day(day))
            elif choice < 0.95 and spells:
                log.milestone(pathway, rnd.choice(("sustained_13_weeks", "sustained_26_weeks")), _day(day),
                              weeks_counted=0, mode="cumulative", spells=[dict(s) for s in spells])
            else:
                log.milestone(pathway, "pathway_closed", _day(day), reason="completed")
    return log


def contracts(rnd: random.Random) -> list[dict]:
    """The bond, and either the DWP Round 1 card (split 80/20 between two payers, to exercise splitting) or a second
    copy of the bond (a trust's own scheme paying for
    the same NHS job starts: every achievement is then shared, the double-funding case)."""
    bond = terms("use_it_nhs_bond", contract_cap_pence=rnd.choice((100, 450000, 900000, 45000000)),
                 participant_cap_pence=rnd.choice((300000, 750000)))
    bond["metrics"][0]["volume_cap"] = rnd.choice((None, 1, 2, 60))  # payable job starts
    if rnd.random() < 0.3:
        return [bond, terms("use_it_nhs_bond", contract_id="trust-own-scheme",
                            contract_cap_pence=rnd.choice((450000, 45000000)), participant_cap_pence=750000)]
    return [bond, terms("dwp_if_round_1", payer_shares={"dwp": "0.8", "birmingham-city-council": "0.2"},
                        contract_cap_pence=rnd.choice((150000, 340000000)),
                        participant_cap_pence=rnd.choice((200000, 820000)))]


def shuffled_with_duplicates(harness: Harness, log: PathwaysLog, rnd: random.Random, documents: list[dict]) -> None:
    """The log delivered out of order, twice over in part, some of it never, with the contracts registered at
    random moments, through the inbox in runs; then the timers' catch-ups run, as in the service."""
    inbox = Inbox.outside_a_container(harness.app, "reporting")
    deliveries = []
    previous = 0
    for notification_id, body in log.events:
        deliveries.append(Delivery("pathways", notification_id, previous, body))
        previous = notification_id
    deliveries += rnd.sample(deliveries, k=len(deliveries) // 2)  # duplicates
    rnd.shuffle(deliveries)
    # in runs, as the service applies them: compared below with one delivery at a time (Harness.consume)
    run = lambda sql, run_of: apply_pathways_run(harness.engine, sql, run_of)
    arriving = deliveries[: rnd.randint(0, len(deliveries))]  # some arrive, the rest are lost
    registrations: dict[int, list[dict]] = {}
    for document in documents:
        registrations.setdefault(rnd.randint(0, len(arriving)), []).append(document)
    for index in range(len(arriving) + 1):
        for document in registrations.get(index, ()):
            harness.register(document)
        if index < len(arriving):
            inbox.handle(arriving[index], log.page, apply_run=run)
    inbox.catch_up("pathways", log.page, apply_run=run)
    harness.engine.catch_up(log.page, harness.app.position("pathways"))
    LEDGER_VIEWS.catch_up(harness.app)


def commands(harness: Harness, seed: int) -> None:
    """The same random finance decisions on every harness (refusals are part of the history too)."""
    refs = sorted(harness.app.query("SELECT contract_id, participant_ref FROM ledger_participants"))
    choose = random.Random(seed)
    for _ in range(len(refs) * 4):
        if not refs:
            return
        contract_id, ref = choose.choice(refs)
        participant = harness.engine.participant_by_ref(contract_id, ref)
        contract = harness.engine.contract(contract_id)
        metric, occurrence = choose.choice(sorted(participant.outcomes)).split("~")
        day = at(_day(choose.randint(300, 1400)))
        action = choose.choices(("evidence", "claim", "validate", "reject", "pay", "claw_back", "other_funding"),
                                weights=(6, 6, 6, 6, 6, 6, 1))[0]
        n, changed = int(occurrence), [participant]
        try:
            if action == "evidence":
                for kind in evidence_kinds(contract.terms.metric(metric)):
                    participant.add_evidence(metric, n, kind, "src", day.date(), "lw", None,
                                             date.fromisoformat(contract.terms_document["claim_deadline"]), day)
            elif action == "claim":
                changed = harness.engine.claim(participant, contract, metric, n, day)
            elif action == "reject":
                participant.reject(metric, n, "not evidenced", day)
                changed = harness.engine.let_go(participant, metric, n)
            elif action == "claw_back":
                participant.claw_back(metric, n, "sample failed", day)
                changed = harness.engine.let_go(participant, metric, n)
            elif action == "other_funding":
                participant.declare_other_funding(metric, n, "trust budget", None, day)
            else:
                getattr(participant, action)(metric, n, day)
        except LedgerRefused:
            continue
        harness.app.save(*changed)
    diligent_provider(harness, choose)
    LEDGER_VIEWS.catch_up(harness.app)


def diligent_provider(harness: Harness, choose: random.Random) -> None:
    """Some participants' outcomes taken all the way, in achievement order: evidence, claim, validation and
    payment (so prerequisites get paid and the same achievement is claimed under both contracts)."""
    clients = sorted({row[0] for row in harness.app.query("SELECT client_id FROM ledger_participants")})
    chosen = set(choose.sample(clients, k=(len(clients) + 1) // 2))
    refs = [(c, r) for c, r, client in harness.app.query(
        "SELECT contract_id, participant_ref, client_id FROM ledger_participants") if client in chosen]
    for contract_id, ref in choose.sample(sorted(refs), k=len(refs)):
        participant = harness.engine.participant_by_ref(contract_id, ref)
        contract = harness.engine.contract(contract_id)
        deadline = date.fromisoformat(contract.terms_document["claim_deadline"])
        for _key, outcome in sorted(participant.outcomes.items(), key=lambda item: item[1]["achieved_on"]):
            metric, n = outcome["metric"], outcome["occurrence"]
            day = at(_day(choose.randint(300, 1000)))
            try:
                for kind in evidence_kinds(contract.terms.metric(metric)):
                    participant.add_evidence(metric, n, kind, "src", day.date(), "lw", None, deadline, day)
                changed = harness.engine.claim(participant, contract, metric, n, day)
                participant.validate(metric, n, day)
                participant.pay(metric, n, day)
            except LedgerRefused:
                participant = harness.engine.participant_by_ref(contract_id, ref)  # nothing of a refused step
                continue
            harness.app.save(*changed)


def check_invariants(harness: Harness) -> None:
    for contract_id in harness.engine.contract_ids(fresh=True):
        contract = harness.engine.contract(contract_id)
        document = contract.terms_document
        payable = 0
        payable_outcomes: dict[str, int] = {}
        for (ref,) in harness.app.query("SELECT participant_ref FROM ledger_participants WHERE contract_id = %s",
                                        (contract_id,)):
            participant = harness.engine.participant_by_ref(contract_id, ref)
            assert participant.payable_total <= document["participant_cap_pence"], "participant cap exceeded"
            for outcome in participant.outcomes.values():
                assert 0 <= outcome["payable_pence"] <= outcome["price_pence"]
                assert sum(outcome["payer_split"].values()) == outcome["payable_pence"], "split not exact"
                assert (outcome["payable_pence"] < outcome["price_pence"]) == bool(outcome["not_payable_reason"])
                assert outcome["paid_pence"] in (0, outcome["payable_pence"])
                assert outcome["status"] not in ("claimed", "validated", "paid") or outcome["payable_pence"] > 0
                if outcome["payable_pence"]:
                    payable_outcomes[outcome["metric"]] = payable_outcomes.get(outcome["metric"], 0) + 1
            payable += participant.payable_total
            paid = [e for e in harness.app.events.get(participant.id) if isinstance(e, ParticipantLedger.Paid)]
            assert len({(e.metric, e.occurrence) for e in paid}) == len(paid), "an outcome was paid twice"
        assert payable == contract.allocated <= document["contract_cap_pence"], "contract cap exceeded"
        for metric in document["metrics"]:
            assert payable_outcomes.get(metric["code"], 0) <= (metric.get("volume_cap") or 10**9), "volume cap exceeded"
    live: dict[str, set[str]] = {}  # achievement -> contracts with a live claim on it
    for contract_id, ref in harness.app.query("SELECT contract_id, participant_ref FROM ledger_participants"):
        for outcome in harness.engine.participant_by_ref(contract_id, ref).outcomes.values():
            if outcome["status"] in ("claimed", "validated", "paid"):
                live.setdefault(outcome["trigger"], set()).add(contract_id)
    assert all(len(contracts) == 1 for contracts in live.values()), "one achievement paid under two contracts"


def entries(harness: Harness) -> list[tuple]:
    return harness.app.query("SELECT outcome_ref, payer, kind, pence, effective_on FROM ledger_entries"
                             " ORDER BY outcome_ref, kind, payer, effective_on")


def check(seed: int) -> None:
    rnd = random.Random(seed)
    log, documents = random_log(rnd), contracts(rnd)
    clean, reordered = Harness(), Harness()
    try:
        for document in documents:
            clean.register(document)
        clean.consume(log)
        shuffled_with_duplicates(reordered, log, rnd, documents)
        for harness in (clean, reordered):
            commands(harness, seed)
            check_invariants(harness)
        assert reordered.ledger() == clean.ledger(), "the ledger depends on how its messages were delivered"
        live = entries(clean)
        LEDGER_VIEWS.reset(clean.app)
        LEDGER_VIEWS.catch_up(clean.app)
        assert entries(clean) == live == entries(reordered), "the ledger's read models differ after a rebuild"
    finally:
        for harness in (clean, reordered):
            harness.close()


def main(first: int, last: int) -> list[dict]:
    failures = []
    for seed in range(first, last):
        try:
            check(seed)
        except Exception as error:  # noqa: BLE001 - every failure is reported with its seed
            failures.append({"seed": seed, "error": f"{type(error).__name__}: {error}"[:500]})
    return failures


if __name__ == "__main__":
    import json
    import sys
    import warnings

    warnings.simplefilter("ignore")
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
