"""Worked examples from each shipped card's own words, through the real pathway aggregate and the ledger engine.

Each example is a person's steps as a hub records them (``Person``: the real ``Pathway``, its integration
events appended to a pathways log) and the outcomes the card's rows give, with the day each was achieved and
evidenced, its price and what is payable. The same cards over HTTP: tests/e2e/test_rate_cards.py.
"""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from marshmallow import ValidationError

from pathways.domain.pathway import Pathway
from pathways.translation import to_contract
from reporting.outcomes.domain import LedgerRefused
from reporting.outcomes.terms import TermsSchema
from tests.unit.reporting.support import Harness, PathwaysLog, at, terms

PASS = {"reading": True, "writing": True, "speaking_listening": True}


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


def plus(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


class Person:
    """One client's pathway, taken step by step on the real aggregate (a refused step raises)."""

    def __init__(self, log: PathwaysLog, enrolled: str, regulator: str = "GMC", entry_point: str = "E-B") -> None:
        self.client, self.log = uuid.uuid4(), log
        self.pathway = Pathway(client_id=self.client, regulator=regulator, entry_point=entry_point,
                               occurred_at=_at(enrolled))
        self._publish()
        self.do("record_right_to_work_check", None, _at(enrolled))

    def _publish(self) -> None:
        for event in self.pathway.collect_events():
            body = to_contract(event)
            if body is not None:
                self.log._append(body)

    def do(self, action: str, *args: Any, **kwargs: Any) -> Person:
        getattr(self.pathway, action)(*args, **kwargs)
        self._publish()
        return self

    def job(self, day: str, hours: float, kind: str | None = "private", self_employed: bool = False,
            basis: str | None = None) -> Person:
        return self.do("start_employment", "an employer", kind == "nhs", hours, "a role", _at(day),
                       employer_kind=kind, basis=basis, self_employed=self_employed)

    def end(self, day: str) -> Person:
        return self.do("end_employment", _at(day))

    def payslip(self, day: str) -> Person:
        return self.do("confirm_employment", "main", "payslip", _at(day))

    def qualification(self, day: str, kind: str, level: str, hours: int | None = None) -> Person:
        return self.do("record_qualification", kind, level, _at(day), hours)

    def esol(self, day: str, level: str, components: dict = PASS, hours: int | None = None) -> Person:
        return self.do("record_esol_result", level, components, _at(day), hours)


def ledger(cards: tuple[str, ...], *people: Person) -> tuple[Harness, dict]:
    harness = Harness()
    for card in cards:
        harness.register(terms(card))
    harness.consume(people[0].log)
    found = {}
    for card in cards:
        contract_id = terms(card)["contract_id"]
        for person in people:
            participant = harness.participant(contract_id, str(person.client))
            found[(contract_id, person.client)] = [] if participant is None else sorted(
                ((o["metric"], o["achieved_on"], o["evidenced_on"], o["price_pence"], o["payable_pence"])
                 for o in participant.outcomes.values()), key=lambda r: (r[1], r[0]))
    return harness, found


# -- DWP Innovation Fund, round 1 ------------------------------------------------------------------------------
def test_round_1_esol_completed_with_a_pass_a_first_job_of_16_hours_for_13_weeks_and_26_in_total():
    """'ESOL course completed with at least a pass' £1,200; 'entry to first job, 16+ hrs/week, lasting 13 continuous
    or cumulative weeks; self-employment counts' £2,600; 'sustained job, 26 weeks in total, claimable only after
    the 13-week job payment plus 13 more continuous weeks' £1,000."""
    log = PathwaysLog()
    person = Person(log, "2019-01-07", entry_point="E-A")
    person.esol("2019-02-01", "entry_2", {"reading": False, "writing": True, "speaking_listening": True})  # not a pass
    person.esol("2019-03-01", "entry_2")
    person.job("2019-04-01", 16, self_employed=True, kind=None).end("2019-05-12")      # 42 days
    person.job("2019-06-03", 20).payslip("2019-07-21")                                 # + 49 days = 91
    person.payslip("2019-10-20")                                                       # 91 more, no gap
    _, found = ledger(("dwp_if_round_1",), person)
    assert found[("dwp-if-round-1", person.client)] == [
        ("esol_completion", "2019-03-01", "2019-03-01", 120000, 120000),
        ("job_entry_13_weeks", "2019-07-21", "2019-07-21", 260000, 260000),
        ("sustained_26_weeks", "2019-10-20", "2019-10-20", 100000, 100000)]


def test_round_1_the_13_more_weeks_must_be_continuous_a_gap_starts_them_again():
    log = PathwaysLog()
    person = Person(log, "2019-01-07")
    person.job("2019-02-04", 37.5).payslip(plus("2019-02-04", 90))                     # 13 weeks on S+90
    person.end(plus("2019-02-04", 120))                                                # 30 more days
    person.job(plus("2019-02-04", 128), 37.5).payslip(plus("2019-02-04", 128 + 90))   # a week's gap, then 91
    _, found = ledger(("dwp_if_round_1",), person)
    assert [r[:2] for r in found[("dwp-if-round-1", person.client)]] == [
        ("job_entry_13_weeks", plus("2019-02-04", 90)), ("sustained_26_weeks", plus("2019-02-04", 128 + 90))]


def test_round_1_a_job_under_16_hours_is_not_a_job_entry_and_the_per_person_cap_is_8200():
    log = PathwaysLog()
    part_time, capped = Person(log, "2019-01-07"), Person(log, "2019-01-07")
    part_time.job("2019-02-04", 15.5).payslip("2019-06-03")
    capped.esol("2019-02-01", "pre_entry").qualification("2019-03-01", "academic",
                                                         "level_3")  # 1,200 + 700 + 2,200 + 3,300
    capped.job("2019-04-01", 30).payslip("2019-07-01")                                        # + 2,600 > 8,200
    _, found = ledger(("dwp_if_round_1",), part_time, capped)
    assert found[("dwp-if-round-1", part_time.client)] == []
    rows = found[("dwp-if-round-1", capped.client)]
    assert [(r[0], r[4]) for r in rows] == [("esol_completion", 120000), ("first_level_1", 70000),
                                            ("first_level_2", 220000), ("first_level_3", 330000),
                                            ("job_entry_13_weeks", 80000)]
    assert sum(r[4] for r in rows) == 820000


# -- DWP Innovation Fund, round 2 ------------------------------------------------------------------------------
def test_round_2_first_at_a_level_or_above_and_basic_skills_are_literacy_and_numeracy():
    """'Entry-level QCF qualification / basic skills' £900 / £900; 'first NQF Level 1 / 2 / 3' £1,100 / £3,300 /
    £5,100: a Level 2 first achieves Level 1 too; a later Level 1 achieves nothing more."""
    log = PathwaysLog()
    person = Person(log, "2019-01-07")
    person.qualification("2019-02-01", "vocational", "level_2")
    person.qualification("2019-03-01", "functional_skills", "level_1")
    _, found = ledger(("dwp_if_round_2",), person)
    assert found[("dwp-if-round-2", person.client)] == [
        ("entry_level_qualification", "2019-02-01", "2019-02-01", 90000, 90000),
        ("first_level_1", "2019-02-01", "2019-02-01", 110000, 110000),
        ("first_level_2", "2019-02-01", "2019-02-01", 330000, 330000),
        ("basic_skills", "2019-03-01", "2019-03-01", 90000, 90000)]


def test_round_2_a_job_that_began_before_enrolment_is_deadweight_and_evidence_posted_late_keeps_both_dates():
    log = PathwaysLog()
    before, late = Person(log, "2019-01-07"), Person(log, "2019-01-07")
    before.job("2018-11-05", 37.5).payslip("2019-06-03")
    late.job("2019-02-04", 37.5).payslip("2019-07-01")                 # the evidence came 56 days after S+90
    _, found = ledger(("dwp_if_round_2",), before, late)
    assert found[("dwp-if-round-2", before.client)] == []
    assert found[("dwp-if-round-2", late.client)] == [
        ("job_entry_13_weeks", "2019-05-05", "2019-07-01", 350000, 350000)]


# -- Fair Chance Fund ------------------------------------------------------------------------------------------
def test_fair_chance_fund_guided_learning_hours_and_the_part_time_and_full_time_bands():
    """'First Entry-level qualification (>=45 guided learning hours) / Level 1 (>=120) / Level 2 (>=325)';
    '13 / 26 weeks part-time (8-16 hrs/week)' £3,000 / £2,000; '13 / 26 weeks full-time (>=16)' £4,500 / £3,500."""
    log = PathwaysLog()
    short, enough, part, full, too_few = (Person(log, "2019-01-07") for _ in range(5))
    short.esol("2019-02-01", "entry_3", hours=44)
    enough.esol("2019-02-01", "entry_3", hours=45).qualification("2019-03-01", "vocational", "level_2", 324)
    part.job("2019-02-04", 8).payslip(plus("2019-02-04", 181))
    full.job("2019-02-04", 16).payslip(plus("2019-02-04", 90))
    too_few.job("2019-02-04", 7.5).payslip(plus("2019-02-04", 181))
    _, found = ledger(("fair_chance_fund",), short, enough, part, full, too_few)
    fcf = "fair-chance-fund"
    assert found[(fcf, short.client)] == []
    # a Level 2 of 324 hours is not the Level 2 row (325), but it is a first Level 1 or above of 120+ hours
    assert [r[0] for r in found[(fcf, enough.client)]] == ["first_entry_level_qualification", "first_level_1"]
    assert [(r[0], r[1]) for r in found[(fcf, part.client)]] == [
        ("job_entry", "2019-02-04"), ("part_time_13_weeks", plus("2019-02-04", 90)),
        ("part_time_26_weeks", plus("2019-02-04", 181))]
    assert [(r[0], r[3]) for r in found[(fcf, full.client)]] == [("job_entry", 50000), ("full_time_13_weeks", 450000)]
    assert found[(fcf, too_few.client)] == []


def test_fair_chance_fund_evidence_is_any_one_of_the_documents_the_card_names():
    """'Job entry: employer letter, payslip or contract': any one of them makes the outcome claimable."""
    log = PathwaysLog()
    person = Person(log, "2019-01-07")
    person.job("2019-02-04", 20)
    harness, _ = ledger(("fair_chance_fund",), person)
    contract = harness.engine.contract("fair-chance-fund")
    participant = harness.participant("fair-chance-fund", str(person.client))
    with pytest.raises(LedgerRefused) as refused:
        participant.claim("job_entry", 1, contract.terms, at("2019-02-20"))
    assert refused.value.details["rule"] == "evidence_required" and "one of employer_letter" in str(refused.value)
    participant.add_evidence("job_entry", 1, "contract_of_employment", "the employer", date(2019, 2, 10),
                             "learning-works", None, date(2022, 6, 30), at("2019-02-20"))
    participant.claim("job_entry", 1, contract.terms, at("2019-02-21"))
    assert participant.outcome("job_entry", 1)["status"] == "claimed"


# -- the journal's bond ----------------------------------------------------------------------------------------
def test_the_bond_counts_nhs_work_of_16_hours_after_enrolment_and_26_weeks_across_nhs_employers():
    """The NHS pays per person who starts NHS work (16+ hours) after enrolment, and after 26 weeks in total in NHS
    work at 16+ hours, across NHS employers; a private hospital's job counts for neither."""
    log = PathwaysLog()
    person = Person(log, "2019-01-07", entry_point="E-C")
    person.job("2019-02-04", 37.5, kind="independent_healthcare").end("2019-03-29")
    person.job("2019-04-01", 37.5, kind="nhs").end("2019-06-30")                       # 91 days
    person.job("2019-07-15", 30, kind="nhs", basis="bank").payslip(plus("2019-07-15", 90))  # 91 more
    _, found = ledger(("use_it_nhs_bond",), person)
    assert found[("use-it-nhs-bond", person.client)] == [
        ("nhs_job_start", "2019-04-01", "2019-04-01", 360000, 360000),
        ("nhs_26_weeks", plus("2019-07-15", 90), plus("2019-07-15", 90), 240000, 240000)]


def test_entry_to_self_employment_counts_only_self_employment():
    """RTOF's 'entry to self-employment' beside its 'job entry': a metric for the self-employed alone."""
    document = terms("dwp_if_round_2")
    document.update(contract_id="self-employment-rows", metrics=[
        {"code": "job_entry", "trigger": "employment_started", "definition": "Job entry"},
        {"code": "self_employment_entry", "trigger": "employment_started", "self_employment": True,
         "employed_work": False, "definition": "Entry to self-employment"}],
        prices=[{"metric": "job_entry", "pence": 10000, "effective_from": "2017-01-01"},
                {"metric": "self_employment_entry", "pence": 20000, "effective_from": "2017-01-01"}])
    harness, log = Harness(), PathwaysLog()
    harness.register(TermsSchema().dump(TermsSchema().load(document)))
    employed, own_business = Person(log, "2019-01-07"), Person(log, "2019-01-07")
    employed.job("2019-02-04", 37.5)
    own_business.job("2019-02-04", 30, kind=None, self_employed=True)
    harness.consume(log)
    metrics = {who: sorted(o["metric"] for o in harness.participant("self-employment-rows", str(who.client))
                           .outcomes.values()) for who in (employed, own_business)}
    assert metrics == {employed: ["job_entry"], own_business: ["self_employment_entry"]}
    with pytest.raises(ValidationError):  # a metric no work can meet is refused
        TermsSchema().load({**document, "metrics": [{"code": "nothing", "trigger": "employment_started",
                                                     "employed_work": False, "definition": "x"}],
                            "prices": []})
