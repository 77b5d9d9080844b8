"""HTTP entrypoints of enterprises and the FUSE programme (a mixin of EnterprisesService)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from chassis.http import Call, route
from contracts import answers
from contracts import enterprise_commands as commands
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Applicant, Programme, RecruitmentRound

STAFF = ("enterprise_staff", "admin")
READERS = ("enterprise_staff", "admin", "auditor")
STORED = {201: "stored (the same answer again for a repeated Idempotency-Key)", 404: "no such record",
          409: "the key was used with another body, or a concurrent write won (retry)"}
APPLICATION = "/rounds/<uuid:round_id>/applications/<uuid:application_id>"


class Routes:
    """What every route mixin uses: the service's store, vault and identity index, and audited reads."""

    store: Any
    vault: Any
    identities: Any
    fuse: Any
    community: Any

    def personal(self, call: Call, subject_id: UUID, token: str | None, purpose: str) -> dict[str, Any]:
        """Staff read a person's (or an enterprise's) sealed details, and the read is recorded; auditors do not."""
        if token is None or not call.acting_as(*STAFF):
            return {}
        return {"personal": self.vault.read(subject_id, token, actor=call.meta["actor"],
                                            organisation=call.organisation, purpose=purpose)}


class FuseRoutes(Routes):
    @route("POST", "/enterprises", answer=answers.EnterpriseStored, produces=("enterprise_id",), roles=STAFF,
           body=commands.RegisterEnterprise, requires_idempotency_key=True,
           answers={**STORED, 409: "already recorded (its enterprise_id in the answer), or the key was reused"},
           summary="Record an enterprise (or a venture not yet registered), once")
    def register_enterprise(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.enterprises.RegisterEnterprise; returns the enterprise id and event id."""
        return 201, self.fuse.register_enterprise(call.once, call.body)[0]

    @route("GET", "/enterprises/possible-duplicates", answer=answers.PossibleDuplicateEnterprises, roles=STAFF,
           answers={200: "records to check by hand"},
           summary="Enterprises recorded under a name another enterprise (with another number) already has")
    def possible_duplicate_enterprises(self, call: Call) -> dict:
        return {"enterprises": self.identities.possible_duplicates()}

    @route("GET", "/enterprises/<uuid:enterprise_id>", answer=answers.Enterprise, roles=READERS,
           audit_read="enterprise_id", answers={200: "the enterprise", 404: "none"},
           summary="One enterprise: registration, programmes, support, CO05 status (name for staff)")
    def get_enterprise(self, call: Call) -> dict:
        enterprise = self.store.load(Enterprise, call.path["enterprise_id"])
        return {**enterprise.view(), **self.personal(call, enterprise.id, enterprise.details,
                                                     "GET /enterprises/<enterprise_id>")}

    @route("POST", "/enterprises/<uuid:enterprise_id>/registration", answer=answers.EnterpriseStored, roles=STAFF,
           body=commands.RecordRegistration,
           requires_idempotency_key=True, answers=STORED, summary="A venture registered: legal form and date")
    def record_registration(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.record_registration(call.once, call.path["enterprise_id"],
                                                  call.body)[0]

    @route("POST", "/enterprises/<uuid:enterprise_id>/support", answer=answers.EnterpriseStored, roles=STAFF,
           body=commands.LogSupport,
           requires_idempotency_key=True, answers=STORED,
           summary="Support hours given within a programme the enterprise belongs to")
    def log_support(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.log_support(call.once, call.path["enterprise_id"],
                                          call.body)[0]

    @route("POST", "/enterprises/<uuid:enterprise_id>/support-corrections", answer=answers.EnterpriseStored,
           roles=STAFF, body=commands.CorrectSupport,
           requires_idempotency_key=True, answers=STORED,
           summary="Correct the hours of staff support logged wrongly (the logged support stays in the history)")
    def correct_support(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.correct_support(call.once, call.path["enterprise_id"],
                                              call.body)[0]

    @route("POST", "/enterprises/<uuid:enterprise_id>/dissolution", answer=answers.EnterpriseStored, roles=STAFF,
           body=commands.DissolveEnterprise,
           requires_idempotency_key=True, answers=STORED,
           summary="The enterprise dissolved (it stays counted for what it achieved; no later steps)")
    def dissolve_enterprise(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.dissolve_enterprise(call.once, call.path["enterprise_id"],
                                                  call.body)[0]

    @route("POST", "/enterprises/<uuid:enterprise_id>/merge", answer=answers.EnterpriseStored, roles=STAFF,
           body=commands.MergeEnterprise,
           requires_idempotency_key=True, answers=STORED, summary="This record duplicates another: merge it")
    def merge_enterprise(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.merge_enterprise(call.once, call.path["enterprise_id"],
                                               **call.body)[0]

    @route("POST", "/rounds", answer=answers.RoundStored, produces=("round_id",), roles=STAFF, body=commands.OpenRound,
           requires_idempotency_key=True, answers=STORED,
           summary="Open a FUSE recruitment round")
    def open_round(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.open_round(call.once, call.body)[0]

    @route("GET", "/rounds/<uuid:round_id>", answer=answers.Round, roles=READERS,
           answers={200: "the round", 404: "none"},
           summary="A round, its applications (ids and stages, no personal data) and counts")
    def get_round(self, call: Call) -> dict:
        return self.store.load(RecruitmentRound, call.path["round_id"]).view()

    @route("POST", "/rounds/<uuid:round_id>/closure", answer=answers.RoundStored, roles=STAFF, body=commands.CloseRound,
           requires_idempotency_key=True,
           answers=STORED, summary="Close the round: it takes no more steps")
    def close_round(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.close_round(call.once, call.path["round_id"], call.body)[0]

    @route("POST", "/rounds/<uuid:round_id>/applications", answer=answers.ApplicationStored,
           produces=("application_id",), roles=STAFF, body=commands.SubmitApplication,
           requires_idempotency_key=True, answers=STORED, summary="A person applies for an enterprise")
    def submit_application(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.enterprises.SubmitApplication; returns the application, applicant and enterprise ids
        and how the enterprise was matched (new, registration, name, chosen)."""
        return 201, self.fuse.submit_application(call.once, call.path["round_id"],
                                                 call.body)[0]

    @route("POST", APPLICATION + "/shortlisting", answer=answers.ApplicationStored, roles=STAFF,
           body=commands.ShortlistApplication,
           requires_idempotency_key=True, answers=STORED, summary="Shortlist a submitted application")
    def shortlist_application(self, call: Call) -> tuple[int, dict]:
        return self._application(call, self.fuse.shortlist_application)

    @route("POST", APPLICATION + "/conflicts", answer=answers.ApplicationStored, roles=STAFF,
           body=commands.DeclareConflict,
           requires_idempotency_key=True,
           answers=STORED, summary="A panel member declares a conflict of interest (voids their interview)")
    def declare_conflict(self, call: Call) -> tuple[int, dict]:
        return self._application(call, self.fuse.declare_conflict)

    @route("POST", APPLICATION + "/interview", answer=answers.ApplicationStored, roles=STAFF, body=commands.Interview,
           requires_idempotency_key=True,
           answers=STORED, summary="The applicant was interviewed by this panel")
    def interview_applicant(self, call: Call) -> tuple[int, dict]:
        return self._application(call, self.fuse.interview_applicant)

    @route("POST", APPLICATION + "/decision", answer=answers.ApplicationStored, roles=STAFF,
           body=commands.DecideApplication,
           requires_idempotency_key=True,
           answers=STORED, summary="Accept (joins the cohort), waitlist or reject, with the reason")
    def decide_application(self, call: Call) -> tuple[int, dict]:
        return self._application(call, self.fuse.decide_application)

    @route("POST", APPLICATION + "/enterprise-link", answer=answers.ApplicationStored, roles=STAFF,
           body=commands.LinkEnterprise,
           requires_idempotency_key=True, answers=STORED, summary="The application is for this existing enterprise")
    def link_application(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.link_application(call.once, call.path["round_id"],
                                               call.path["application_id"], **call.body)[0]

    def _application(self, call: Call, use_case: Any) -> tuple[int, dict]:
        """A step on one application: ``use_case(once, round_id, application_id, body)``."""
        return 201, use_case(call.once, call.path["round_id"],
                             call.path["application_id"], call.body)[0]

    @route("POST", "/applicants", answer=answers.ApplicantStored, produces=("applicant_id",), roles=STAFF,
           body=commands.RecordApplicant, requires_idempotency_key=True,
           answers=STORED, summary="A person joining a short programme without applying (details sealed)")
    def record_applicant(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.record_applicant(call.once, call.body)[0]

    @route("GET", "/applicants/<uuid:applicant_id>", answer=answers.Applicant, roles=STAFF,
           audit_read="applicant_id", answers={200: "the person", 404: "none"},
           summary="A person's details (every read is recorded)")
    def get_applicant(self, call: Call) -> dict:
        applicant = self.store.load(Applicant, call.path["applicant_id"])
        return {"applicant_id": str(applicant.id),
                **self.personal(call, applicant.id, applicant.personal, "GET /applicants/<applicant_id>")}

    @route("POST", "/programmes", answer=answers.ProgrammeStored, produces=("programme_id",), roles=STAFF,
           body=commands.StartProgramme, requires_idempotency_key=True,
           answers=STORED, summary="A FUSE cohort or a short programme (summer boot camp)")
    def start_programme(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.start_programme(call.once, call.body)[0]

    @route("GET", "/programmes/<uuid:programme_id>", answer=answers.Programme, roles=READERS,
           answers={200: "the programme", 404: "none"},
           summary="A programme and its members (ids)")
    def get_programme(self, call: Call) -> dict:
        return self.store.load(Programme, call.path["programme_id"]).view()

    @route("POST", "/programmes/<uuid:programme_id>/members", answer=answers.ProgrammeStored, roles=STAFF,
           body=commands.AdmitMember,
           requires_idempotency_key=True, answers=STORED, summary="An enterprise and/or a person joins")
    def admit_member(self, call: Call) -> tuple[int, dict]:
        return 201, self.fuse.admit_member(call.once, call.path["programme_id"],
                                           call.body)[0]
