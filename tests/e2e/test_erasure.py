"""Erasing a client mid-programme: personal data unreadable everywhere, counts intact, the chain still verifies."""
from __future__ import annotations

import uuid

import psycopg
import pytest

from chassis import audit, config
from chassis.application import build_application
from chassis.serve import load
from chassis.vault import Vault, master_key
from launcher.services import SERVICES
from referrals.application import Referrals
from tests.support.journeys import step
from tests.support.ledger import BOND, ledger_history, ledger_step
from tests.support.waiting import form, get, key, post, wait_for


@pytest.fixture
def referrals_app(platform):
    app = build_application(Referrals, platform.env)
    yield app
    app.close()


def every_table_text(platform) -> str:
    """Every row of every table of every service database, as text."""
    dump = []
    for spec in SERVICES:
        with psycopg.connect(config.postgres_conninfo(config.database_name(spec.name, platform.env))) as connection:
            tables = [r[0] for r in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"').fetchall():
                    dump.append(" ".join(bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v)
                                         for v in row))
    return "\n".join(dump)


def hub_view(platform, caseworker: str, answer: dict) -> dict:
    """A referral as the hub sees it (the referrer's own answer leaves out the client's id)."""
    return get(platform.url("referrals", f"/referrals/{answer['referral_id']}"), caseworker).json()


def key_row(platform, client_id: str) -> str | None:
    with psycopg.connect(config.postgres_conninfo(config.database_name("referrals", platform.env))) as connection:
        row = connection.execute("SELECT wrapped FROM chassis_subject_keys WHERE subject_id = %s",
                                 (client_id,)).fetchone()
    return row[0] if row else None


def key_table_file(platform) -> bytes:
    """The raw bytes of the key table's heap file, read by the server (the tests connect as a superuser)."""
    with psycopg.connect(config.postgres_conninfo(config.database_name("referrals", platform.env)),
                         autocommit=True) as connection:
        connection.execute("CHECKPOINT")  # dirty pages to the file first, so the file is what is on disk
        return bytes(connection.execute(
            "SELECT pg_read_binary_file(pg_relation_filepath('chassis_subject_keys'))").fetchone()[0])


def paid_job_start(platform, credentials, caseworker, client: str) -> str:
    """The client starts an NHS job in May 2019 and the bond pays for it: the outcome's reference."""
    admin, nhs = credentials("programme-office", "admin"), credentials("swbh-trust", "finance")
    step(platform, caseworker, client, "NMC", "right_to_work_check", {"valid_until": None}, "2019-04-01T09:00:00+00:00")
    step(platform, caseworker, client, "NMC", "employment_started",
         {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "staff nurse"},
         "2019-05-01T09:00:00+00:00")
    ref = wait_for(lambda: [e["outcome_ref"] for e in ledger_history(platform, admin, client)], bool,
                   what="the outcome")[0]
    for kind in ("employer_letter", "payslip"):
        ledger_step(platform, caseworker, ref, "evidence", {"type": kind, "source": "swbh-trust",
                                                            "obtained_on": "2019-06-01",
                                                            "occurred_at": "2019-06-01T09:00:00+00:00"})
    ledger_step(platform, admin, ref, "claim", {"occurred_at": "2019-06-02T09:00:00+00:00"})
    ledger_step(platform, nhs, ref, "decision", {"decision": "validated", "occurred_at": "2019-06-10T09:00:00+00:00"})
    ledger_step(platform, nhs, ref, "payment", {"occurred_at": "2019-06-30T09:00:00+00:00"})
    wait_for(lambda: ledger_history(platform, admin, client), lambda h: h[-1]["event_type"] == "outcome_paid",
             what="the payment in the ledger views")
    return ref


