"""What several pages share: a step form posted to a service, and reading a date-time query."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from console.apis import ApiError
from console.domain import forms
from console.web import View, Visit, redirect


def now_fields(name: str = "occurred_at") -> dict[str, str]:
    """A form's date-time question filled in with the time now (London), which the person may change."""
    moment = datetime.now(forms.LONDON)
    return {f"{name}-day": str(moment.day), f"{name}-month": str(moment.month), f"{name}-year": str(moment.year),
            f"{name}-time": moment.strftime("%H:%M")}


def form_view(title: str, questions: tuple[forms.FormField, ...], values: dict[str, str],
              errors: dict[str, str] | None = None, status: int = 200, **extra: Any) -> View:
    values = {"idempotency_key": secrets.token_hex(16), **values}
    return View("form.html", {"title": title, "questions": questions, "values": values, "errors": errors or {},
                              **extra}, 422 if errors else status)


def refused(error: ApiError) -> dict[str, str]:
    """A 422's messages by the form's field names (the API's ``fields``, or its rule's words); any other
    refusal goes on to the entrypoint, which answers with its page."""
    if error.status != 422:
        raise error
    return forms.field_errors(error.fields) or {"_schema": error.message}


def submit(visit: Visit, questions: tuple[forms.FormField, ...], title: str, service: str, path: str, done: str,
           fixed: dict[str, Any] | None = None, defaults: dict[str, Any] | None = None, **extra: Any) -> Any:
    """GET: the form of ``questions``. POST: the form as the body (over ``defaults``, under ``fixed``), posted
    once (the form's own Idempotency-Key, so sending it twice stores it once); the API's 422 shown on the
    fields; else to ``done`` (formatted with the answer's fields)."""
    if not visit.form:
        return form_view(title, questions, now_fields(), **extra)
    body, errors = forms.parse(questions, visit.form)
    body = {**(defaults or {}), **body, **(fixed or {})}
    if not errors:
        try:
            answer = visit.api.post(service, path, body, visit.form.get("idempotency_key") or secrets.token_hex(16))
        except ApiError as error:
            errors = refused(error)
        else:
            return redirect(done.format(**(answer or {})))
    return form_view(title, questions, visit.form, errors, **extra)


def moment_query(query: dict[str, str], name: str) -> tuple[str | None, str | None]:
    """A date-time asked for in a GET form (``name-day`` ...): (ISO text, error)."""
    body, errors = forms.parse((forms.FormField(name, name, "datetime", False),), query)
    return body.get(name), errors.get(name)
