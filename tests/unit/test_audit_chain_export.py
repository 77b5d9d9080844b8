"""The audit chain's zip holds what the offline verifier needs: unzipped, it verifies with its own public key and
the command its README gives; an altered event in it is named (chassis.chain_endpoints)."""
from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pytest

from chassis import audit
from chassis.application import build_application
from chassis.chain_endpoints import check, export_zip
from referrals.application import Referrals
from tests.unit.test_idempotency import submit


@pytest.fixture
def key():
    return audit.signing_key({"AUDIT_SIGNING_KEY": audit.new_signing_key()})


@pytest.fixture
def app(tmp_path, key):
    application = build_application(Referrals, {"DATA_DIR": str(tmp_path / "var")})
    application.migrate()
    for _ in range(3):
        submit(application, "club", uuid.uuid4().hex, "club", "doctor")
    while audit.advance(application, key, limit=2):
        pass
    yield application
    application.close()


def unzipped(data: bytes, directory) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        bundle.extractall(directory)
        return {name: bundle.read(name).decode() for name in bundle.namelist()}


def test_the_zip_verifies_offline_from_its_own_files(app, key, tmp_path):
    public = audit.public_key_text(key)
    files = unzipped(export_zip(app, "referrals", public), tmp_path / "export")
    assert set(files) == {"events.csv", "chain.csv", "checkpoints.csv", "public_key.txt", "README.txt"}
    assert files["public_key.txt"].strip() == public
    command = f"python -m chassis.audit verify . --service referrals --public-key {public}"
    assert command in files["README.txt"]
    assert len(list(csv.reader(io.StringIO(files["events.csv"])))) == 4  # the partner and three referrals
    assert audit.verify(str(tmp_path / "export"), "referrals", files["public_key.txt"].strip()) == []
    assert audit.main(["verify", str(tmp_path / "export"), "--service", "referrals", "--public-key", public]) == 0


def test_an_event_altered_in_the_zip_is_named_and_the_check_agrees(app, key, tmp_path):
    public = audit.public_key_text(key)
    files = unzipped(export_zip(app, "referrals", public), tmp_path / "export")
    rows = list(csv.reader(io.StringIO(files["events.csv"])))
    rows[1][4] = rows[1][4] + "20"  # one more byte in the second event's stored state
    with open(tmp_path / "export" / "events.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    found = audit.verify(str(tmp_path / "export"), "referrals", public)
    assert [(f.kind, f.notification_id) for f in found] == [("altered", int(rows[1][0])),
                                                            ("checkpoint", int(rows[-1][0]))]  # nor its signed head
    assert audit.main(["verify", str(tmp_path / "export"), "--service", "referrals", "--public-key", public]) == 1

    now = check(app, "referrals", public)  # the live store is untouched
    assert {k: now[k] for k in ("service", "events", "chained", "checkpoints", "verified", "findings")} == {
        "service": "referrals", "events": 4, "chained": 4, "checkpoints": 1, "verified": True, "findings": []}
    assert now["last_checkpoint"]["notification_id"] == int(rows[-1][0])
    other = audit.public_key_text(audit.signing_key({"AUDIT_SIGNING_KEY": audit.new_signing_key()}))
    assert check(app, "referrals", other)["findings"][0].startswith("checkpoint")  # another key verifies nothing
    with app.sql() as sql:
        sql.execute("UPDATE stored_events SET state = CAST(state || x'20' AS BLOB) WHERE rowid = %s",
                    (int(rows[1][0]),))
    tampered = check(app, "referrals", public)
    assert tampered["verified"] is False and tampered["findings"][0].startswith(f"altered: notification {rows[1][0]}")
