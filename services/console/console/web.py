"""The console's page entrypoint: sessions, CSRF, roles, and HTML answers (never a traceback, never JSON).

``page(method, path, roles=...)`` marks a service method as a page. Before the worker runs, the entrypoint
finds the session (cookie ``console_session``), checks a POST's CSRF token (the session's, or for the sign-in
form a pre-session cookie's), sends a signed-out visitor to sign in and refuses a role the page is not for
(403). The method gets a ``Visit`` and returns a ``View`` (a template and its values) or a werkzeug Response
(a redirect, a download). An ``ApiError`` the method does not handle becomes the page for its status; a
service that does not answer, a 503 page; anything else, a 500 page with only a correlation id.
"""
from __future__ import annotations

import hmac
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote

from eventlet.event import Event
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Request, Response

from chassis.http import HEADER_VALUE, JsonWebServer
from chassis.meta import new_correlation_id
from chassis.providers import find_provider
from chassis.telemetry import Telemetry
from console.apis import Api, ApiError, ServiceUnavailable
from console.application import SignedIn
from console.dependencies import AccountsProvider, ServicesProvider
from console.domain.navigation import sections_for

log = logging.getLogger(__name__)

PUBLIC: tuple[str, ...] | None = None
ANYONE_SIGNED_IN = ("*",)
SESSION_COOKIE = "console_session"
FORM_COOKIE = "console_form"
MAX_FORM_BYTES = 64 * 1024


@dataclass
class View:
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    status: int = 200


@dataclass
class Visit:
    """What a page method receives: who is signed in, the form and query, and the APIs as that person."""

    signed: SignedIn | None
    form: dict[str, str]
    query: dict[str, str]
    path: dict[str, Any]
    api: Api
    correlation_id: str
    form_token: str = ""  # the sign-in form's CSRF token (its pre-session cookie's value)
    new_session: tuple[str, SignedIn] | None = None  # set by the sign-in page
    end_session: bool = False  # set by the sign-out page


