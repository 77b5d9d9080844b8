"""HTTP entrypoints of mentors, network events, grants, diagnostics, consortia and community research (a mixin
of EnterprisesService). Each takes the contract named in its ``body`` and answers as chassis.http says."""
from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from chassis.errors import NotFound
from chassis.http import Call, route
from contracts import answers
from contracts import community_commands as community
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Applicant
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import AssetMapEntry, CommunityResearcher
from enterprises.domain.support import Consortium
from enterprises.routes_fuse import READERS, STAFF, STORED, Routes

MENTOR = "/mentors/<uuid:mentor_id>"
EVENT = "/network-events/<uuid:network_event_id>"
RESEARCHER = "/researchers/<uuid:researcher_id>"


def created(result: tuple[dict, bool]) -> tuple[int, dict]:
    return 201, result[0]


#: The records of the enterprise strand that hold a person's sealed data, by what the erasure answer calls them.
PEOPLE = {Applicant: "applicant", Mentor: "mentor", CommunityResearcher: "community_researcher",
          Enterprise: "enterprise"}


class CommunityRoutes(Routes):
    @route("POST", "/people/<uuid:subject_id>/erasure", answer=answers.PersonErased, roles=STAFF,
           body=community.ErasePerson,
           requires_idempotency_key=True,
           answers={201: "erased (or erased already: erased_now false)", 404: "no such person"},
           summary="Erase a person of the enterprise strand: applicant, mentor, researcher or a sole trader")
    def erase_person(self, call: Call) -> tuple[int, dict]:
        """Destroys the person's data key (their sealed details, in every event, can no longer be read, and the
        key is scrubbed from the store's files) and deletes their blind-index entries; counts stay."""
        subject = call.path["subject_id"]
        try:
            record = self.store.repository.get(subject)
        except AggregateNotFoundError:
            raise NotFound(f"no person {subject}") from None
        kind = next((name for cls, name in PEOPLE.items() if isinstance(record, cls)), None)
        if kind is None:
            raise NotFound(f"no person {subject}")
        erased_now = self.vault.erase(subject, by=call.meta["actor"], ground=call.body["ground"])
        self.identities.forget(str(subject))
        return 201, {"subject_id": str(subject), "kind": kind, "erased": True, "erased_now": erased_now}

    # -- mentors ---------------------------------------------------------------------------------------------
    @route("POST", "/mentors", answer=answers.MentorStored, produces=("mentor_id",), roles=STAFF,
           body=community.RecruitMentor, requires_idempotency_key=True, answers=STORED,
           summary="A volunteer mentor recruited (channel, specialisms, availability)")
    def recruit_mentor(self, call: Call) -> tuple[int, dict]:
        return created(self.community.recruit_mentor(call.once, call.body))

    @route("GET", MENTOR, answer=answers.Mentor, roles=READERS, audit_read="mentor_id",
           answers={200: "the mentor", 404: "none"},
           summary="A mentor: matches, sessions, recognition (name for staff)")
    def get_mentor(self, call: Call) -> dict:
        mentor = self.store.load(Mentor, call.path["mentor_id"])
        return {**mentor.view(), **self.personal(call, mentor.id, mentor.personal, "GET /mentors/<mentor_id>")}

    @route("POST", MENTOR + "/availability", answer=answers.MentorStored, roles=STAFF,
           body=community.ChangeAvailability,
           requires_idempotency_key=True,
           answers=STORED, summary="How many enterprises the mentor can take")
    def change_availability(self, call: Call) -> tuple[int, dict]:
        return self._mentor(call, "change_availability")

    @route("POST", MENTOR + "/matches", answer=answers.MentorStored, roles=STAFF, body=community.MatchMentor,
           requires_idempotency_key=True,
           answers=STORED, summary="Match the mentor with an enterprise in a programme")
    def match_mentor(self, call: Call) -> tuple[int, dict]:
        return created(self.community.match_mentor(call.once,
                                          call.path["mentor_id"], call.body))

    @route("POST", MENTOR + "/sessions", answer=answers.MentorStored, roles=STAFF, body=community.GiveMentoring,
           requires_idempotency_key=True,
           answers=STORED, summary="A mentoring session (also support of the enterprise)")
    def give_mentoring(self, call: Call) -> tuple[int, dict]:
        return created(self.community.give_mentoring(call.once,
                                            call.path["mentor_id"], call.body))

    @route("POST", MENTOR + "/recognitions", answer=answers.MentorStored, roles=STAFF, body=community.RecogniseMentor,
           requires_idempotency_key=True,
           answers=STORED, summary="Recognition: the annual mentor dinner, an award, a video")
    def recognise_mentor(self, call: Call) -> tuple[int, dict]:
        return self._mentor(call, "recognise_mentor")

    @route("POST", MENTOR + "/stepping-down", answer=answers.MentorStored, roles=STAFF, body=community.StepDown,
           requires_idempotency_key=True,
           answers=STORED, summary="The mentor steps down")
    def step_down(self, call: Call) -> tuple[int, dict]:
        return self._mentor(call, "step_down")

    def _mentor(self, call: Call, name: str) -> tuple[int, dict]:
        return created(self.community.mentor_step(call.once, name, call.path["mentor_id"], call.body))

    # -- network events --------------------------------------------------------------------------------------
    @route("POST", "/network-events", answer=answers.NetworkEventStored, produces=("network_event_id",), roles=STAFF,
           body=community.HoldNetworkEvent, requires_idempotency_key=True,
           answers=STORED, summary="A SoHo network meeting, awareness session, supply-chain event or festival held")
    def hold_event(self, call: Call) -> tuple[int, dict]:
        return created(self.community.hold_event(call.once, call.body))

    @route("GET", EVENT, answer=answers.NetworkEvent, roles=READERS, answers={200: "the event", 404: "none"},
           summary="An event: attendance, pitches, leads, contracts, ideas")
    def get_event(self, call: Call) -> dict:
        return self.store.load(NetworkEvent, call.path["network_event_id"]).view()

    @route("POST", EVENT + "/attendance", answer=answers.NetworkEventStored, roles=STAFF,
           body=community.RecordAttendance,
           requires_idempotency_key=True,
           answers=STORED, summary="Who attended (people, enterprises, organisations by reference) and walk-ins")
    def record_attendance(self, call: Call) -> tuple[int, dict]:
        return created(self.community.record_attendance(call.once,
                                               call.path["network_event_id"], call.body))

    @route("POST", EVENT + "/supply-chain-outcomes", answer=answers.NetworkEventStored, roles=STAFF,
           body=community.RecordSupplyChainOutcome,
           requires_idempotency_key=True, answers=STORED, summary="A pitch to buyers, a lead, or a contract won")
    def record_supply_chain_outcome(self, call: Call) -> tuple[int, dict]:
        return created(self.community.record_supply_chain_outcome(call.once,
                                                         call.path["network_event_id"], call.body))

    @route("POST", EVENT + "/ideas", answer=answers.NetworkEventStored, roles=STAFF, body=community.RecordIdea,
           requires_idempotency_key=True,
           answers=STORED, summary="An idea raised at an awareness session became this enterprise")
    def record_idea(self, call: Call) -> tuple[int, dict]:
        return created(self.community.record_idea(call.once,
                                         call.path["network_event_id"], call.body))

    # -- grants, diagnostics, consortia ----------------------------------------------------------------------
    @route("POST", "/grants", answer=answers.GrantStored, produces=("grant_id",), roles=STAFF,
           body=community.AwardGrant,
           requires_idempotency_key=True, answers=STORED,
           summary="A grant awarded to an enterprise (pence)")
    def award_grant(self, call: Call) -> tuple[int, dict]:
        return created(self.community.award_grant(call.once, call.body))

    @route("POST", "/diagnostics", answer=answers.DiagnosticStored, produces=("diagnostic_id",), roles=STAFF,
           body=community.CompleteDiagnostic, requires_idempotency_key=True,
           answers=STORED, summary="A business diagnostic of an enterprise")
    def complete_diagnostic(self, call: Call) -> tuple[int, dict]:
        return created(self.community.complete_diagnostic(call.once, call.body))

    @route("POST", "/consortia", answer=answers.ConsortiumStored, produces=("consortium_id",), roles=STAFF,
           body=community.FormConsortium, requires_idempotency_key=True,
           answers=STORED, summary="A consortium (for example the food consortium)")
    def form_consortium(self, call: Call) -> tuple[int, dict]:
        return created(self.community.form_consortium(call.once, call.body))

    @route("GET", "/consortia/<uuid:consortium_id>", answer=answers.Consortium, roles=READERS,
           answers={200: "the consortium", 404: "none"},
           summary="A consortium and its members")
    def get_consortium(self, call: Call) -> dict:
        return self.store.load(Consortium, call.path["consortium_id"]).view()

    @route("POST", "/consortia/<uuid:consortium_id>/members", answer=answers.ConsortiumStored, roles=STAFF,
           body=community.JoinConsortium,
           requires_idempotency_key=True, answers=STORED, summary="An enterprise joins the consortium")
    def join_consortium(self, call: Call) -> tuple[int, dict]:
        return created(self.community.join_consortium(call.once,
                                             call.path["consortium_id"], call.body))

    # -- community research ----------------------------------------------------------------------------------
    @route("POST", "/researchers", answer=answers.ResearcherStored, produces=("researcher_id",), roles=STAFF,
           body=community.RecruitResearcher, requires_idempotency_key=True,
           answers=STORED, summary="A community researcher, connector or partner recruited")
    def recruit_researcher(self, call: Call) -> tuple[int, dict]:
        return created(self.community.recruit_researcher(call.once, call.body))

    @route("GET", RESEARCHER, answer=answers.Researcher, roles=READERS, audit_read="researcher_id",
           answers={200: "the researcher", 404: "none"},
           summary="A researcher: status since when, training, fieldwork, mentoring (name for staff)")
    def get_researcher(self, call: Call) -> dict:
        researcher = self.store.load(CommunityResearcher, call.path["researcher_id"])
        return {**researcher.view(), **self.personal(call, researcher.id, researcher.personal,
                                                     "GET /researchers/<researcher_id>")}

    @route("POST", RESEARCHER + "/training", answer=answers.ResearcherStored, roles=STAFF,
           body=community.CompleteTraining,
           requires_idempotency_key=True,
           answers=STORED, summary="A training course completed")
    def complete_training(self, call: Call) -> tuple[int, dict]:
        return self._researcher(call, "complete_training")

    @route("POST", RESEARCHER + "/activation", answer=answers.ResearcherStored, roles=STAFF,
           body=community.ActivateResearcher,
           requires_idempotency_key=True, answers=STORED, summary="Active in the programme (again)")
    def activate_researcher(self, call: Call) -> tuple[int, dict]:
        return self._researcher(call, "activate")

    @route("POST", RESEARCHER + "/lapse", answer=answers.ResearcherStored, roles=STAFF, body=community.LapseResearcher,
           requires_idempotency_key=True,
           answers=STORED, summary="No longer active")
    def lapse_researcher(self, call: Call) -> tuple[int, dict]:
        return self._researcher(call, "lapse")

    @route("POST", RESEARCHER + "/fieldwork", answer=answers.ResearcherStored, roles=STAFF, body=community.LogHours,
           requires_idempotency_key=True,
           answers=STORED, summary="Fieldwork hours (interviews, surveys)")
    def log_fieldwork(self, call: Call) -> tuple[int, dict]:
        return self._researcher(call, "log_fieldwork")

    @route("POST", RESEARCHER + "/mentoring", answer=answers.ResearcherStored, roles=STAFF, body=community.LogHours,
           requires_idempotency_key=True,
           answers=STORED, summary="A mentoring session with the team")
    def mentor_researcher(self, call: Call) -> tuple[int, dict]:
        return self._researcher(call, "record_mentoring")

    def _researcher(self, call: Call, name: str) -> tuple[int, dict]:
        return created(self.community.researcher_step(call.once, name,
                                             call.path["researcher_id"], call.body))

    @route("POST", "/asset-map", answer=answers.EntryStored, produces=("entry_id",), roles=STAFF,
           body=community.MapAsset,
           requires_idempotency_key=True, answers=STORED,
           summary="An asset: place, organisation, skill or network (personal data only with consent)")
    def map_asset(self, call: Call) -> tuple[int, dict]:
        return created(self.community.map_asset(call.once, call.body))

    @route("GET", "/asset-map/<uuid:entry_id>", answer=answers.AssetEntry, roles=READERS,
           audit_read="entry_id", answers={200: "the entry", 404: "none"},
           summary="An asset-map entry (its personal part for staff, read under audit)")
    def get_asset(self, call: Call) -> dict:
        entry = self.store.load(AssetMapEntry, call.path["entry_id"])
        return {**entry.view(), **self.personal(call, entry.id, entry.sealed, "GET /asset-map/<entry_id>")}

    @route("POST", "/asset-map/<uuid:entry_id>/consent-withdrawal", answer=answers.EntryStored, roles=STAFF,
           body=community.WithdrawAssetConsent,
           requires_idempotency_key=True, answers=STORED, summary="Consent withdrawn: the entry's personal part erased")
    def withdraw_asset_consent(self, call: Call) -> tuple[int, dict]:
        return created(self.community.withdraw_asset_consent(call.once,
                                                    call.path["entry_id"], call.body, call.meta["actor"]))

    @route("POST", "/introductions", answer=answers.IntroductionStored, produces=("introduction_id",), roles=STAFF,
           body=community.MakeIntroduction, requires_idempotency_key=True,
           answers=STORED, summary="A connector introduces a person to an enterprise, the hub or FUSE")
    def make_introduction(self, call: Call) -> tuple[int, dict]:
        return created(self.community.make_introduction(call.once, call.body))
