"""The outcome ledger: achievements by contract rules, caps, prices in force, and the life of a claim."""
from __future__ import annotations

import uuid

import pytest

from reporting.outcomes.domain import LedgerRefused
from reporting.outcomes.terms import split
from tests.unit.reporting.support import KEY, Harness, PathwaysLog, at, terms

BOND, IF = "use-it-nhs-bond", "dwp-if-round-1"


def spell(employer: str, started: str, ended: str | None = None, nhs: bool = True, hours: float = 37.5) -> dict:
    return {"employer": employer, "nhs": nhs, "hours_per_week": hours, "role": "staff nurse", "started_on": started,
            "ended_on": ended}


def job(log: PathwaysLog, pathway: str, day: str, nhs: bool = True, hours: float = 37.5) -> None:
    log.milestone(pathway, "employment_started", day, employer="swbh-trust", nhs=nhs, hours_per_week=hours,
                  role="staff nurse")


def outcomes(harness: Harness, contract: str, client: str) -> dict:
    found = harness.participant(contract, client)
    return {} if found is None else {k: (o["achieved_on"], o["payable_pence"], o["not_payable_reason"])
                                     for k, o in found.outcomes.items()}


def test_an_nhs_job_of_sixteen_hours_or_more_after_enrolment_achieves_the_bonds_job_start():
    harness, log = Harness(), PathwaysLog()
    harness.register(terms("use_it_nhs_bond"))
    clients = {name: str(uuid.uuid4()) for name in ("nhs", "care_home", "part_time", "before")}
    for name, client in clients.items():
        pathway = log.opened(client, "2019-01-07" if name != "before" else "2019-06-03")
        job(log, pathway, "2019-05-01", nhs=name != "care_home", hours=12 if name == "part_time" else 37.5)
    harness.consume(log)
    assert outcomes(harness, BOND, clients["nhs"]) == {"nhs_job_start~1": ("2019-05-01", 450000, None)}
    assert [outcomes(harness, BOND, clients[n]) for n in ("care_home", "part_time", "before")] == [{}, {}, {}]


def test_the_price_depends_on_the_entry_point_at_enrolment_not_the_current_one():
    harness, log = Harness(), PathwaysLog()
    harness.register(terms("use_it_nhs_bond"))
    client = str(uuid.uuid4())
    first = log.opened(client, "2019-01-07", entry_point="E-C", regulator="GMC")
    second = log.opened(client, "2019-09-02", entry_point="E-A", regulator="NMC")  # a change of route later
    log.milestone(first, "pathway_closed", "2019-09-02", reason="route_changed_to_NMC")
    job(log, second, "2020-03-02")
    harness.consume(log)
    assert outcomes(harness, BOND, client) == {"nhs_job_start~1": ("2020-03-02", 360000, None)}


def test_26_nhs_weeks_count_across_employers_from_the_sustainment_evidence():
    harness, log = Harness(), PathwaysLog()
    harness.register(terms("use_it_nhs_bond"))
    client = str(uuid.uuid4())
    pathway = log.opened(client, "2019-01-07")
    job(log, pathway, "2019-02-04")
    spells = [spell("swbh-trust", "2019-02-04", "2019-05-03"),
              spell("care home", "2019-05-06", "2019-06-28", nhs=False),
              spell("uhb", "2019-07-01")]
    log.milestone(pathway, "sustained_26_weeks", "2019-11-29", weeks_counted=26.1, mode="cumulative", spells=spells)
    harness.consume(log)
    found = outcomes(harness, BOND, client)
    # 89 days at SWBH (both ends counted), the other 93 at UHB from 1 July: 26 weeks on its 93rd day
    assert found["nhs_26_weeks~1"] == ("2019-10-01", 300000, None)
    assert harness.participant(BOND, client).payable_total == 750000