def environment() -> Environment:
    env = Environment(loader=ChoiceLoader([
        PackageLoader("console"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ]), autoescape=select_autoescape(("html",)), trim_blocks=True, lstrip_blocks=True)
    from console import translation

    env.filters.update(translation.FILTERS)
    return env


TEMPLATES = environment()


def content_security_policy(nonce: str) -> str:
    return ("default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' data:;"
            " font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def secure_cookies(request: Request) -> bool:
    """Secure cookies over HTTPS (or behind a proxy that terminates it); plain http on 127.0.0.1 for bin/run."""
    return (request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https"
            or os.environ.get("CONSOLE_SECURE_COOKIES", "") in ("1", "true"))


class Page(HttpRequestHandler):
    server = JsonWebServer()  # the same server (and port) as the JSON routes (/health, /metrics)
    telemetry = Telemetry()

    def __init__(self, method: str, url: str, roles: tuple[str, ...] | None = PUBLIC, title: str = "",
                 **kwargs: Any) -> None:
        self.roles, self.title = roles, title
        kwargs.setdefault("expected_exceptions", (ApiError, ServiceUnavailable))
        super().__init__(method, url, **kwargs)

    def handle_request(self, request: Request) -> Response:
        started = time.perf_counter()
        request.shallow = False
        correlation_id = new_correlation_id()
        nonce = secrets.token_urlsafe(16)
        signed: SignedIn | None = None
        try:
            accounts = find_provider(self.container, AccountsProvider).accounts
            if not self.url.startswith("/assets/"):  # a stylesheet or an image needs no session (nor its write)
                signed = accounts.session(request.cookies.get(SESSION_COOKIE))
            form = self.read_form(request, signed)
            if self.roles is not None:
                if signed is None:
                    response = redirect("/sign-in?next=" + quote(request.full_path.rstrip("?"), safe="/?=&"))
                    return self.finish(request, response, started)
                if self.roles != ANYONE_SIGNED_IN and signed.role not in self.roles:
                    raise ApiError(403, {"message": "your role does not use this page"})
            services = find_provider(self.container, ServicesProvider)
            visit = Visit(signed, form, {k: v for k, v in request.args.items()}, dict(request.path_values),  # type: ignore[attr-defined]
                          Api(services.urls, services.session, signed.credential if signed else None,
                              correlation_id), correlation_id,
                          form_token=request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24))
            done = Event()
            self.container.spawn_worker(self, (visit,), {}, context_data={"correlation_id": correlation_id},
                                        handle_result=partial(self.handle_result, done))
            result = done.wait()
            response = self.answer(request, result, visit, nonce)
        except ApiError as error:
            if error.status == 401 and signed is not None:  # the credential was revoked: the session is over
                response = redirect("/sign-in?ended=1")
                response.delete_cookie(SESSION_COOKIE, path="/")
            else:
                response = self.error_page(error.status if error.status in (403, 404, 409, 413, 422) else 400,
                                           signed, nonce, error.message)
        except ServiceUnavailable as error:
            response = self.error_page(503, signed, nonce, f"the {error.service} service is not answering")
        except Exception as error:  # noqa: BLE001  (every failure is a page, with only a correlation id)
            log.error("page %s %s failed (correlation %s)", self.method, self.url, correlation_id,
                      exc_info=(type(error), error, error.__traceback__))
            response = self.error_page(500, signed, nonce, correlation_id=correlation_id)
        response.headers["Content-Security-Policy"] = content_security_policy(nonce)
        response.headers["X-Correlation-Id"] = correlation_id
        return self.finish(request, response, started)

    def finish(self, request: Request, response: Response, started: float) -> Response:
        for key, value in (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                           ("Referrer-Policy", "same-origin"), ("Cache-Control", "no-store")):
            response.headers.setdefault(key, value)
        self.telemetry.metrics.answered(self.url, request.method, response.status_code, time.perf_counter() - started)
        return response

    def read_form(self, request: Request, signed: SignedIn | None) -> dict[str, str]:
        if request.method != "POST":
            return {}
        if (request.content_length or 0) > MAX_FORM_BYTES:
            raise ApiError(413, {"message": "the form is too large"})
        request.max_content_length = MAX_FORM_BYTES
        form = {key: value for key, value in request.form.items() if "\x00" not in key + value}
        expected = signed.csrf if signed is not None else request.cookies.get(FORM_COOKIE, "")
        if not expected or not hmac.compare_digest(form.get("csrf_token", ""), expected):
            raise ApiError(403, {"message": "the form had expired or did not come from this console: go back, "
                                            "reload the page and send it again"})
        return form

    def answer(self, request: Request, result: Any, visit: Visit, nonce: str) -> Response:
        if isinstance(result, Response):
            response = result
        else:
            view: View = result
            signed = visit.new_session[1] if visit.new_session else (None if visit.end_session else visit.signed)
            response = render(view, signed, nonce, request.path, self.title, visit.form_token,
                              request.full_path.rstrip("?"))
        if visit.new_session is not None:
            response.set_cookie(SESSION_COOKIE, visit.new_session[0], httponly=True, samesite="Lax", path="/",
                                secure=secure_cookies(request))
        if visit.end_session:
            find_provider(self.container, AccountsProvider).accounts.sign_out(request.cookies.get(SESSION_COOKIE, ""))
            response.delete_cookie(SESSION_COOKIE, path="/")
        if self.url == "/sign-in" and visit.new_session is None:
            response.set_cookie(FORM_COOKIE, visit.form_token, httponly=True, samesite="Strict", path="/sign-in",
                                secure=secure_cookies(request))
        return response

    def error_page(self, status: int, signed: SignedIn | None, nonce: str, message: str = "",
                   correlation_id: str = "") -> Response:
        return render(View("error.html", {"status": status, "message": message, "correlation_id": correlation_id},
                           status), signed, nonce, "", "")


def render(view: View, signed: SignedIn | None, nonce: str, path: str, title: str, form_token: str = "",
           full_path: str = "") -> Response:
    """The page; ``full_path`` (with its query) is where a form posts back to, unless the view says otherwise."""
    values = {"signed": signed, "sections": sections_for(signed.role) if signed else [], "cspNonce": nonce,
              "current_path": path, "current_full_path": full_path or path,
              "csrf_token": signed.csrf if signed else form_token, "page_title": title, **view.values}
    html = TEMPLATES.get_template(view.template).render(**values)
    return Response(html, status=view.status, mimetype="text/html")


def redirect(location: str, status: int = 303) -> Response:
    return Response("", status=status, headers={"Location": location})


def local_path(candidate: str | None, default: str) -> str:
    """Where to go after signing in: only a path on this console (no open redirect)."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate \
            and HEADER_VALUE.match(candidate.lstrip("/").split("?")[0] or "x"):
        return candidate
    return default


page = Page.decorator