def test_an_erased_client_is_unreadable_everywhere_while_counts_the_ledger_and_the_chain_hold(
        platform, credentials, caseworker, referrals_app, registered_contracts, tmp_path):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    reference = f"SWBH/{uuid.uuid4().hex[:10]}"
    body = form(partner, "nurse", occurred_at="2019-01-07T10:00:00+00:00", external_reference=reference)
    person = body["person"]
    answer = post(platform.url("referrals", "/referrals"), body, key(), credentials(partner, "referrer"))
    assert answer.status_code == 201, answer.text  # (a CI run once got another answer here: say which)
    referral = answer.json()
    from launcher.demo import enrol

    accepted = enrol(platform, referral["referral_id"], caseworker, "E-B", "NMC", body["occurred_at"], key())
    assert accepted["status"] == "accepted"
    referral["client_id"] = accepted["client_id"]  # the hub learns it; the referrer's answer does not carry it
    reader = credentials("programme-office", "auditor")
    wait_for(lambda: get(platform.url("pathways", f"/clients/{referral['client_id']}/pathways"), caseworker).json(),
             lambda found: found["pathways"], what="the pathway")
    paid_job_start(platform, credentials, caseworker, referral["client_id"])  # mid-programme: in work, paid for
    nhs = credentials("swbh-trust", "finance")
    statement_url = platform.url("reporting", f"/ledger/contracts/{BOND}/statement")
    period = {"from": "2018-10-01", "to": "2022-03-31"}
    summary = wait_for(lambda: get(platform.url("reporting", "/reports/summary"), reader).json(),
                       lambda s: any(r["partner_id"] == partner and r["accepted"] == 1
                                     for r in s["referrals_by_partner"]), what="the acceptance in reporting")
    money_before = get(statement_url, nhs, params=period).json()["totals"]
    outcomes_url = platform.url("reporting", f"/ledger/contracts/{BOND}/outcomes")

    def references() -> set:
        return {o["external_reference"] for o in get(outcomes_url, nhs, params={"limit": 10000}).json()["outcomes"]}

    assert reference in references()  # the bond shares the trust's case reference with finance
    history_before = ledger_history(platform, reader, referral["client_id"])

    url = platform.url("referrals", f"/referrals/{referral['referral_id']}")
    assert get(url, caseworker).json()["personal"]["person"]["full_name"] == person["full_name"]
    assert person["full_name"] not in every_table_text(platform)  # stored encrypted from the start
    with referrals_app.sql() as sql:
        reads = sql.execute("SELECT actor, purpose FROM chassis_personal_data_reads WHERE subject_id = %s",
                            (referral["client_id"],)).fetchall()
    assert len(reads) == 1 and reads[0][1] == "GET /referrals/<referral_id>"

    wrapped = key_row(platform, referral["client_id"])
    assert wrapped and wrapped.encode() in key_table_file(platform)
    decided = post(platform.url("referrals", f"/referrals/{referral['referral_id']}/erasure"),
                   {"decision": "erase", "ground": "the client asked on the phone", "requested_on": "2018-10-01"},
                   key(), caseworker)
    assert decided.status_code == 201 and decided.json()["erased"] is True

    # crypto-shredding holds in the files: the key table's file no longer has the old key (VACUUM FULL)
    assert key_row(platform, referral["client_id"]) is None and wrapped.encode() not in key_table_file(platform)
    view = wait_for(lambda: get(url, caseworker).json(), lambda v: v["erased"], what="the erased view")
    assert view["personal"] is None and view["profession"] == "nurse"
    stored = referrals_app.repository.get(uuid.UUID(referral["referral_id"]))
    assert Vault(referrals_app, master_key(platform.env)).open(stored.client_id, stored.personal) is None
    text = every_table_text(platform)
    for secret in (person["full_name"], person["email"], person["ni_number"], person["mobile"]):
        assert secret not in text

    after = wait_for(lambda: get(platform.url("reporting", "/reports/summary"), reader).json(),
                     lambda s: s["clients_erased"] >= summary["clients_erased"] + 1, what="the erasure in reporting")
    assert [r for r in after["referrals_by_partner"] if r["partner_id"] == partner] == \
        [{"partner_id": partner, "referred": 1, "accepted": 1, "accepted_by_entry_point": {"E-B": 1}}]
    assert after["pathway_funnel"]["employment_started"] == summary["pathway_funnel"]["employment_started"]
    pathways = get(platform.url("pathways", f"/clients/{referral['client_id']}/pathways"), caseworker).json()
    assert [(p["entry_point"], p["employed_since"]) for p in pathways["pathways"]] == [("E-B", "2019-05-01")]
    assert get(statement_url, nhs, params=period).json()["totals"] == money_before  # the money is untouched
    assert reference not in references()  # but nothing in finance's view ties it back to the person
    assert ledger_history(platform, reader, referral["client_id"]) == history_before

    public = audit.public_key_text(audit.signing_key(platform.env))
    for spec in SERVICES:  # every service's chain still verifies over the stored bytes
        app = referrals_app if spec.name == "referrals" else build_application(load(spec.application), platform.env)
        head = app.head()
        wait_for(lambda app=app: checkpointed(app), lambda n, head=head: n >= head,
                 what=f"{spec.name}'s chain to sign its head")
        directory = str(tmp_path / f"export-{spec.name}")
        audit.export(app, directory)
        assert [f for f in audit.verify(directory, spec.name, public) if f.kind != "unsigned"] == [], spec.name
        if app is not referrals_app:
            app.close()


