"""What reporting's routes take: the ledger's command bodies and the queries of statements and reports.

(Its answers are in ``contracts.reporting``; the outcomes contract document itself, ``POST /outcomes-contracts``,
is ``reporting.outcomes.terms.TermsSchema``, which reads the card's own language.)
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, validate

from contracts import enterprise_commands as en
from contracts import fields
from contracts.vocabulary import not_in_future

#: Kinds of evidence an outcome may need (a card names which: evidence_required, evidence_one_of).
EVIDENCE_TYPES = ("certificate", "test_report", "register_entry", "employer_letter", "contract_of_employment",
                  "payslip", "payroll_confirmation", "self_certification", "provider_letter", "invoice")


# -- the ledger ------------------------------------------------------------------------------------------------
class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class Step(Strict):
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)


class Evidence(Step):
    type = fields.String(required=True, validate=validate.OneOf(EVIDENCE_TYPES))
    source = fields.String(required=True, validate=validate.Length(1, 200),
                           metadata={"description": "who issued it: an organisation, a register, a payroll"})
    obtained_on = fields.Date(required=True, validate=not_in_future)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"),
                              metadata={"description": "SHA-256 of the document (files are kept elsewhere)"})


class OtherFunding(Step):
    fund = fields.String(required=True, validate=validate.Length(2, 100),
                         metadata={"description": "the other fund: a trust's budget, RTOF, an ESF contract..."})
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100),
                              metadata={"description": "the other fund's own reference for the payment"})


class Decision(Step):
    decision = fields.String(required=True, validate=validate.OneOf(("validated", "rejected")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(3, 500))


class Clawback(Step):
    reason = fields.String(required=True, validate=validate.Length(3, 500))


class Period(Strict):
    period_from = fields.Date(required=True, data_key="from")
    period_to = fields.Date(required=True, data_key="to")
    as_known_at = fields.AwareDateTime(load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class KnownAt(Strict):
    as_known_at = fields.AwareDateTime(load_default=None)


class EntriesQuery(Period):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 10000))


class OutcomesQuery(Strict):
    metric = fields.String(load_default=None, validate=validate.Length(1, 64))
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("achieved", "claimed", "validated", "rejected", "paid", "clawed_back")))
    participant_ref = fields.String(load_default=None, validate=validate.Length(1, 100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 10000))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class DiffQuery(Strict):
    period_from = fields.Date(required=True, data_key="from")
    period_to = fields.Date(required=True, data_key="to")
    a_known_at = fields.AwareDateTime(required=True)
    b_known_at = fields.AwareDateTime(load_default=None)
    b_from = fields.Date(load_default=None)
    b_to = fields.Date(load_default=None)


# -- reports ---------------------------------------------------------------------------------------------------
class AsOf(Schema):
    class Meta:
        unknown = RAISE

    as_of = fields.Date(load_default=None, metadata={"description": "the report as it stood at the end of this day"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class EnterpriseReportQuery(AsOf):
    organisation = fields.String(load_default=None, validate=validate.Length(1, 100),
                                 metadata={"description": "only what this organisation recorded"})


class AttendanceTrendQuery(EnterpriseReportQuery):
    series = fields.String(required=True, validate=validate.OneOf(en.SERIES))
