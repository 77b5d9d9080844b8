"""Every field rule of the placement referral form answers with the field at fault."""
from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from contracts.referrals import SubmitReferral
from launcher.demo_people import referral_form

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def valid() -> dict:
    return referral_form(7, "ladywood-work-club", "doctor", "2018-09-03T10:00:00+00:00")


def test_the_journal_form_loads():
    loaded = SubmitReferral().load(valid())
    assert loaded["person"]["full_name"] and loaded["documents"][0]["type"] == "degree_certificate"


@pytest.mark.parametrize("path,value", [
    (("person", "ni_number"), "QQ123456C"),           # Q is never a prefix letter
    (("person", "ni_number"), "GB123456A"),           # a prefix never issued
    (("person", "ni_number"), "AB123456E"),           # the suffix is A-D
    (("person", "email"), "not-an-email"),
    (("person", "mobile"), "call me"),
    (("person", "gender"), "unknown"),
    (("person", "date_of_birth"), TOMORROW),
    (("person", "address", "postcode"), "12345"),
    (("person", "full_name"), ""),
    (("profession",), "astronaut"),
    (("right_to_work",), "maybe"),
    (("ielts_score_needed",), "9.5"),
    (("occurred_at",), "2099-01-01T00:00:00+00:00"),
    (("occurred_at",), "2018-09-03T10:00:00"),        # no time zone
    (("documents", 0, "sha256"), "abc"),
    (("documents", 0, "issued_on"), TOMORROW),
    (("documents", 0, "type"), "selfie"),
    (("unexpected",), "field"),
])
def test_a_field_that_breaks_its_rule_is_named(path, value):
    body = copy.deepcopy(valid())
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as error:
        SubmitReferral().load(body)
    messages = error.value.messages
    for step in path:
        assert step in messages, (path, messages)
        messages = messages[step]


def test_a_missing_required_field_is_named():
    body = valid()
    del body["person"]["email"], body["ielts_taken"]
    with pytest.raises(ValidationError) as error:
        SubmitReferral().load(body)
    assert error.value.messages == {"person": {"email": ["Missing data for required field."]},
                                    "ielts_taken": ["Missing data for required field."]}


def test_demo_and_test_people_never_share_an_identifier_identity_matching_uses():
    """The demo numbers people from 0 and tests from 500,000; a shared identifier (name with date of birth
    included) would attach a test's referral to a demo client, whose pathway it would then inherit."""
    from referrals.identity import normalised

    owners: dict[tuple[str, str], int] = {}
    for number in [*range(2_000), *range(500_000, 505_000), 999_999]:
        person = referral_form(number, "p", "doctor", "2018-09-03T10:00:00+00:00")["person"]
        for kind, value in normalised(person).items():
            assert owners.setdefault((kind, value), number) == number, (kind, owners[(kind, value)], number)


def test_demo_people_have_identifiers_apart_from_those_realistic_test_data_uses():
    """A new user's people (Ofcom's 07700 900xxx drama mobiles, NI numbers ending C, example.org emails) never
    share an identifier with a demo person, so identity matching never attaches them to a demo client."""
    from launcher.demo_people import DEMO_NUMBERS

    for number in range(DEMO_NUMBERS):
        form = SubmitReferral().load(referral_form(number, "p", "nurse", "2018-09-03T10:00:00+00:00"))["person"]
        assert not form["mobile"].startswith(("+447700900", "07700900")), form["mobile"]
        assert form["mobile"].startswith(("+44121496", "+441632960"))
        assert form["ni_number"].endswith("D") and form["email"].endswith("@demo.use-it.example")
