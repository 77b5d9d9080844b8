"""A referring partner's pages: the referral form (the journal's fields) and its own referrals, nothing else."""
from __future__ import annotations

from werkzeug.wrappers import Response

from console.domain import forms
from console.pages.common import submit
from console.web import View, Visit, page
from contracts import referrals as rf

PARTNER = ("referrer",)
#: the journal's referral form, less the partner (the signed-in organisation) and the documents (the hub checks
#: them when it meets the person)
REFERRAL_FORM = forms.form_of(rf.SubmitReferral(), skip=("partner_id", "documents"))


class PartnerPages:
    @page("GET", "/refer", roles=PARTNER, title="Refer a person")
    def refer_form(self, visit: Visit) -> Response | View:
        return self._refer(visit)

    @page("POST", "/refer", roles=PARTNER, title="Refer a person")
    def refer(self, visit: Visit) -> Response | View:
        return self._refer(visit)

    @staticmethod
    def _refer(visit: Visit) -> Response | View:
        assert visit.signed is not None
        return submit(visit, REFERRAL_FORM, "Refer a person to the employment hub", "referrals", "/referrals",
                      "/my-referrals?referred={referral_id}", fixed={"partner_id": visit.signed.organisation},
                      back="/my-referrals", button="Send the referral",
                      lead="The hub contacts the person within five working days. Qualification documents are "
                           "checked by the hub when it meets them.")

    @page("GET", "/my-referrals", roles=PARTNER, title="Your referrals")
    def my_referrals(self, visit: Visit) -> View:
        mine = visit.api.get("reporting", "/partners/me/referrals")
        return View("my_referrals.html", {"mine": mine, "referred": visit.query.get("referred", "")})
