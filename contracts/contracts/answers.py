"""What the referrals, pathways and enterprises services answer on success (the 2xx bodies of their routes).

Each route names its answer (``route(..., answer=...)``) and the OpenAPI documents publish it, so a client sees
the fields it can rely on and schemathesis checks every answer against it (tests/e2e/test_fuzzing.py). An answer
lists the fields always present (``required``) and those that may be absent; it admits fields it does not name
(a tolerant reader: adding a field to an answer is not a breaking change). Reporting's answers are in
``contracts.reporting``.
"""
from __future__ import annotations

from typing import Any, cast

from marshmallow import INCLUDE, Schema

from contracts import fields


class Answer(Schema):
    """Base of every answer: the fields it names, and any others a later version adds."""

    class Meta:
        unknown = INCLUDE
        ordered = True


def _id() -> fields.Field:
    return fields.String(required=True)


def _maybe(field: type[fields.Field] = fields.String, **kwargs: Any) -> fields.Field:
    return field(required=True, allow_none=True, **kwargs)


def stored(name: str, id_field: str, **more: fields.Field) -> type[Answer]:
    """The answer to a command that changed one record: its id, the event stored and the record's version
    (the same answer again for a repeated Idempotency-Key)."""
    return cast(type[Answer], Answer.from_dict({id_field: _id(), "event_id": fields.String(required=True),
                                                "version": fields.Integer(required=True), **more}, name=name))


# -- referrals ----------------------------------------------------------------------------------------------
class ReferralStored(Answer):
    """A referral after a command. A referring partner is not told the client's id or whether the person was
    known (matching stays internal); the hub is."""

    referral_id = _id()
    event_id = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    entry_point = _maybe()
    client_id = fields.String()
    match = fields.String(metadata={"description": "new, exact or partial: how the person was recognised"})


class Referral(ReferralStored):
    """One referral's status (and, to the hub, the sealed form opened: ``personal``)."""

    partner_id = fields.String(required=True)
    profession = fields.String(required=True)
    right_to_work = fields.String(required=True)
    ielts_taken = fields.Boolean(required=True)
    ielts_score_needed = _maybe()
    regulator = _maybe()
    contact_attempts = fields.Integer(required=True)
    lawful_basis = _maybe()
    consent_given = fields.Boolean(required=True)
    eligible = _maybe(fields.Boolean)
    work_restricted = fields.Boolean(required=True)
    closed_reason = _maybe()
    erased = fields.Boolean(required=True)
    external_reference = _maybe()
    personal = fields.Dict(allow_none=True, metadata={"description": "the form, for the hub (a recorded read)"})


class ErasureDecided(Answer):
    client_id = _id()
    decision = fields.String(required=True)
    erased = fields.Boolean(required=True)


class Partner(Answer):
    partner_id = _id()
    kind = fields.String(required=True)
    active = fields.Boolean(required=True)
    name = fields.String()


class PossibleDuplicate(Answer):
    referral_id = _id()
    client_id = _id()
    other_clients = fields.List(fields.String(), required=True)
    matched_on = fields.List(fields.String(), required=True)
    recorded_at = fields.String(required=True)


class PossibleDuplicates(Answer):
    referrals = fields.List(fields.Nested(PossibleDuplicate), required=True)


class ClientFound(Answer):
    client_id = _id()
    matched_on = fields.List(fields.String(), required=True, metadata={
        "description": "what found it: ni_number, mobile, email, name_dob, full_name, external_reference"})
    referral_ids = fields.List(fields.String(), required=True)


class ClientsFound(Answer):
    """What a search found: ids and how each was found, no personal data (most kinds matched first)."""

    clients = fields.List(fields.Nested(ClientFound), required=True)


# -- pathways -----------------------------------------------------------------------------------------------
class StepStored(Answer):
    pathway_id = _id()
    event_id = fields.String(required=True)
    version = fields.Integer(required=True)
    type = fields.String(required=True)
    new_pathway_id = fields.String(metadata={"description": "where a change of route opened another pathway"})


class BatchResult(Answer):
    """One step of a batch: its index in the batch and its own status (201, or the 4xx it would have had)."""

    index = fields.Integer(required=True)
    status = fields.Integer(required=True)
    pathway_id = fields.String()
    event_id = fields.String()
    version = fields.Integer()
    type = fields.String()
    error = fields.String()
    message = fields.String()
    rule = fields.String()
    fields_ = fields.Dict(data_key="fields")


class BatchResults(Answer):
    results = fields.List(fields.Nested(BatchResult), required=True)


class Pathway(Answer):
    """A client's pathway with one regulator: where the client is, what is due, what happened."""

    pathway_id = _id()
    client_id = _id()
    regulator = fields.String(required=True)
    profession = fields.String(required=True)
    entry_point = fields.String(required=True)
    current_entry_point = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    version = fields.Integer(required=True)
    caseworker_id = _maybe()
    english_met = fields.Boolean(required=True)
    registered = fields.Boolean(required=True)
    employed_since = _maybe()
    due_items = fields.List(fields.Dict(), required=True)


