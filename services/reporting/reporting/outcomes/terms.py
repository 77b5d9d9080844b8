"""Outcomes contracts as dated data: the terms document, its validation, prices in force and payer splits.

A contract (INDIGO-shaped, domain brief sections 1.5 and 5) names its parties, service period and claim
deadline, its outcome metrics (what triggers each, the evidence it needs, its achievement window, how often a
participant may achieve it, the metrics that must be paid first, and for employment the qualifying rules),
prices per metric with effective dates (optionally per entry point at enrolment), a per-participant cap, a
contract cap and payer shares. Amounts are integer pence; shares are decimals that sum to one.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    missing,
    validate,
    validates_schema,
)

from contracts import fields
from contracts.pathway_steps import BASES, COURSE_KINDS, EMPLOYER_KINDS, LEVELS, QUALIFICATION_KINDS
from contracts.reporting_requests import EVIDENCE_TYPES
from contracts.vocabulary import ENTRY_POINTS, REGULATORS, not_in_future

#: What achieves a metric: the pathway milestone it follows (employment metrics add qualifying rules).
#: ``qualification_achieved``: the first qualification at ``qualification_level`` or above (of the kinds and
#: guided learning hours named); ``training_started``: entry to a course of the kinds named;
#: ``employment_started``: a job start that qualifies; ``sustained``: N weeks of qualifying work.
#: ``esol_level_2_achieved`` is the first ESOL Level 2 (kept for contracts written before levels were triggers).
TRIGGERS = ("esol_level_2_achieved", "english_requirement_met", "registered", "placement_completed",
            "employment_started", "sustained", "qualification_achieved", "training_started")
EMPLOYMENT_TRIGGERS = ("employment_started", "sustained")
ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$", error="lower case letters, digits and -")
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_]{0,31}$", error="lower case letters, digits and _")


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class MetricSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    definition = fields.String(required=True, validate=validate.Length(1, 500))
    trigger = fields.String(required=True, validate=validate.OneOf(TRIGGERS))
    evidence_required = fields.List(fields.String(validate=validate.OneOf(EVIDENCE_TYPES)), load_default=list,
                                    metadata={"description": "every one of these is needed before a claim"})
    evidence_one_of = fields.List(
        fields.List(fields.String(validate=validate.OneOf(EVIDENCE_TYPES)), validate=validate.Length(min=1)),
        load_default=list, metadata={"description": "groups of alternatives: at least one of each group is needed "
                                                    "(\"employer letter, payslip or contract\")"})
    achievement_window_months = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 240))
    max_claims_per_participant = fields.Integer(load_default=1, validate=validate.Range(1, 10))
    target_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10_000_000),
                                  metadata={"description": "participants the contract aims to see achieve it (INDIGO"
                                                           " targeted number), reported against what was achieved"})
    volume_cap = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10_000_000),
                                metadata={"description": "at most this many payable outcomes of the metric under the"
                                                         " contract (later ones: achieved, not payable)"})
    prerequisites = fields.List(fields.String(validate=CODE), load_default=list,
                                metadata={"description": "metrics that must be paid before this one is claimed"})
    entry_points = fields.List(fields.String(validate=validate.OneOf(ENTRY_POINTS)), load_default=list)
    regulators = fields.List(fields.String(validate=validate.OneOf(REGULATORS)), load_default=list)
    # qualifications and training
    qualification_level = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LEVELS),
                                        metadata={"description": "qualification_achieved: this level or above"})
    qualification_kinds = fields.List(fields.String(validate=validate.OneOf(QUALIFICATION_KINDS)), load_default=list,
                                      metadata={"description": "the kinds of qualification that count (all if empty)"})
    min_guided_learning_hours = fields.Integer(load_default=None, allow_none=True, strict=True,
                                               validate=validate.Range(1, 5000))
    training_kinds = fields.List(fields.String(validate=validate.OneOf(COURSE_KINDS)), load_default=list,
                                 metadata={"description": "training_started: the kinds of course (all if empty)"})
    # employment: who, how many hours, on what basis, and how the weeks are counted
    employers = fields.List(fields.String(validate=validate.OneOf(EMPLOYER_KINDS)), load_default=list,
                            metadata={"description": "the kinds of employer whose jobs count (any if empty)"})
    nhs_only = fields.Boolean(load_default=False, metadata={"description": "the same as employers: [nhs]"})
    self_employment = fields.Boolean(load_default=False, metadata={"description": "self-employment counts"})
    employed_work = fields.Boolean(load_default=True,
                                   metadata={"description": "jobs with an employer count (false with "
                                                            "self_employment: 'entry to self-employment' only)"})
    interim_care_work = fields.Boolean(load_default=False,
                                       metadata={"description": "interim care work beside the pathway counts"})
    employment_bases = fields.List(fields.String(validate=validate.OneOf(BASES)), load_default=list,
                                   metadata={"description": "the bases that count (any if empty; a job whose basis"
                                                            " was not recorded counts only then)"})
    min_hours_per_week = fields.Float(load_default=0, validate=validate.Range(0, 60),
                                      metadata={"description": "at least this many hours a week"})
    max_hours_per_week = fields.Float(load_default=None, allow_none=True, validate=validate.Range(1, 168),
                                      metadata={"description": "fewer than this many hours a week (a part-time band)"})
    weeks = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 104))
    weeks_mode = fields.String(load_default="cumulative", validate=validate.OneOf(("cumulative", "continuous")))
    weeks_after = fields.String(load_default=None, allow_none=True, validate=CODE,
                                metadata={"description": "count only the weeks after this earlier metric was"
                                                         " achieved (\"13 more continuous weeks after the 13-week"
                                                         " payment\")"})


class PriceSchema(Strict):
    metric = fields.String(required=True, validate=CODE)
    pence = fields.Integer(required=True, validate=validate.Range(0, 10_000_000))
    effective_from = fields.Date(required=True)
    entry_points = fields.List(fields.String(validate=validate.OneOf(ENTRY_POINTS)), load_default=list,
                               metadata={"description": "entry points at enrolment this price is for (all if empty)"})


class PartySchema(Strict):
    organisation = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 200))


class TermsSchema(Strict):
    """POST /outcomes-contracts: one outcomes contract (see reporting/contract_terms/*.json)."""

    contract_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    commissioners = fields.List(fields.Nested(PartySchema), required=True, validate=validate.Length(min=1))
    investors = fields.List(fields.Nested(PartySchema), load_default=list)
    provider = fields.Nested(PartySchema, required=True)
    signed_on = fields.Date(required=True)
    service_start = fields.Date(required=True)
    service_end = fields.Date(required=True)
    claim_deadline = fields.Date(required=True)
    currency = fields.String(load_default="GBP", validate=validate.Equal("GBP"))
    validation_method = fields.String(load_default="Simple ex-post verification")
    participant_cap_pence = fields.Integer(required=True, allow_none=True, strict=True,
                                           validate=validate.Range(1, 100_000_000),
                                           metadata={"description": "null: the card states no cap per person"})
    contract_cap_pence = fields.Integer(required=True, allow_none=True, strict=True,
                                        validate=validate.Range(1, 100_000_000_000),
                                        metadata={"description": "null: the card states no contract maximum"})
    share_external_reference = fields.Boolean(
        load_default=False, metadata={"description": "finance partners see the provider's external reference of each"
                                                     " participant beside the pseudonym"})
    notes = fields.List(fields.String(validate=validate.Length(1, 1000)), load_default=list,
                        metadata={"description": "what the card says that these terms do not express, and why"})
    irr_target_percent = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True,
                                        metadata={"description": "the investors' target internal rate of return,"
                                                                 " in percent (-100 to 100)"})
    payer_shares = fields.Dict(keys=fields.String(validate=ID), values=fields.Decimal(places=4, as_string=True),
                               required=True,
                               validate=validate.Length(min=1))
    metrics = fields.List(fields.Nested(MetricSchema), required=True, validate=validate.Length(min=1))
    prices = fields.List(fields.Nested(PriceSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _consistent(self, data: dict, **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["service_end"] < data["service_start"]:
            errors["service_end"] = ["ends before the service starts"]
        if data["claim_deadline"] <= data["service_end"]:
            errors["claim_deadline"] = ["must be after the service ends"]
        if sum(data["payer_shares"].values(), Decimal(0)) != 1 or min(data["payer_shares"].values()) <= 0:
            errors["payer_shares"] = ["positive shares that sum to 1"]
        codes = [m["code"] for m in data["metrics"]]
        if len(set(codes)) != len(codes):
            errors["metrics"] = ["metric codes must be unique"]
        for index, metric in enumerate(data["metrics"]):
            for problem in metric_errors(metric, codes, codes[:index]):
                errors.setdefault("metrics", []).append(f"{metric['code']}: {problem}")
        irr = data.get("irr_target_percent")
        if irr is not None and not -100 <= irr <= 100:
            errors["irr_target_percent"] = ["a percentage from -100 to 100"]
        errors.update(price_errors(data["prices"], codes))
        if errors:
            raise ValidationError(errors)


def metric_errors(metric: dict, codes: list[str], earlier: list[str]) -> list[str]:
    """What is wrong with one metric's definition (``earlier``: the codes listed before it)."""
    problems = []
    if set(metric["prerequisites"]) - set(codes) or metric["code"] in metric["prerequisites"]:
        problems.append("prerequisites must be other metrics")
    if metric["trigger"] == "sustained" and not metric["weeks"]:
        problems.append("a sustained metric needs weeks")
    if metric["trigger"] == "qualification_achieved" and not metric["qualification_level"]:
        problems.append("a qualification metric needs qualification_level")
    if metric["weeks_after"] is not None:
        if metric["trigger"] != "sustained" or metric["weeks_after"] not in earlier:
            problems.append("weeks_after names an earlier metric, on a sustained metric")
    high = metric["max_hours_per_week"]
    if high is not None and high <= metric["min_hours_per_week"]:
        problems.append("max_hours_per_week must be above min_hours_per_week")
    if metric["trigger"] in EMPLOYMENT_TRIGGERS and not (metric["employed_work"] or metric["self_employment"]
                                                          or metric["interim_care_work"]):
        problems.append("no work counts: employed_work, self_employment or interim_care_work")
    if not metric["employed_work"] and (metric["employers"] or metric["nhs_only"] or metric["employment_bases"]):
        problems.append("employers and bases apply to employed work")
    employment = ("employers", "nhs_only", "self_employment", "interim_care_work", "employment_bases",
                  "max_hours_per_week")
    if metric["trigger"] not in EMPLOYMENT_TRIGGERS and any(metric[name] for name in employment):
        problems.append("employment rules apply to employment_started and sustained metrics")
    return problems


def employers_of(metric: Mapping[str, Any]) -> list[str]:
    """The employer kinds a metric counts (empty: any); ``nhs_only`` is the older way to say [nhs]."""
    return list(metric.get("employers") or (["nhs"] if metric.get("nhs_only") else []))


def price_errors(prices: list[dict], codes: list[str]) -> dict[str, list[str]]:
    unknown = sorted({p["metric"] for p in prices} - set(codes))
    return {"prices": [f"no metric {code}" for code in unknown]} if unknown else {}


#: INDIGO transaction types that move investors' money (outcome payments come from the ledger itself).
INVESTMENTS = ("Debt", "Equity", "Grant", "Debt and Equity")
RETURNS = ("Interest Payment", "Capital Repayment", "Capital Repayment and Interest")


class Transaction(Strict):
    """POST /outcomes-contracts/{contract_id}/transactions: money between an investor and the provider."""

    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)
    transaction_type = fields.String(required=True, validate=validate.OneOf((*INVESTMENTS, *RETURNS, "Other")))
    sender = fields.String(required=True, validate=ID)
    receiver = fields.String(required=True, validate=ID)
    pence = fields.Integer(required=True, validate=validate.Range(1, 100_000_000_000))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100))


class AmendPrices(Strict):
    """POST /outcomes-contracts/{contract_id}/prices: new price versions, in force from a later date."""

    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)
    reason = fields.String(required=True, validate=validate.Length(3, 500))
    prices = fields.List(fields.Nested(PriceSchema), required=True, validate=validate.Length(min=1))


METRIC_DEFAULTS = {name: (f.load_default() if callable(f.load_default) else f.load_default)
                   for name, f in MetricSchema().fields.items() if f.load_default is not missing}


@dataclass(frozen=True)
class Terms:
    """A loaded terms document (``TermsSchema().load``) with the lookups the ledger needs."""

    document: Mapping[str, Any]

    @property
    def contract_id(self) -> str:
        return str(self.document["contract_id"])

    def metric(self, code: str) -> dict[str, Any]:
        return next(m for m in self.metrics if m["code"] == code)

    @property
    def metrics(self) -> list[dict[str, Any]]:
        """The metrics, each with every field (documents registered before a field existed get its default)."""
        return [{**METRIC_DEFAULTS, **m} for m in self.document["metrics"]]

    def cap(self, name: str) -> int | None:
        """``participant_cap_pence`` or ``contract_cap_pence``; None where the card states no cap."""
        value = self.document.get(name)
        return None if value is None else int(value)

    def parties(self) -> set[str]:
        d = self.document
        return {p["organisation"] for p in (*d["commissioners"], *d["investors"],
                                            d["provider"])} | set(d["payer_shares"])

    def price(self, prices: list[dict[str, Any]], metric: str, entry_point: str, on: date) -> dict[str, Any] | None:
        """The price version in force on ``on`` for this metric and entry point at enrolment (a row for the
        entry point beats a row for all; the latest effective_from wins)."""
        rows = [p for p in prices if p["metric"] == metric and _day(p["effective_from"]) <= on
                and (not p["entry_points"] or entry_point in p["entry_points"])]
        if not rows:
            return None
        return max(rows, key=lambda p: (_day(p["effective_from"]), bool(p["entry_points"])))

    def split(self, pence: int) -> dict[str, int]:
        return split(pence, {k: Decimal(str(v)) for k, v in self.document["payer_shares"].items()})


def split(pence: int, shares: Mapping[str, Decimal]) -> dict[str, int]:
    """Pence split by shares, exactly: floors, then the remaining pence to the largest remainders (ties by
    payer id), so the parts always add up to the whole."""
    exact = {payer: Decimal(pence) * share for payer, share in shares.items()}
    parts = {payer: int(value.to_integral_value(ROUND_FLOOR)) for payer, value in exact.items()}
    left = pence - sum(parts.values())
    for payer in sorted(shares, key=lambda p: (-(exact[p] - parts[p]), p))[:left]:
        parts[payer] += 1
    return parts


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
