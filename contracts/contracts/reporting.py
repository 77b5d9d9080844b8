"""Contracts of the reporting service: what its routes answer on success (it publishes no integration events).

Money is in pence (integers); hours and percentages that are not whole are decimal strings. Participants are
pseudonymous (``participant_ref``); no answer here holds personal data. See ``contracts.answers`` for the rules
every answer follows (required fields always present; fields not named may be added).
"""
from __future__ import annotations

from typing import Any

from contracts import fields
from contracts.answers import Answer

PUBLISHED: dict = {}


def _required(field: type[fields.Field] = fields.String, **kwargs: Any) -> fields.Field:
    return field(required=True, **kwargs)


def _maybe(field: type[fields.Field] = fields.String, **kwargs: Any) -> fields.Field:
    return field(required=True, allow_none=True, **kwargs)


def _counts() -> fields.Field:
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


# -- outcomes contracts and the ledger -----------------------------------------------------------------------
class ContractStored(Answer):
    contract_id = _required()
    version = _required(fields.Integer)


class TransactionsStored(Answer):
    contract_id = _required()
    transactions = _required(fields.Integer, metadata={"description": "transactions recorded on the contract"})


class Contract(Answer):
    """The registered terms (the card's own words), its dated prices and what the caps have allocated."""

    contract_id = _required()
    name = _required()
    commissioners = _required(fields.List, cls_or_instance=fields.Dict())
    investors = _required(fields.List, cls_or_instance=fields.Dict())
    provider = _required(fields.Dict)
    signed_on = _required()
    service_start = _required()
    service_end = _required()
    claim_deadline = _required()
    currency = _required()
    metrics = _required(fields.List, cls_or_instance=fields.Dict())
    prices = _required(fields.Raw)
    allocated_pence = _required(fields.Raw)


class ContractParty(Answer):
    organisation = _required()
    name = _maybe(metadata={"description": "null for a payer named only by its share"})
    roles = _required(fields.List, cls_or_instance=fields.String(),
                      metadata={"description": "commissioner, investor, provider, payer"})


class ContractFacts(Answer):
    """A contract's facts, with no money and no participants."""

    contract_id = _required()
    name = _maybe()
    signed_on = _required()
    service_start = _required()
    service_end = _required()
    claim_deadline = _required()
    parties = _required(fields.List, cls_or_instance=fields.Nested(ContractParty))
    metrics = _required(fields.List, cls_or_instance=fields.String(), metadata={"description": "metric codes"})


class ContractList(Answer):
    contracts = _required(fields.List, cls_or_instance=fields.Nested(ContractFacts))


class OutcomeChanged(Answer):
    outcome_ref = _required()
    status = _required()
    payable_pence = _required(fields.Integer)
    version = _required(fields.Integer)


class Period(Answer):
    from_ = _required(data_key="from")
    to = _required()


class StatementRow(Answer):
    metric = _required()
    payer = _required()
    achieved_count = _required(fields.Integer)
    achieved_pence = _required(fields.Integer)
    not_payable_pence = _required(fields.Integer)
    claimed_pence = _required(fields.Integer)
    validated_pence = _required(fields.Integer)
    rejected_pence = _required(fields.Integer)
    paid_pence = _required(fields.Integer)
    clawed_back_pence = _required(fields.Integer)
    due_pence = _required(fields.Integer)


class Statement(Answer):
    """A contract's statement for a period, as known at a time: a row per metric and payer, and totals."""

    contract_id = _required()
    period = _required(fields.Nested, nested=Period)
    as_known_at = _required()
    rows = _required(fields.List, cls_or_instance=fields.Nested(StatementRow))
    totals = _required(fields.Dict, keys=fields.String(), values=fields.Integer())


class StatementChange(Answer):
    outcome_ref = _required()
    participant_ref = _required()
    metric = _required()
    payer = _required()
    kind = _required()
    a_pence = _required(fields.Integer)
    b_pence = _required(fields.Integer)
    change_pence = _required(fields.Integer)


class StatementDiff(Answer):
    """What changed between two statements, claim by claim."""

    contract_id = _required()
    a = _required(fields.Dict)
    b = _required(fields.Dict)
    change_by_kind_pence = _counts()
    changes = _required(fields.List, cls_or_instance=fields.Nested(StatementChange))


