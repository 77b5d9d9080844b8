"""Random programme histories through the real pathways and the ledger engine, beside the reference.

``compare(seed)`` generates one history: a few participants, each enrolled at a random entry point on a random
route, whose steps are taken by the real ``Pathway`` aggregate (refused steps drop out, as they would over HTTP).
The messy cases are all there: part-time and full-time jobs, NHS, private hospitals, social care and self-
employment, bank and fixed-term work, changes of employer with and without gaps, work that began before
enrolment, confirmations posted late with earlier dates, retaken ESOL results, qualifications at every level
with and without guided hours, training, interim care work beside the main job, and changes of route. The
published milestones are consumed by the ledger engine (``tests.unit.reporting.support.Harness``) under one
random contract: a shipped card with random caps, service dates, windows and employment rules. The same history,
written as the reference's steps, goes to ``tests.reference.outcome_rules.claims``. The two must agree outcome
by outcome (achievement and evidence dates, price, payable amount) and on what a diligent provider is paid.

``python -m tests.unit.reporting.reference_histories FIRST LAST`` compares seeds FIRST..LAST-1 and prints the
differences as JSON.
"""
from __future__ import annotations

import copy
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chassis.errors import RuleBroken
from pathways.domain.pathway import Pathway
from pathways.translation import to_contract
from reporting.outcomes.domain import LedgerRefused
from reporting.outcomes.terms import TermsSchema
from tests.reference.outcome_rules import claims
from tests.unit.reporting.support import Harness, PathwaysLog, terms

CARDS = ("use_it_nhs_bond", "dwp_if_round_1", "dwp_if_round_2", "fair_chance_fund")
KINDS = ("nhs", "independent_healthcare", "social_care", "other_public", "private", "voluntary")
BASES = (None, "permanent", "fixed_term", "bank", "agency")
HOURS = (8, 12, 15.5, 16, 20, 30, 37.5)
LEVELS = ("pre_entry", "entry_1", "entry_2", "entry_3", "level_1", "level_2", "level_3")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def random_card(rnd: random.Random) -> dict[str, Any]:
    """A shipped card with random caps, dates, windows and employment rules (always a valid terms document)."""
    document = terms(rnd.choice(CARDS))
    start = date(2016, 6, 1) + timedelta(days=rnd.randint(0, 700))
    document.update(service_start=start.isoformat(), signed_on=start.isoformat(),
                    service_end=(start + timedelta(days=rnd.randint(700, 1500))).isoformat())
    document["claim_deadline"] = (date.fromisoformat(document["service_end"]) + timedelta(days=180)).isoformat()
    document["participant_cap_pence"] = rnd.choice((None, 300000, 750000, 1170000))
    document["contract_cap_pence"] = rnd.choice((None, 500000, 2000000, 100000000))
    for price in document["prices"]:
        price["effective_from"] = "2016-01-01"
    for metric in document["metrics"]:
        if rnd.random() < 0.2:
            metric["achievement_window_months"] = rnd.choice((6, 12, 24))
        if rnd.random() < 0.15:
            metric["volume_cap"] = rnd.choice((1, 2))
        if metric["trigger"] in ("employment_started", "sustained") and rnd.random() < 0.5:
            metric["employers"] = rnd.sample(KINDS, k=rnd.randint(0, 3))
            metric["nhs_only"] = False
            metric["self_employment"] = rnd.random() < 0.5
            metric["interim_care_work"] = rnd.random() < 0.5
            metric["employment_bases"] = rnd.sample(BASES[1:], k=rnd.randint(0, 2))
            if metric["self_employment"] and rnd.random() < 0.2:  # 'entry to self-employment' only
                metric.update(employed_work=False, employers=[], employment_bases=[])
            metric["min_hours_per_week"] = rnd.choice((0, 8, 16))
            metric["max_hours_per_week"] = rnd.choice((None, None, 16, 30)) if metric["min_hours_per_week"] < 16 \
                else None
            if metric["trigger"] == "sustained" and not metric.get("weeks_after"):
                metric["weeks_mode"] = rnd.choice(("cumulative", "continuous"))
    return TermsSchema().dump(TermsSchema().load(document))