def test_a_contract_counting_any_employer_achieves_what_an_nhs_contract_does_not():
    harness, log = Harness(), PathwaysLog()
    for name in ("use_it_nhs_bond", "dwp_if_round_1"):
        harness.register(terms(name))
    client = str(uuid.uuid4())
    pathway = log.opened(client, "2019-01-07", entry_point="E-A")
    log.milestone(pathway, "esol_level_2_achieved", "2019-03-01")
    log.milestone(pathway, "sustained_13_weeks", "2019-09-06", weeks_counted=13.6, mode="cumulative",
                  spells=[spell("care home", "2019-06-03", nhs=False)])
    harness.consume(log)
    assert outcomes(harness, BOND, client) == {}
    assert outcomes(harness, IF, client) == {  # ESOL Level 2 is also the first Level 1 and Level 2 qualification
        "esol_completion~1": ("2019-03-01", 120000, None), "first_level_1~1": ("2019-03-01", 70000, None),
        "first_level_2~1": ("2019-03-01", 220000, None), "job_entry_13_weeks~1": ("2019-09-01", 260000, None)}  # S+90


def test_the_participant_cap_makes_the_last_outcome_partly_payable_and_records_it_all():
    harness, log = Harness(), PathwaysLog()
    harness.register(terms("dwp_if_round_1", participant_cap_pence=400000))
    client = str(uuid.uuid4())
    pathway = log.opened(client, "2019-01-07")
    log.milestone(pathway, "qualification_achieved", "2019-03-01", kind="esol", level="entry_3")
    log.milestone(pathway, "sustained_26_weeks", "2019-12-02", weeks_counted=26, mode="cumulative",
                  spells=[spell("uhb", "2019-06-03")])
    harness.consume(log)
    assert outcomes(harness, IF, client) == {
        "esol_completion~1": ("2019-03-01", 120000, None), "job_entry_13_weeks~1": ("2019-09-01", 260000, None),
        "sustained_26_weeks~1": ("2019-12-01", 20000, "participant_cap")}  # S+90, then 13 continuous weeks more


def test_the_contract_cap_is_applied_in_the_order_achievements_were_reported():
    harness, log = Harness(), PathwaysLog()
    harness.register(terms("use_it_nhs_bond", contract_cap_pence=500000))
    clients = [str(uuid.uuid4()) for _ in range(3)]
    pathways = [log.opened(c, "2019-01-07") for c in clients]
    job(log, pathways[1], "2019-06-03")  # reported first, though it happened after the next one
    job(log, pathways[0], "2019-05-01")
    job(log, pathways[2], "2019-04-01")
    harness.consume(log)
    assert [outcomes(harness, BOND, c)["nhs_job_start~1"][1:] for c in (clients[1], clients[0], clients[2])] == [
        (450000, None), (50000, "contract_cap"), (0, "contract_cap")]
    assert harness.engine.contract(BOND).allocated == 500000


def test_a_contract_registered_late_catches_up_to_the_same_ledger():
    early, late, log = Harness(), Harness(), PathwaysLog()
    early.register(terms("use_it_nhs_bond", contract_cap_pence=500000))
    clients = [str(uuid.uuid4()) for _ in range(3)]
    for client in clients:
        job(log, log.opened(client, "2019-01-07"), "2019-05-01")
    early.consume(log)
    late.consume(log)
    late.register(terms("use_it_nhs_bond", contract_cap_pence=500000))
    late.consume(log)
    assert late.ledger()["allocated"] == early.ledger()["allocated"] == {BOND: 500000}
    assert [outcomes(late, BOND, c) for c in clients] == [outcomes(early, BOND, c) for c in clients]


def test_prices_follow_the_version_in_force_on_the_achievement_date_and_never_change_backwards():
    harness, log = Harness(), PathwaysLog()
    contract = harness.register(terms("use_it_nhs_bond"))
    with pytest.raises(LedgerRefused) as refused:
        contract.amend_prices([{"metric": "nhs_job_start", "pence": 459000, "effective_from": "2019-06-01",
                                "entry_points": []}], "uplift", at("2019-06-01"))
    assert refused.value.details["rule"] == "no_retroactive_repricing"
    contract.amend_prices([{"metric": "nhs_job_start", "pence": 459000, "effective_from": "2019-06-01",
                            "entry_points": ["E-A", "E-B"]}], "2% uplift", at("2019-05-15"))
    harness.app.save(contract)
    before, after = str(uuid.uuid4()), str(uuid.uuid4())
    job(log, log.opened(before, "2019-01-07"), "2019-05-31")
    job(log, log.opened(after, "2019-01-07"), "2019-06-01")
    harness.consume(log)
    assert (outcomes(harness, BOND, before)["nhs_job_start~1"][1],
            outcomes(harness, BOND, after)["nhs_job_start~1"][1]) \
        == (450000, 459000)


