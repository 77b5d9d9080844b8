"""The start page, signing in and out, the GOV.UK Frontend assets, and the pages for what matches nothing."""
from __future__ import annotations

import mimetypes
import os

from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from console.apis import service_urls
from console.application import Accounts, BadSignIn
from console.domain.navigation import start_page
from console.web import ANYONE_SIGNED_IN, View, Visit, local_path, page, redirect

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRONTEND = os.environ.get("GOVUK_FRONTEND_DIR") or os.path.join(
    HERE, "..", "node_modules", "govuk-frontend", "dist", "govuk")
OWN_ASSETS = os.path.join(HERE, "static")


class StartPages:
    accounts: Accounts

    @page("GET", "/", title="USE-IT case platform")
    def start(self, visit: Visit) -> View:
        docs = {name: f"{url}/openapi.json" for name, url in service_urls().items()}
        return View("start.html", {"docs": docs, "home": start_page(visit.signed.role) if visit.signed else None})

    @page("GET", "/sign-in", title="Sign in")
    def sign_in_form(self, visit: Visit) -> View:
        return View("sign_in.html", {"next": local_path(visit.query.get("next"), ""),
                                     "ended": visit.query.get("ended") == "1", "values": {}, "errors": {}})

    @page("POST", "/sign-in", title="Sign in")
    def sign_in(self, visit: Visit) -> Response | View:
        person, password = visit.form.get("person", "").strip().lower(), visit.form.get("password", "")
        errors = {}
        if not person:
            errors["person"] = "Enter your staff id"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            try:
                token, signed = self.accounts.sign_in(person, password)
            except BadSignIn as refused:
                errors["person"] = refused.message
            else:
                visit.new_session = (token, signed)
                return redirect(local_path(visit.form.get("next"), start_page(signed.role)))
        return View("sign_in.html", {"next": local_path(visit.form.get("next"), ""), "ended": False,
                                     "values": {"person": person}, "errors": errors}, 422)

    @page("POST", "/sign-out", roles=ANYONE_SIGNED_IN, title="Signed out")
    def sign_out(self, visit: Visit) -> Response:
        visit.end_session = True  # the entrypoint ends the cookie's session, server side and in the browser
        return redirect("/?signed_out=1")

    @page("GET", "/no-pages", roles=ANYONE_SIGNED_IN, title="No pages for your role")
    def no_pages(self, visit: Visit) -> View:
        return View("error.html", {"status": 200, "message": "Your role works through the API, not these pages "
                                                              "(docs/api has every call)."})

    @page("GET", "/assets/<path:asset>")
    def asset(self, visit: Visit) -> Response:
        asset = visit.path["asset"]
        for root in (OWN_ASSETS, os.path.join(FRONTEND, "assets"), FRONTEND):
            found = safe_join(root, asset)
            if found and os.path.isfile(found):
                with open(found, "rb") as file:
                    kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    response = Response(file.read(), mimetype=kind)
                response.headers["Cache-Control"] = "public, max-age=3600"
                return response
        return Response("not found", status=404, mimetype="text/plain")

    @page("GET", "/<path:missing>", title="Page not found")
    def missing(self, visit: Visit) -> View:
        return View("error.html", {"status": 404, "message": ""}, 404)
