"""Forms made from the contracts' schemas: what a browser sends becomes the API's body, and the API's 422 comes
back on the fields it names."""
from __future__ import annotations

from console.domain import forms
from contracts import referrals as rf


def test_the_referral_form_asks_for_the_contracts_fields_with_the_right_kinds() -> None:
    questions = {q.name: q for q in forms.flat(forms.form_of(rf.SubmitReferral(), skip=("partner_id", "documents")))}
    assert questions["person.full_name"].kind == "text" and questions["person.full_name"].required
    assert questions["person.address.lines"].kind == "lines"
    assert questions["person.date_of_birth"].kind == "date" and not questions["person.date_of_birth"].required
    assert questions["occurred_at"].kind == "datetime"
    assert questions["ielts_taken"].kind == "yesno"
    assert questions["profession"].kind == "select" and ("nurse", "Nurse") in questions["profession"].choices
    assert questions["person.gender"].kind == "radios"
    assert "partner_id" not in questions and not any(name.startswith("documents") for name in questions)


def test_a_submitted_form_is_the_api_body() -> None:
    questions = forms.form_of(rf.SubmitReferral(), skip=("partner_id", "documents"))
    body, errors = forms.parse(questions, {
        "person.full_name": " A. Example ", "person.address.lines": "1 Road\n\n  Flat 2 ", "ielts_taken": "no",
        "person.date_of_birth-day": "7", "person.date_of_birth-month": "3", "person.date_of_birth-year": "1984",
        "occurred_at-day": "1", "occurred_at-month": "7", "occurred_at-year": "2024", "occurred_at-time": "9:30"})
    assert errors == {}
    assert body["person"]["full_name"] == "A. Example"
    assert body["person"]["address"]["lines"] == ["1 Road", "Flat 2"]
    assert body["person"]["date_of_birth"] == "1984-03-07"
    assert body["occurred_at"] == "2024-07-01T09:30:00+01:00"  # London summer time
    assert body["ielts_taken"] is False
    assert "email" not in body["person"]  # left out: the API says what is missing


def test_what_a_browser_cannot_say_in_json_is_checked_here() -> None:
    questions = forms.form_of(rf.RecordContactAttempt())
    _, errors = forms.parse(questions, {"occurred_at-day": "31", "occurred_at-month": "2", "occurred_at-year": "2024"})
    assert "real date" in errors["occurred_at"]
    _, errors = forms.parse(questions, {"occurred_at-day": "1", "occurred_at-month": "2", "occurred_at-year": "2024",
                                        "occurred_at-time": "25:00"})
    assert "24-hour" in errors["occurred_at"]


def test_the_apis_errors_land_on_the_fields_they_name() -> None:
    found = forms.field_errors({"person": {"address": {"lines": {"0": ["Shorter than minimum length 1."]},
                                                       "postcode": ["not a UK postcode"]},
                                           "email": ["Not a valid email address."]},
                                "outcome": ["Missing data for required field."], "_schema": ["x"]})
    assert found == {"person.address.lines": "Shorter than minimum length 1.",
                     "person.address.postcode": "not a UK postcode", "person.email": "Not a valid email address.",
                     "outcome": "Missing data for required field.", "_schema": "x"}