def test_a_claim_needs_its_evidence_and_a_paid_prerequisite_and_is_paid_once():
    harness, log = Harness(), PathwaysLog()
    contract = harness.register(terms("use_it_nhs_bond"))
    client = str(uuid.uuid4())
    pathway = log.opened(client, "2019-01-07")
    job(log, pathway, "2019-02-04")
    log.milestone(pathway, "sustained_26_weeks", "2019-08-30", weeks_counted=30, mode="cumulative",
                  spells=[spell("swbh-trust", "2019-02-04")])
    harness.consume(log)
    participant = harness.participant(BOND, client)
    deadline = at("2022-03-31").date()

    def rule(action) -> str:
        with pytest.raises(LedgerRefused) as error:
            action()
        return error.value.details["rule"]

    assert rule(lambda: participant.claim("nhs_job_start", 1, contract.terms, at("2019-09-01"))) == "evidence_required"
    for kind in ("employer_letter", "payslip"):
        participant.add_evidence("nhs_job_start", 1, kind, "swbh-trust", at("2019-08-01").date(), "learning-works",
                                 None, deadline, at("2019-09-01"))
    participant.add_evidence("nhs_26_weeks", 1, "payroll_confirmation", "ESR", at("2019-09-01").date(),
                             "learning-works", None, deadline, at("2019-09-01"))
    assert rule(lambda: participant.claim("nhs_26_weeks", 1, contract.terms, at("2019-09-02"))) == "prerequisite_paid"
    participant.claim("nhs_job_start", 1, contract.terms, at("2019-09-02"))
    assert rule(lambda: participant.pay("nhs_job_start", 1, at("2019-09-03"))) == "outcome_status"
    participant.validate("nhs_job_start", 1, at("2019-09-10"))
    participant.pay("nhs_job_start", 1, at("2019-09-30"))
    assert rule(lambda: participant.pay("nhs_job_start", 1, at("2019-10-01"))) == "outcome_status"
    participant.claim("nhs_26_weeks", 1, contract.terms, at("2019-10-01"))
    participant.claw_back("nhs_job_start", 1, "payslips did not match payroll", at("2020-01-15"))
    assert participant.outcome("nhs_job_start", 1)["status"] == "clawed_back"
    assert rule(lambda: participant.claim("nhs_job_start", 1, contract.terms, at("2020-02-01"))) == "outcome_status"
    harness.app.save(participant)
    assert harness.app.repository.get(participant.id) == participant  # replay reproduces it


def test_nothing_is_claimed_or_evidenced_after_the_claim_deadline_and_capped_outcomes_are_not_claimable():
    harness, log = Harness(), PathwaysLog()
    contract = harness.register(terms("use_it_nhs_bond", contract_cap_pence=1))
    client = str(uuid.uuid4())
    job(log, log.opened(client, "2019-01-07"), "2019-05-01")
    harness.consume(log)
    participant = harness.participant(BOND, client)
    with pytest.raises(LedgerRefused) as late:
        participant.add_evidence("nhs_job_start", 1, "payslip", "swbh", at("2022-04-01").date(), "lw", None,
                                 at("2022-03-31").date(), at("2022-04-01"))
    assert late.value.details["rule"] == "claim_deadline"
    contract = harness.engine.contract(BOND)
    harness2 = Harness()
    harness2.register(terms("use_it_nhs_bond", contract_cap_pence=450000))
    log2 = PathwaysLog()
    for _ in range(2):
        job(log2, log2.opened(str(uuid.uuid4()), "2019-01-07"), "2019-05-01")
    harness2.consume(log2)
    capped = [harness2.engine.participant_by_ref(BOND, ref) for (ref,) in
              harness2.app.query("SELECT participant_ref FROM ledger_participants")]
    unpayable = next(p for p in capped if p.payable_total == 0)
    with pytest.raises(LedgerRefused) as refused:
        unpayable.claim("nhs_job_start", 1, contract.terms, at("2019-09-01"))
    assert refused.value.details["rule"] == "outcome_payable"