class Pathways(Answer):
    pathways = fields.List(fields.Nested(Pathway), required=True)


class HistoryEvent(Answer):
    version = fields.Integer(required=True)
    event = fields.String(required=True)
    recorded_at = fields.String(required=True)
    actor = fields.String(required=True)
    organisation = fields.String(required=True)


class PathwayHistory(Answer):
    events = fields.List(fields.Nested(HistoryEvent), required=True)


class DueItem(Answer):
    item = fields.String(required=True)
    due_on = fields.String(required=True)
    client_id = _id()
    pathway_id = _id()
    regulator = fields.String(required=True)


class DueItems(Answer):
    caseworker_id = _id()
    items = fields.List(fields.Nested(DueItem), required=True)


# -- enterprises --------------------------------------------------------------------------------------------
ApplicantStored = stored("ApplicantStored", "applicant_id")
EntryStored = stored("EntryStored", "entry_id")
ConsortiumStored = stored("ConsortiumStored", "consortium_id")
DiagnosticStored = stored("DiagnosticStored", "diagnostic_id", enterprise_id=_id())
EnterpriseStored = stored("EnterpriseStored", "enterprise_id", merged_into=fields.String())
GrantStored = stored("GrantStored", "grant_id", enterprise_id=_id())
IntroductionStored = stored("IntroductionStored", "introduction_id")
MentorStored = stored("MentorStored", "mentor_id")
NetworkEventStored = stored("NetworkEventStored", "network_event_id")
ProgrammeStored = stored("ProgrammeStored", "programme_id")
ResearcherStored = stored("ResearcherStored", "researcher_id")
RoundStored = stored("RoundStored", "round_id")
ApplicationStored = stored("ApplicationStored", "round_id", application_id=_id(), status=fields.String(required=True),
                           applicant_id=_id(), enterprise_id=_id(), enterprise_match=fields.String())


class PersonErased(Answer):
    subject_id = _id()
    kind = fields.String(required=True)
    erased = fields.Boolean(required=True)
    erased_now = fields.Boolean(required=True)


def _personal() -> fields.Field:
    return fields.Dict(allow_none=True, metadata={"description": "sealed details, opened for staff (a recorded read)"})


class Applicant(Answer):
    applicant_id = _id()
    personal = _personal()


class AssetEntry(Answer):
    entry_id = _id()
    version = fields.Integer(required=True)
    kind = fields.String(required=True)
    area = fields.String(required=True)
    personal_data = fields.Boolean(required=True)
    consent_withdrawn = fields.Boolean(required=True)
    retain_until = _maybe()
    personal = _personal()


class Consortium(Answer):
    consortium_id = _id()
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    members = fields.List(fields.String(), required=True)


class Enterprise(Answer):
    enterprise_id = _id()
    version = fields.Integer(required=True)
    legal_form = _maybe()
    registered_on = _maybe()
    first_support_on = _maybe()
    new_enterprise = _maybe(fields.Boolean)
    programmes = fields.List(fields.String(), required=True)
    support_hours = fields.String(required=True, metadata={"description": "hours, a decimal"})
    grants = fields.Integer(required=True)
    grant_pence = fields.Integer(required=True)
    merged_into = _maybe()
    dissolved_on = _maybe()
    personal = _personal()


class PossibleDuplicateEnterprises(Answer):
    enterprises = fields.List(fields.Dict(), required=True)


class Mentor(Answer):
    mentor_id = _id()
    version = fields.Integer(required=True)
    channel = fields.String(required=True)
    kind = fields.String(required=True)
    specialisms = fields.List(fields.String(), required=True)
    max_mentees = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    matches = fields.List(fields.Raw(), required=True)
    sessions = fields.Integer(required=True)
    recognitions = fields.List(fields.Raw(), required=True)
    personal = _personal()


class NetworkEvent(Answer):
    network_event_id = _id()
    version = fields.Integer(required=True)
    series = fields.String(required=True)
    title = fields.String(required=True)
    held_on = fields.String(required=True)
    attendance = fields.Integer(required=True)
    contract_value_pence = fields.Integer(required=True)


class Programme(Answer):
    programme_id = _id()
    version = fields.Integer(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    starts_on = fields.String(required=True)
    ends_on = fields.String(required=True)
    enterprises = fields.List(fields.String(), required=True)
    people = fields.List(fields.String(), required=True)


class Researcher(Answer):
    researcher_id = _id()
    version = fields.Integer(required=True)
    programme = fields.String(required=True)
    status = fields.String(required=True)
    fieldwork_minutes = fields.Integer(required=True)
    personal = _personal()


class Round(Answer):
    round_id = _id()
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    programme_id = fields.String(required=True)
    opens_on = fields.String(required=True)
    closes_on = fields.String(required=True)
    places = _maybe(fields.Integer)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    applications = fields.List(fields.Dict(), required=True)
    enterprises = fields.Integer(required=True)
    applicants = fields.Integer(required=True)
