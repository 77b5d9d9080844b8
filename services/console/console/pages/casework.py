"""The hub's pages: the work queue, finding a client, a client's referral, pathways and timeline, the steps."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from werkzeug.wrappers import Response

from console import translation
from console.apis import ApiError
from console.domain import forms
from console.domain.accounts import STAFF_ID
from console.domain.navigation import HUB
from console.pages.common import form_view, refused, submit
from console.web import View, Visit, page
from contracts import pathway_steps as ps
from contracts import referrals as rf

#: the hub's steps on a referral: (the contract's body, the API path, the page's title)
STEPS = {
    "contact-attempts": (rf.RecordContactAttempt, "Record a contact attempt"),
    "consent": (rf.RecordConsent, "Record the privacy notice and consent"),
    "assessment": (rf.Assess, "Record the assessment"),
    "acceptance": (rf.AcceptClient, "Accept onto the programme"),
    "decline": (rf.Decline, "Decline the referral"),
    "closure-for-no-contact": (rf.CloseForNoContact, "Close: the person could not be contacted"),
    "withdrawal": (rf.Withdraw, "The person withdraws"),
}
#: the questions of each step's form, made once from its contract
STEP_FORMS = {name: forms.form_of(schema()) for name, (schema, _) in STEPS.items()}
PATHWAY_STEP_FORMS = {step_type: (forms.FormField("occurred_at", "When did it happen?", "datetime", True),
                                  *forms.form_of(schema, prefix="payload."))
                      for step_type, schema in ps.PAYLOAD_SCHEMAS.items()}
#: which steps a referral in each status may take next (the service decides; this only orders the links)
NEXT = {"received": ("contact-attempts", "consent", "decline", "closure-for-no-contact"),
        "contacted": ("contact-attempts", "consent", "assessment", "decline", "closure-for-no-contact", "withdrawal"),
        "assessed": ("acceptance", "consent", "decline", "withdrawal"),
        "accepted": ("withdrawal",)}
SEARCH = (
    forms.FormField("full_name", "Full name", "text", False),
    forms.FormField("date_of_birth", "Date of birth", "date", False, hint="With a name, finds only that person"),
    forms.FormField("ni_number", "National Insurance number", "text", False),
    forms.FormField("mobile", "Mobile number", "tel", False),
    forms.FormField("email", "Email address", "email", False),
    forms.FormField("external_reference", "A partner's case reference", "text", False),
    forms.FormField("partner_id", "The partner whose reference it is", "text", False,
                    hint="The partner's id, for example ladywood-work-club"),
)


class CaseworkPages:
    @page("GET", "/queue", roles=HUB, title="Work queue")
    def queue(self, visit: Visit) -> View:
        waiting = visit.api.get("reporting", "/reports/awaiting-contact")
        assert visit.signed is not None
        whose = visit.query.get("caseworker", "").strip().lower() or visit.signed.person  # a colleague's, if asked
        if not STAFF_ID.match(whose):
            whose = visit.signed.person
        due = visit.api.get("pathways", f"/caseworkers/{whose}/due-items")
        return View("queue.html", {"waiting": waiting, "due": due.get("items", []), "whose": whose,
                                   "own": whose == visit.signed.person})

    @page("GET", "/search", roles=HUB, title="Find a client")
    def search_form(self, visit: Visit) -> View:
        return form_view("Find a client", SEARCH, {}, action="/search", button="Search",
                         lead="Give any of these. People are found by exact identifiers through the blind index: "
                              "the console never holds a list of names.")

    @page("POST", "/search", roles=HUB, title="Find a client")
    def search(self, visit: Visit) -> View:
        body, errors = forms.parse(SEARCH, visit.form)
        found: list[dict[str, Any]] = []
        if not errors:
            try:
                found = visit.api.call("POST", "referrals", "/clients/search", json=body).body["clients"]
            except ApiError as error:
                errors = refused(error)
        if errors:
            return form_view("Find a client", SEARCH, visit.form, errors, action="/search", button="Search")
        return View("search_results.html", {"clients": found})

    @page("GET", "/referrals/<uuid:referral_id>", roles=HUB, title="Client")
    def referral(self, visit: Visit) -> View:
        referral_id = visit.path["referral_id"]
        referral = visit.api.get("referrals", f"/referrals/{referral_id}")
        client_id = referral["client_id"]
        try:
            pathways = visit.api.get("pathways", f"/clients/{client_id}/pathways")["pathways"]
        except ApiError as error:
            if error.status != 404:
                raise
            pathways = []
        history = visit.api.get("reporting", f"/audit/clients/{client_id}/history")
        return View("client.html", {"referral": referral, "pathways": pathways,
                                    "timeline": translation.timeline(history["events"]),
                                    "steps": [(name, STEPS[name][1]) for name in NEXT.get(referral["status"], ())],
                                    "done": STEPS.get(visit.query.get("done", ""), (None, ""))[1] or
                                    (translation.label(visit.query["done"]) if visit.query.get("done") in ps.PAYLOADS
                                     else "")})

    @page("GET", "/referrals/<uuid:referral_id>/<step>", roles=HUB, title="A step")
    def step_form(self, visit: Visit) -> Response | View:
        return self._step(visit)

    @page("POST", "/referrals/<uuid:referral_id>/<step>", roles=HUB, title="A step")
    def step(self, visit: Visit) -> Response | View:
        return self._step(visit)

    @staticmethod
    def _step(visit: Visit) -> Response | View:
        referral_id, step = visit.path["referral_id"], visit.path["step"]
        if step not in STEPS:
            raise ApiError(404, {"message": "no such step"})
        title = STEPS[step][1]
        return submit(visit, STEP_FORMS[step], title, "referrals", f"/referrals/{referral_id}/{step}",
                      f"/referrals/{referral_id}?done={step}", back=f"/referrals/{referral_id}")

    # -- a pathway's steps (the ones trusts post too) ------------------------------------------------------------
    @page("GET", "/clients/<uuid:client_id>/pathways/<regulator>/steps", roles=HUB, title="Record a pathway step")
    def pathway_steps(self, visit: Visit) -> View:
        back = _back_to(visit)
        return View("pathway_steps.html", {"client_id": visit.path["client_id"], "regulator": visit.path["regulator"],
                                           "types": ps.STEP_TYPES, "back": back,
                                           "referral": back.removeprefix("/referrals/") if back != "/search" else ""})

    @page("GET", "/clients/<uuid:client_id>/pathways/<regulator>/steps/<step_type>", roles=HUB, title="A pathway step")
    def pathway_step_form(self, visit: Visit) -> Response | View:
        return self._pathway_step(visit)

    @page("POST", "/clients/<uuid:client_id>/pathways/<regulator>/steps/<step_type>", roles=HUB,
          title="A pathway step")
    def pathway_step(self, visit: Visit) -> Response | View:
        return self._pathway_step(visit)

    @staticmethod
    def _pathway_step(visit: Visit) -> Response | View:
        """One step's form, made from its payload schema (contracts.pathway_steps), posted as a trust would."""
        client_id, regulator, step_type = visit.path["client_id"], visit.path["regulator"], visit.path["step_type"]
        if step_type not in ps.PAYLOADS:
            raise ApiError(404, {"message": "no such step"})
        questions = PATHWAY_STEP_FORMS[step_type]
        title = f"{regulator} pathway: {translation.label(step_type).lower()}"
        back = _back_to(visit)
        done = f"{back}?done={step_type}" if back.startswith("/referrals/") else back
        return submit(visit, questions, title, "pathways", f"/clients/{client_id}/pathways/{regulator}/steps", done,
                      fixed={"type": step_type}, defaults={"payload": {}}, back=back)


def _back_to(visit: Visit) -> str:
    """The client's page the step was started from (a referral id, checked as one), else the search."""
    referral = visit.query.get("referral", "")
    try:
        return f"/referrals/{UUID(referral)}"
    except ValueError:
        return "/search"