@pytest.mark.parametrize("pence,shares,expected", [
    (100001, {"dwp": "0.8", "birmingham-city-council": "0.2"}, {"dwp": 80001, "birmingham-city-council": 20000}),
    (100, {"a": "0.3333", "b": "0.3333", "c": "0.3334"}, {"a": 33, "b": 33, "c": 34}),
    (1, {"a": "0.5", "b": "0.5"}, {"a": 1, "b": 0}),
])
def test_payer_splits_are_exact_to_the_penny(pence, shares, expected):
    from decimal import Decimal

    parts = split(pence, {k: Decimal(v) for k, v in shares.items()})
    assert parts == expected and sum(parts.values()) == pence


def test_reconciliation_recomputes_the_stored_ledger_and_names_every_difference():
    from reporting.outcomes.reconcile import differences, recompute, stored_ledger

    harness, log = Harness(), PathwaysLog()
    contract = harness.register(terms("use_it_nhs_bond", contract_cap_pence=500000))
    contract.amend_prices([{"metric": "nhs_job_start", "pence": 459000, "effective_from": "2019-06-01",
                            "entry_points": []}], "uplift", at("2019-05-15"))
    harness.app.save(contract)
    clients = [str(uuid.uuid4()) for _ in range(3)]
    for client, day in zip(clients, ("2019-05-01", "2019-06-03", "2019-07-01"), strict=True):
        job(log, log.opened(client, "2019-01-07"), day)
    harness.consume(log)
    participant = harness.participant(BOND, clients[0])
    for kind in ("employer_letter", "payslip"):
        participant.add_evidence("nhs_job_start", 1, kind, "swbh", at("2019-05-20").date(), "lw", None,
                                 at("2022-03-31").date(), at("2019-05-21"))
    participant.claim("nhs_job_start", 1, contract.terms, at("2019-05-22"))
    participant.validate("nhs_job_start", 1, at("2019-05-30"))
    participant.pay("nhs_job_start", 1, at("2019-06-30"))
    harness.app.save(participant)
    stored = stored_ledger(harness.app, harness.engine)
    assert differences(stored, recompute(harness.app, log.page, KEY)) == []
    assert stored["allocated"] == {BOND: 500000}
    del log.events[3]  # the upstream log no longer shows the second job start (50,000 under the cap)
    found = differences(stored, recompute(harness.app, log.page, KEY))
    assert len(found) == 2 and all("nhs_job_start~1" in line for line in found)
    assert '"payable_pence": 50000' in found[0] + found[1]  # the third job would have had that room


def _job_start_under_two_contracts(harness: Harness) -> tuple[str, dict, PathwaysLog]:
    """A trust's own scheme paying for the same NHS job starts as the bond: one job start, two outcomes."""
    log = PathwaysLog()
    contracts = {BOND: harness.register(terms("use_it_nhs_bond")),
                 "trust-own-scheme": harness.register(terms("use_it_nhs_bond", contract_id="trust-own-scheme"))}
    client = str(uuid.uuid4())
    job(log, log.opened(client, "2019-01-07"), "2019-05-01")
    harness.consume(log)
    for contract_id in contracts:
        participant = harness.participant(contract_id, client)
        for kind in ("employer_letter", "payslip"):
            participant.add_evidence("nhs_job_start", 1, kind, "swbh", at("2019-05-20").date(), "lw", None,
                                     at("2022-03-31").date(), at("2019-05-21"))
        harness.app.save(participant)
    return client, contracts, log


def test_one_achievement_is_claimed_under_one_contract_at_a_time_and_a_rejection_lets_it_go():
    harness = Harness()
    client, contracts, _ = _job_start_under_two_contracts(harness)
    bond, scheme = (harness.participant(c, client) for c in (BOND, "trust-own-scheme"))
    harness.app.save(*harness.engine.claim(bond, contracts[BOND], "nhs_job_start", 1, at("2019-05-22")))
    with pytest.raises(LedgerRefused) as refused:
        harness.engine.claim(scheme, contracts["trust-own-scheme"], "nhs_job_start", 1, at("2019-05-23"))
    assert refused.value.details["rule"] == "double_funding"
    assert refused.value.details["contracts"] == [BOND]
    bond = harness.participant(BOND, client)
    bond.reject("nhs_job_start", 1, "the trust's own scheme pays for this post", at("2019-05-30"))
    harness.app.save(*harness.engine.let_go(bond, "nhs_job_start", 1))
    scheme = harness.participant("trust-own-scheme", client)
    harness.app.save(*harness.engine.claim(scheme, contracts["trust-own-scheme"], "nhs_job_start", 1,
                                           at("2019-06-01")))
    assert harness.participant("trust-own-scheme", client).outcome("nhs_job_start", 1)["status"] == "claimed"