def checkpointed(app) -> int:
    with app.sql() as sql:
        return int(sql.execute("SELECT COALESCE(MAX(notification_id), 0) FROM chassis_audit_checkpoints").fetchone()[0])


def test_a_refused_erasure_keeps_the_data_and_records_its_ground(platform, credentials, caseworker, referrals_app):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    body = form(partner)
    referral = hub_view(platform, caseworker, post(platform.url("referrals", "/referrals"), body, key(),
                                                   credentials(partner, "referrer")).json())
    refused = post(platform.url("referrals", f"/referrals/{referral['referral_id']}/erasure"),
                   {"decision": "refuse", "ground": "ESF audit retention until 2030 (funder agreement)",
                    "requested_on": "2018-10-01"}, key(), caseworker)
    assert refused.status_code == 201 and refused.json() == {"client_id": referral["client_id"],
                                                             "decision": "refuse", "erased": False}
    view = get(platform.url("referrals", f"/referrals/{referral['referral_id']}"), caseworker).json()
    assert view["personal"]["person"]["full_name"] == body["person"]["full_name"]


def test_a_backup_restored_after_an_erasure_is_erased_again(platform, credentials, caseworker, referrals_app):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    referral = hub_view(platform, caseworker, post(platform.url("referrals", "/referrals"), form(partner), key(),
                                                   credentials(partner, "referrer")).json())
    with referrals_app.sql() as sql:
        backup = sql.execute("SELECT wrapped FROM chassis_subject_keys WHERE subject_id = %s",
                             (referral["client_id"],)).fetchone()[0]
    post(platform.url("referrals", f"/referrals/{referral['referral_id']}/erasure"),
         {"decision": "erase", "ground": "requested", "requested_on": "2018-10-01"}, key(), caseworker)
    with referrals_app.sql() as sql:  # an old backup of the key table comes back
        sql.execute("UPDATE chassis_subject_keys SET wrapped = %s WHERE subject_id = %s",
                    (backup, referral["client_id"]))
    vault = Vault(referrals_app, master_key(platform.env))
    stored = referrals_app.repository.get(uuid.UUID(referral["referral_id"]))
    assert vault.open(stored.client_id, stored.personal) is not None  # the restore brought the key back...
    assert vault.reapply_erasures() >= 1  # ...and the documented restore step erases it again
    assert Vault(referrals_app, master_key(platform.env)).open(stored.client_id, stored.personal) is None
