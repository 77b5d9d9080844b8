"""The blind index finds clients by every kind of identifier, stores no readable one, and forgets on erasure."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError

from chassis.application import build_application
from chassis.idempotency import Once
from contracts.referrals import ClientSearch, SubmitReferral
from launcher.demo_people import referral_form
from referrals.application import Referrals
from referrals.identity import IdentityIndex

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


@pytest.fixture
def app(tmp_path):
    application = build_application(Referrals, {"DATA_DIR": str(tmp_path / "var")})
    application.migrate()
    yield application
    application.close()


@pytest.fixture
def index(app):
    return IdentityIndex(app, bytes(32))


def refer(app, index, number: int, partner: str = "club", **person) -> dict:
    try:
        app.register_partner(Once("hub", f"register-{partner}"), partner, partner.title(), "work_club", WHEN)
    except Exception:
        pass  # registered already
    form = referral_form(number, partner, "doctor", WHEN.isoformat())
    form["person"].update(person)
    form["external_reference"] = f"CASE/{number}"
    loaded = SubmitReferral().load(form)
    answer, _ = app.submit_referral(Once(partner, uuid.uuid4().hex), loaded, lambda client_id, data: "v1.sealed", index)
    return {**answer, "form": form}


def search(index, **criteria) -> list[dict]:
    return index.search(ClientSearch().load(criteria))


def test_each_kind_finds_the_client_and_its_referrals(app, index):
    one = refer(app, index, 600_001, full_name="Zainab Adeyemi-Okoro")
    person = one["form"]["person"]
    again = refer(app, index, 600_001, full_name="Zainab Adeyemi-Okoro")  # the same person referred twice
    assert again["client_id"] == one["client_id"]
    expected = sorted([one["referral_id"], again["referral_id"]])
    for criteria, kind in (({"ni_number": person["ni_number"].lower()}, "ni_number"),
                           ({"mobile": person["mobile"]}, "mobile"),
                           ({"email": person["email"].upper()}, "email"),
                           ({"full_name": "  zainab ADEYEMI-okoro "}, "full_name"),
                           ({"external_reference": "case/600001", "partner_id": "club"}, "external_reference")):
        found = search(index, **criteria)
        assert found == [{"client_id": one["client_id"], "matched_on": [kind], "referral_ids": expected}], kind
    both = search(index, full_name="Zainab Adeyemi-Okoro", date_of_birth=person["date_of_birth"])
    assert both[0]["matched_on"] == ["name_dob", "full_name"]


def test_many_clients_may_share_a_name_and_nothing_else_finds_them(app, index):
    first = refer(app, index, 600_010, full_name="José Martins")
    second = refer(app, index, 600_011, full_name="Jose  MARTINS")
    found = search(index, full_name="jose martins")
    assert {c["client_id"] for c in found} == {first["client_id"], second["client_id"]}
    assert search(index, full_name="Jose Martin") == []
    assert search(index, external_reference="CASE/600010", partner_id="another-club") == []
    named_by_another_script = refer(app, index, 600_012, full_name="محمد علي")
    assert [c["client_id"] for c in search(index, full_name="محمد علي")] == [named_by_another_script["client_id"]]
    assert search(index, full_name="李小龙", date_of_birth=named_by_another_script["form"]["person"]["date_of_birth"]) \
        == []  # the ASCII folding of name_dob would make both names empty: the date alone never matches


def test_no_readable_identifier_is_stored_and_erasure_forgets_the_client(app, index):
    client = refer(app, index, 600_020, full_name="Halima Begum-Rahman")
    person = client["form"]["person"]
    rows = app.query("SELECT kind, digest, client_id, referral_id FROM referrals_search_terms")
    text = " ".join(str(value) for row in rows for value in row).casefold()
    for secret in (person["full_name"], "halima", "begum", person["ni_number"], person["email"], person["mobile"],
                   "case/600020"):
        assert secret.casefold() not in text
    index.forget(uuid.UUID(client["client_id"]))
    for criteria in ({"full_name": "Halima Begum-Rahman"}, {"ni_number": person["ni_number"]},
                     {"external_reference": "CASE/600020", "partner_id": "club"}):
        assert search(index, **criteria) == []


def test_a_correction_replaces_the_name_it_is_found_by(app, index):
    client = refer(app, index, 600_030, full_name="Grace Mensa")
    client_id, referral_id = uuid.UUID(client["client_id"]), uuid.UUID(client["referral_id"])
    corrected = {**client["form"]["person"], "full_name": "Grace Mensah", "email": "grace.m@example.org"}
    index.note(client_id, referral_id, {**index.digests(corrected), **index.search_digests(corrected)}, corrected=True)
    assert search(index, full_name="Grace Mensa") == []
    assert search(index, full_name="Grace Mensah")[0]["client_id"] == str(client_id)
    assert search(index, email="grace.m@example.org")[0]["matched_on"] == ["email"]
    assert search(index, external_reference="CASE/600030", partner_id="club")[0]["referral_ids"] == [str(referral_id)]


@pytest.mark.parametrize("body,field", [({}, "_schema"), ({"date_of_birth": "1980-01-01"}, "full_name"),
                                        ({"external_reference": "CASE-1"}, "partner_id"),
                                        ({"partner_id": "club"}, "external_reference"),
                                        ({"full_name": "  "}, "_schema"), ({"ni_number": "AB1"}, "ni_number"),
                                        ({"email": "a@example.org", "nickname": "x"}, "nickname")])
def test_a_search_names_what_is_missing_or_wrong(body, field):
    with pytest.raises(ValidationError) as refused:
        ClientSearch().load(body)
    assert field in refused.value.messages


def test_names_in_another_script_are_told_apart_by_identity_matching_and_latin_digests_are_unchanged(index):
    """A name with no Latin letters used to fold to nothing, so everyone born on one day with such a name shared
    one name-and-birth digest (and was flagged as the same person). Latin names keep their stored digests."""
    import hashlib
    import hmac

    born = "1984-05-17"
    first = index.digests({"full_name": "محمد علي", "date_of_birth": born})["name_dob"]
    second = index.digests({"full_name": "فاطمة حسن", "date_of_birth": born})["name_dob"]
    again = index.digests({"full_name": " محمد  علي ", "date_of_birth": born})["name_dob"]
    assert first != second and first == again
    as_stored = hmac.new(index.key, f"name_dob:jose alvarez|{born}".encode(), hashlib.sha256).hexdigest()
    assert index.digests({"full_name": "José  Álvarez", "date_of_birth": born})["name_dob"] == as_stored