def test_a_claim_is_refused_once_another_fund_is_declared_and_reconciliation_replays_both_rules():
    from reporting.outcomes.reconcile import differences, recompute, stored_ledger
    from reporting.outcomes.statements import funding_overlaps
    from reporting.outcomes.views import LEDGER_VIEWS

    harness = Harness()
    client, contracts, log = _job_start_under_two_contracts(harness)
    scheme = harness.participant("trust-own-scheme", client)
    scheme.declare_other_funding("nhs_job_start", 1, "RTOF", "rtof-2019-118", at("2019-05-21"))
    harness.app.save(scheme)
    with pytest.raises(LedgerRefused) as refused:
        harness.engine.claim(scheme, contracts["trust-own-scheme"], "nhs_job_start", 1, at("2019-05-22"))
    assert refused.value.details["rule"] == "double_funding"
    bond = harness.participant(BOND, client)
    harness.app.save(*harness.engine.claim(bond, contracts[BOND], "nhs_job_start", 1, at("2019-05-22")))
    LEDGER_VIEWS.catch_up(harness.app)
    overlaps = funding_overlaps(harness.app)
    assert [(g["claimed_under"], len(g["outcomes"])) for g in overlaps["shared_achievements"]] == [([BOND], 2)]
    assert [(o["fund"], o["status"], o["needs_action"]) for o in overlaps["other_funding"]] == \
        [("RTOF", "achieved", False)]
    stored = stored_ledger(harness.app, harness.engine)
    assert differences(stored, recompute(harness.app, log.page, KEY)) == []


def test_a_volume_cap_leaves_later_outcomes_of_its_metric_achieved_but_not_payable():
    from reporting.outcomes.reconcile import differences, recompute, stored_ledger

    harness, log = Harness(), PathwaysLog()
    document = terms("use_it_nhs_bond")
    document["metrics"][0]["volume_cap"] = 2
    harness.register(document)
    clients = [str(uuid.uuid4()) for _ in range(3)]
    for client, day in zip(clients, ("2019-05-01", "2019-05-02", "2019-05-03"), strict=True):
        job(log, log.opened(client, "2019-01-07"), day)
    harness.consume(log)
    assert [outcomes(harness, BOND, c)["nhs_job_start~1"] for c in clients] == [
        ("2019-05-01", 450000, None), ("2019-05-02", 450000, None), ("2019-05-03", 0, "volume_cap")]
    assert harness.engine.contract(BOND).allocated == 900000
    assert differences(stored_ledger(harness.app, harness.engine), recompute(harness.app, log.page, KEY)) == []


def test_a_run_sees_its_own_changes_and_no_one_else_does_until_it_commits():
    """A run of pathways events (the inbox's) keeps the aggregates it changed for its later events; the
    service's engine, which HTTP commands use meanwhile, sees only what is committed; a run rolled back leaves
    nothing."""
    from chassis.delivery import Delivery
    from reporting.outcomes.engine import apply_pathways_run

    harness, log = Harness(), PathwaysLog()
    harness.register(terms("use_it_nhs_bond"))
    client = str(uuid.uuid4())
    pathway = log.opened(client, "2019-01-07")
    job(log, pathway, "2019-05-01")
    deliveries = [Delivery("pathways", n, 0, body) for n, body in log.events]
    seen_meanwhile = []

    class Refused(Exception):
        pass

    with pytest.raises(Refused), harness.app.sql() as sql:
        apply_pathways_run(harness.engine, sql, deliveries)  # the job start is achieved inside the run
        seen_meanwhile.append(harness.participant(BOND, client))
        raise Refused  # and the run rolls back
    assert seen_meanwhile == [None] and harness.participant(BOND, client) is None
    assert harness.app.position("ledger:" + BOND) == 0
    with harness.app.sql() as sql:
        apply_pathways_run(harness.engine, sql, deliveries)
    assert outcomes(harness, BOND, client) == {"nhs_job_start~1": ("2019-05-01", 450000, None)}
    assert harness.app.position("ledger:" + BOND) == deliveries[-1].notification_id
