"""Every service's audit chain over HTTP, checked by the offline verifier's code: it verifies after some events, its
zip verifies offline, and an event altered in PostgreSQL makes it fail, naming the event."""
from __future__ import annotations

import io
import uuid
import zipfile

import psycopg

from chassis import audit, config
from launcher.services import SERVICES
from tests.support.enterprise_staff import Staff, cohort_and_round
from tests.support.journeys import accepted_client
from tests.support.waiting import form, get, key, post, wait_for


def chain(platform, credential: str, service: str) -> dict:
    answer = get(platform.url(service, "/audit/chain"), credential)
    assert answer.status_code == 200, answer.text
    return answer.json()


def settled(found: dict) -> bool:
    """Every stored event chained and the head signed (nothing left for the relay to do)."""
    return found["events"] > 0 and found["chained"] == found["events"] and found["findings"] == []


def test_every_services_chain_verifies_after_some_events_and_its_zip_offline(platform, credentials, caseworker,
                                                                              registered_contracts, tmp_path):
    accepted_client(platform, credentials, caseworker)  # referrals and pathways
    cohort_and_round(Staff(platform, credentials))  # enterprises
    auditor = credentials("audit-office", "auditor")  # (reporting: the contracts registered)
    public = audit.public_key_text(audit.signing_key(platform.env))
    for spec in SERVICES:
        found = wait_for(lambda name=spec.name: chain(platform, auditor, name), settled, timeout=60,
                         what=f"{spec.name}'s chain to catch up")
        assert (found["service"], found["public_key"], found["verified"]) == (spec.name, public, True)
        assert found["checkpoints"] >= 1 and found["last_checkpoint"]["notification_id"] > 0
        assert set(found["last_checkpoint"]) == {"notification_id", "chain_hash", "signed_at"}

        exported = get(platform.url(spec.name, "/audit/chain/export"), auditor)
        assert exported.status_code == 200, exported.text
        assert exported.headers["Content-Type"] == "application/zip"
        assert exported.headers["Content-Disposition"].startswith(f'attachment; filename="{spec.name}-audit-chain-')
        directory = tmp_path / spec.name
        with zipfile.ZipFile(io.BytesIO(exported.content)) as bundle:
            bundle.extractall(directory)
            assert bundle.read("public_key.txt").decode().strip() == public
            assert f"--service {spec.name} --public-key {public}" in bundle.read("README.txt").decode()
        assert [f for f in audit.verify(str(directory), spec.name, public) if f.kind != "unsigned"] == []
    assert get(platform.url("referrals", "/audit/chain"), caseworker).status_code == 403
    assert get(platform.url("reporting", "/audit/chain/export"), credentials("swbh-trust", "finance")).status_code \
        == 403


def test_an_event_altered_in_the_database_fails_the_check_naming_it(platform, credentials, caseworker):
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    referral = post(platform.url("referrals", "/referrals"), form(partner), key(), credentials(partner, "referrer"))
    assert referral.status_code == 201, referral.text
    auditor = credentials("audit-office", "auditor")
    database = config.postgres_conninfo(config.database_name("referrals", platform.env))
    with psycopg.connect(database, autocommit=True) as connection:
        notification_id, state = connection.execute(
            "SELECT notification_id, state FROM referrals_events WHERE originator_id = %s AND originator_version = 1",
            (referral.json()["referral_id"],)).fetchone()
        wait_for(lambda: chain(platform, auditor, "referrals"),
                 lambda found: found["chained"] >= notification_id and found["verified"], what="the referral chained")
        # one byte more in the referral's stored state (a space: the JSON still reads, so nothing else breaks)
        connection.execute("UPDATE referrals_events SET state = state || '\\x20'::bytea WHERE notification_id = %s",
                           (notification_id,))
        try:
            tampered = chain(platform, auditor, "referrals")
            assert tampered["verified"] is False
            assert f"altered: notification {notification_id}: its stored bytes changed since it was chained" in \
                tampered["findings"]
        finally:
            connection.execute("UPDATE referrals_events SET state = %s WHERE notification_id = %s",
                               (state, notification_id))
    assert chain(platform, auditor, "referrals")["verified"] is True  # the original bytes verify again