class _Recorder:
    """Takes steps on the real aggregates and writes down, for the reference, the ones that were accepted."""

    def __init__(self) -> None:
        self.log, self.steps = PathwaysLog(), []

    def take(self, pathway: Pathway, action: Any, reference: dict | None) -> Any:
        before = copy.deepcopy(pathway)
        try:
            result = action()
        except RuleBroken:
            return before  # refused: nothing happened (the domain raises before it changes anything)
        for aggregate in (pathway, *([result] if isinstance(result, Pathway) else [])):
            for event in aggregate.collect_events():
                body = to_contract(event)
                if body is not None:
                    self.log._append(body)
        if reference is not None:
            self.steps.append(reference)
        return result if isinstance(result, Pathway) else pathway


def random_history(rnd: random.Random) -> tuple[PathwaysLog, list[dict], list[str]]:
    recorder, clients = _Recorder(), []
    for _ in range(rnd.randint(1, 3)):
        client = uuid.UUID(int=rnd.getrandbits(128))
        who, regulator = str(client), rnd.choice(("GMC", "NMC", "HCPC", "GPhC"))
        day = date(2017, 1, 2) + timedelta(days=rnd.randint(0, 500))
        entry_point = rnd.choice(("E-A", "E-B", "E-C", "E-D"))
        pathway = Pathway(client_id=client, regulator=regulator, entry_point=entry_point, occurred_at=_at(day))
        for event in pathway.collect_events():
            recorder.log._append(to_contract(event))
        recorder.steps.append({"type": "enrolled", "participant": who, "on": day, "entry_point": entry_point,
                               "regulator": regulator})
        clients.append(who)
        pathway = recorder.take(pathway, lambda p=pathway, d=day: p.record_right_to_work_check(None, _at(d)), None)
        for _ in range(rnd.randint(2, 14)):
            day += timedelta(days=rnd.choice((0, 1, 1, 7, 30, 60, 91, 120, 182)))
            when = day - timedelta(days=rnd.randint(1, 60)) if rnd.random() < 0.15 else day  # posted late
            pathway = _random_step(rnd, recorder, pathway, who, when)
    return recorder.log, recorder.steps, clients


def _random_step(rnd: random.Random, recorder: _Recorder, pathway: Pathway, who: str, day: date) -> Pathway:
    at, choice = _at(day), rnd.random()
    base = {"participant": who, "on": day}
    if choice < 0.25:
        kind = rnd.choice((*KINDS, "self"))
        self_employed = kind == "self"
        kind_of = None if self_employed else kind
        hours, basis = rnd.choice(HOURS), rnd.choice(BASES)
        if rnd.random() < 0.08:  # work that began before enrolment, reported now
            day, at = day - timedelta(days=400), _at(day - timedelta(days=400))
            base["on"] = day
        return recorder.take(pathway, lambda: pathway.start_employment(
            "employer", kind_of == "nhs", hours, "role", at, employer_kind=kind_of, basis=basis,
            self_employed=self_employed), {**base, "type": "job_started", "employer_kind": kind_of, "basis": basis,
                                           "self_employed": self_employed, "hours": hours})
    if choice < 0.4:
        return recorder.take(pathway, lambda: pathway.end_employment(at), {**base, "type": "job_ended"})
    if choice < 0.52:
        return recorder.take(pathway, lambda: pathway.confirm_employment("main", "payslip", at),
                             {**base, "type": "in_work"})
    if choice < 0.58:
        weeks = rnd.choice((13, 26))
        return recorder.take(pathway, lambda: pathway.confirm_sustainment(weeks, at),
                             {**base, "type": "weeks_confirmed"})
    if choice < 0.65:
        hours = rnd.choice(HOURS)
        return recorder.take(pathway, lambda: pathway.start_interim_job("care home", hours, at),
                             {**base, "type": "interim_started", "hours": hours})
    if choice < 0.7:
        return recorder.take(pathway, lambda: pathway.end_interim_job(at), {**base, "type": "interim_ended"})
    if choice < 0.8:
        level, passed = rnd.choice(LEVELS[:6]), rnd.random() < 0.7
        glh = rnd.choice((None, 30, 60, 150, 400))
        components = {"reading": passed, "writing": True, "speaking_listening": True}
        return recorder.take(pathway, lambda: pathway.record_esol_result(level, components, at, glh),
                             {**base, "type": "qualification", "kind": "esol", "level": level, "glh": glh}
                             if passed else None)
    if choice < 0.88:
        kind, level = rnd.choice(("basic_skills", "functional_skills", "vocational", "academic")), rnd.choice(LEVELS)
        glh = rnd.choice((None, 45, 120, 325, 500))
        return recorder.take(pathway, lambda: pathway.record_qualification(kind, level, at, glh),
                             {**base, "type": "qualification", "kind": kind, "level": level, "glh": glh})
    if choice < 0.95:
        kind, ref = rnd.choice(("esol", "ielts_preparation", "vocational")), f"c{rnd.getrandbits(32)}"
        return recorder.take(pathway, lambda: pathway.start_course(ref, kind, at),
                             {**base, "type": "training_started", "kind": kind})
    regulator = rnd.choice([r for r in ("GMC", "NMC", "HCPC", "GPhC") if r != pathway.regulator])
    return recorder.take(pathway, lambda: pathway.change_route(regulator, at),
                         {**base, "type": "route_changed", "regulator": regulator})


