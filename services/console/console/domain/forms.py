"""A contract's body schema as a form, a submitted form as the body, and the API's errors back on the fields.

The forms are made from the very marshmallow schemas the services validate with (contracts/), so a page asks
for what the API takes and shows the API's own messages next to the fields it names (422 ``fields``). Only what
a browser cannot say in JSON is checked here: a date given as day, month and year, and a time of day.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, validate
from marshmallow import fields as mf

LONDON = ZoneInfo("Europe/London")
#: the words a page shows for a field (otherwise its name, humanised)
LABELS = {
    "full_name": "Full name", "email": "Email address", "mobile": "Mobile number",
    "ni_number": "National Insurance number",
    "date_of_birth": "Date of birth", "country_of_origin": "Country of origin", "lines": "Street address",
    "postcode": "Postcode", "town": "Town or city", "occurred_at": "When did it happen?",
    "right_to_work": "Does the person have the right to work in the UK?", "profession": "Profession",
    "country_qualified_in": "Country where the person qualified", "speciality_detail": "Speciality and experience",
    "support_needed": "Support needed", "ielts_taken": "Has the person taken IELTS?",
    "ielts_score_needed": "IELTS score needed (if known)", "external_reference": "Your case reference",
    "outcome": "What happened?", "lawful_basis": "Lawful basis", "privacy_notice_given": "Privacy notice given?",
    "consent_given": "Consent given?", "lives_in_area": "Lives in the programme area?",
    "overseas_health_qualification": "Holds an overseas health qualification?",
    "immigration_status": "Immigration status", "english": "English level",
    "registered": "Registered with the regulator?",
    "regulator": "Regulator", "reason": "Reason", "person": "The person",
    "address": "Address", "gender": "Gender",
}
WORDS = {"gmc": "GMC", "nmc": "NMC", "hcpc": "HCPC", "gphc": "GPhC", "gdc": "GDC", "esol": "ESOL", "nhs": "NHS",
         "ielts": "IELTS", "uk": "UK", "oet": "OET", "e": "E"}


def humanise(name: str) -> str:
    words = [WORDS.get(part, part) for part in re.split(r"[_\-]", name) if part]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class FormField:
    """One question of a form; ``name`` is its dotted path in the body (``person.address.postcode``)."""

    name: str
    label: str
    kind: str  # text | email | tel | textarea | lines | radios | select | yesno | date | datetime | number
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    children: tuple[FormField, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return self.name.replace(".", "-")


def _choices(item: mf.Field) -> tuple[tuple[str, str], ...]:
    validators = item.validators if isinstance(item.validators, list) else [item.validators]
    for validator in validators:
        if isinstance(validator, validate.OneOf):
            return tuple((str(choice), humanise(str(choice))) for choice in validator.choices)
    return ()


def _kind(name: str, item: mf.Field) -> str:
    if isinstance(item, mf.Boolean):
        return "yesno"
    if isinstance(item, mf.Date):  # before DateTime: marshmallow's Date is a DateTime
        return "date"
    if isinstance(item, (mf.AwareDateTime, mf.DateTime)):
        return "datetime"
    if isinstance(item, (mf.Decimal, mf.Integer, mf.Float)):
        return "number"
    if isinstance(item, mf.Email):
        return "email"
    if isinstance(item, mf.List) and isinstance(item.inner, mf.String):
        return "lines"
    if _choices(item):
        return "radios" if len(_choices(item)) <= 8 else "select"
    if name in ("mobile",):
        return "tel"
    if name in ("speciality_detail", "support_needed"):
        return "textarea"
    return "text"


def form_of(schema: Schema, prefix: str = "", skip: tuple[str, ...] = ()) -> tuple[FormField, ...]:
    """The questions of ``schema``'s fields in their order (lists of objects, such as documents, are left to the
    API: a form of a few clicks cannot carry a file's digest)."""
    found = []
    for name, item in schema.fields.items():
        key = item.data_key or name
        if key in skip or item.dump_only:
            continue
        dotted = f"{prefix}{key}"
        hint = str(item.metadata.get("description", ""))
        if isinstance(item, mf.Nested):
            nested = item.schema
            found.append(FormField(dotted, LABELS.get(key, humanise(key)), "group", item.required, hint=hint,
                                   children=form_of(nested, dotted + ".")))
        elif isinstance(item, mf.List) and not isinstance(item.inner, mf.String):
            continue
        else:
            found.append(FormField(dotted, LABELS.get(key, humanise(key)), _kind(key, item), item.required,
                                   _choices(item), hint))
    return tuple(found)


def flat(fields_: tuple[FormField, ...]) -> list[FormField]:
    out: list[FormField] = []
    for item in fields_:
        out.extend(flat(item.children) if item.kind == "group" else [item])
    return out


def _put(body: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for parent in parents:
        body = body.setdefault(parent, {})
    body[last] = value


def _date(form: dict[str, str], name: str) -> date | None:
    parts = [form.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
        raise ValueError("Enter a real date, as day, month and year in numbers, for example 27 3 2024")
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ValueError("Enter a real date, for example 27 3 2024") from None


def parse(fields_: tuple[FormField, ...], form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API body a submitted form says, and what the form itself could not read (by field name). Empty
    answers are left out, so the API names what is missing in its own words."""
    body: dict[str, Any] = {}
    errors: dict[str, str] = {}
    _groups(fields_, body)  # a part left empty is sent empty, so the API names each of its missing questions
    for item in flat(fields_):
        try:
            if item.kind in ("date", "datetime"):
                day = _date(form, item.name)
                if day is None:
                    continue
                if item.kind == "date":
                    _put(body, item.name, day.isoformat())
                    continue
                text = form.get(f"{item.name}-time", "").strip() or "00:00"
                match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])", text)
                if match is None:
                    raise ValueError("Enter a time of day on the 24-hour clock, for example 14:30")
                moment = datetime.combine(day, time(int(match[1]), int(match[2])), LONDON)
                _put(body, item.name, moment.isoformat())
                continue
            value = form.get(item.name, "")
            value = value.strip() if isinstance(value, str) else value
            if value == "":
                continue
            if item.kind == "yesno":
                _put(body, item.name, {"yes": True, "no": False}.get(value, value))
            elif item.kind == "lines":
                _put(body, item.name, [line.strip() for line in value.splitlines() if line.strip()])
            else:
                _put(body, item.name, value)
        except ValueError as error:
            errors[item.name] = str(error)
    return body, errors


def _groups(fields_: tuple[FormField, ...], body: dict[str, Any]) -> None:
    for item in fields_:
        if item.kind == "group":
            _groups(item.children, body.setdefault(item.name.rsplit(".", 1)[-1], {}))


def field_errors(messages: Any, prefix: str = "") -> dict[str, str]:
    """The API's 422 ``fields`` (nested as the body is) as one message per dotted field name."""
    found: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            found.update(field_errors(value, f"{prefix}{key}."))
    elif isinstance(messages, list):
        texts = [str(item) for item in messages if not isinstance(item, (dict, list))]
        nested = [item for item in messages if isinstance(item, (dict, list))]
        if texts:
            found[prefix.rstrip(".") or "_schema"] = " ".join(texts)
        for item in nested:
            found.update(field_errors(item, prefix))
    else:
        found[prefix.rstrip(".") or "_schema"] = str(messages)
    # a message on one line of a list (person.address.lines.0) belongs to the list's question
    return {re.sub(r"\.[0-9]+$", "", name): text for name, text in found.items()}