class Entry(Answer):
    outcome_ref = _required()
    participant_ref = _required()
    metric = _required()
    payer = _required()
    kind = _required()
    pence = _required(fields.Integer)
    effective_on = _required()
    recorded_at = _required()


class Entries(Answer):
    entries = _required(fields.List, cls_or_instance=fields.Nested(Entry))
    next_after = _maybe(fields.Integer, metadata={"description": "pass as after= for the next page"})


class Outcome(Answer):
    outcome_ref = _required()
    participant_ref = _required()
    external_reference = _maybe()
    metric = _required()
    occurrence = _required(fields.Integer)
    achieved_on = _required()
    price_pence = _required(fields.Integer)
    payable_pence = _required(fields.Integer)
    not_payable_reason = _maybe()
    status = _required()


class Outcomes(Answer):
    contract_id = _required()
    outcomes = _required(fields.List, cls_or_instance=fields.Nested(Outcome))
    next_offset = _maybe(fields.Integer)


class Investment(Answer):
    contract_id = _required()
    as_known_at = _required()
    maximum_potential_outcome_payment_pence = _required(fields.Integer)
    outcome_payments_received_pence = _required(fields.Integer)
    irr_target_percent = _maybe()
    investors = _required(fields.List, cls_or_instance=fields.Dict())
    metrics = _required(fields.List, cls_or_instance=fields.Dict())
    transactions = _required(fields.List, cls_or_instance=fields.Dict())


class FundingOverlaps(Answer):
    shared_achievements = _required(fields.List, cls_or_instance=fields.Dict())
    other_funding = _required(fields.List, cls_or_instance=fields.Dict())


# -- read models and reports --------------------------------------------------------------------------------
class Report(Answer):
    as_of = _required(metadata={"description": "the date the report is as of"})


class Summary(Report):
    referrals_by_partner = _required(fields.List, cls_or_instance=fields.Dict())
    pathways_by_entry_point = _required(fields.List, cls_or_instance=fields.Dict())
    enterprises_by_legal_form = _required(fields.List, cls_or_instance=fields.Dict())
    pathway_funnel = _counts()
    clients_erased = _required(fields.Integer)


class Kpis(Report):
    clients_on_database = _required(fields.Integer)
    clients_offered_placements = _required(fields.Integer)
    clients_started_placements = _required(fields.Integer)
    target = _required(fields.Integer)
    employment_started = _required(fields.Integer)
    nhs_employment_started = _required(fields.Integer)
    definitions = _required(fields.Dict, keys=fields.String(), values=fields.String())


class KpiDefinitions(Answer):
    definitions = _required(fields.Dict, keys=fields.String(), values=fields.String())


class ClientsByStage(Report):
    stages = _counts()
    by_entry_point = _required(fields.Dict)


class OverdueReferrals(Report):
    referrals = _required(fields.List, cls_or_instance=fields.Dict())
    per_partner = _counts()


class AwaitingContactRow(Answer):
    referral_id = _required()
    partner_id = _required()
    received_on = _required()
    first_contact_due = _required()
    overdue = _required(fields.Boolean, metadata={"description": "first contact was due before the day"})


class AwaitingContact(Report):
    """New referrals nobody has contacted yet (received, not contacted, closed or accepted), due date first."""

    referrals = _required(fields.List, cls_or_instance=fields.Nested(AwaitingContactRow))
    per_partner = _counts()


class ReferralsByPartner(Report):
    rows = _required(fields.List, cls_or_instance=fields.Dict())


class EsfParticipants(Report):
    participants = _required(fields.Integer)
    exited = _required(fields.Integer)
    records = _required(fields.List, cls_or_instance=fields.Dict())


class EnterpriseReport(Report):
    organisation = _maybe()
    indicators = _required(fields.Dict)


class AttendanceTrend(Report):
    series = _required()
    events = _required(fields.List, cls_or_instance=fields.Dict())
    slope_per_event = _maybe(fields.Float)
    direction = _required()


class PartnerReferrals(Answer):
    """A referring partner's own referrals (no other partner's, no personal data)."""

    partner_id = _required()
    referrals = _required(fields.List, cls_or_instance=fields.Dict())


class ClientHistory(Answer):
    """Every event of one client across the services, as of a time (the auditor's view)."""

    client_id = _required()
    as_of = _required()
    events = _required(fields.List, cls_or_instance=fields.Dict())