def engine_view(harness: Harness, contract_id: str, clients: list[str]) -> dict[str, Any]:
    """The engine's outcomes and what a diligent provider is paid, in the reference's shape."""
    outcomes, paid = {}, set()
    document = harness.engine.contract(contract_id).terms_document
    order = {m["code"]: i for i, m in enumerate(document["metrics"])}
    deadline = date.fromisoformat(document["claim_deadline"])
    for client in clients:
        participant = harness.participant(contract_id, client)
        if participant is None:
            continue
        for outcome in participant.outcomes.values():
            outcomes[(client, outcome["metric"], outcome["occurrence"])] = (
                outcome["achieved_on"], outcome["evidenced_on"], outcome["price_pence"], outcome["payable_pence"])
        for outcome in sorted(participant.outcomes.values(),
                              key=lambda o: (o["achieved_on"], order[o["metric"]], o["occurrence"])):
            metric, n = outcome["metric"], outcome["occurrence"]
            day = _at(min(date.fromisoformat(outcome["evidenced_on"]), deadline))
            try:
                definition = next(m for m in document["metrics"] if m["code"] == metric)
                for kind in [*definition["evidence_required"], *(g[0] for g in definition.get("evidence_one_of", []))]:
                    participant.add_evidence(metric, n, kind, "src", day.date(), "lw", None, deadline, day)
                participant.claim(metric, n, harness.engine.contract(contract_id).terms, day)
                participant.validate(metric, n, day)
                participant.pay(metric, n, day)
            except LedgerRefused:
                participant = harness.participant(contract_id, client)  # a refused step leaves nothing
                continue
            harness.app.save(participant)
            paid.add((client, metric, n))
    return {"outcomes": outcomes, "paid": paid}


def reference_view(steps: list[dict], card: dict) -> dict[str, Any]:
    found = claims(steps, card)
    return {"outcomes": {(o["participant"], o["metric"], o["occurrence"]): (
        o["achieved_on"].isoformat(), o["evidenced_on"].isoformat(), o["price"], o["payable"])
        for o in found["outcomes"]}, "paid": found["paid"]}


def compare(seed: int) -> dict[str, Any] | None:
    """None when the engine and the reference agree on this history; else what differs."""
    rnd = random.Random(seed)
    card = random_card(rnd)
    log, steps, clients = random_history(rnd)
    harness = Harness()
    try:
        harness.register(card)
        harness.consume(log)
        engine, reference = engine_view(harness, card["contract_id"], clients), reference_view(steps, card)
    finally:
        harness.close()
    if engine == reference:
        return None
    keys = sorted(set(engine["outcomes"]) | set(reference["outcomes"]))
    return {"seed": seed, "contract": card["contract_id"],
            "outcomes": [{"outcome": list(k), "engine": engine["outcomes"].get(k),
                          "reference": reference["outcomes"].get(k)}
                         for k in keys if engine["outcomes"].get(k) != reference["outcomes"].get(k)][:5],
            "paid_only_by_engine": sorted(map(list, engine["paid"] - reference["paid"]))[:5],
            "paid_only_by_reference": sorted(map(list, reference["paid"] - engine["paid"]))[:5]}


def main(first: int, last: int) -> list[dict]:
    differences = []
    for seed in range(first, last):
        try:
            found = compare(seed)
        except Exception as error:  # noqa: BLE001 - every failure is reported with its seed
            found = {"seed": seed, "error": f"{type(error).__name__}: {error}"[:500]}
        if found is not None:
            differences.append(found)
    return differences


if __name__ == "__main__":
    import json
    import sys
    import warnings

    warnings.simplefilter("ignore")
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2])), default=str))
