"""The embedded default (one process, in-memory broker, SQLite) runs the same paths end to end."""
from __future__ import annotations

import os

import pytest
import requests

from launcher import demo
from launcher.processes import RunningPlatform, platform_env
from launcher.services import CONSOLE, SERVICES
from tests.support.fixtures import free_port
from tests.support.waiting import form, get, key, now_iso, post, wait_for


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory):
    base = {k: v for k, v in os.environ.items() if k not in ("AMQP_URI", "POSTGRES_HOST")}
    base["DATA_DIR"] = str(tmp_path_factory.mktemp("embedded-data"))
    ports = {spec.name: free_port() for spec in (*SERVICES, CONSOLE)}
    running = RunningPlatform(env=platform_env(base, ports), ports=ports, embedded=True,
                              log_dir=os.path.join(base["DATA_DIR"], "logs"))
    running.start()
    running.credentials = demo.demo_credentials(running.env)  # type: ignore[attr-defined]
    demo.register_partners(running, running.credentials)
    yield running
    running.stop()


def test_the_embedded_platform_carries_a_referral_to_a_pathway_and_a_report(embedded):
    admin = embedded.credentials["admin"]
    referral = post(embedded.url("referrals", "/referrals"),
                    form("embedded-club", "pharmacist"), key(),
                    admin).json()
    answer = demo.enrol(embedded, referral["referral_id"], admin, "E-A", "GPhC", now_iso(), key())
    assert answer["status"] == "accepted" and answer["entry_point"] == "E-A"

    pathways = wait_for(lambda: get(embedded.url("pathways", f"/clients/{referral['client_id']}/pathways"),
                                    admin).json()["pathways"], what="the pathway")
    assert [(p["regulator"], p["entry_point"]) for p in pathways] == [("GPhC", "E-A")]
    rows = wait_for(lambda: get(embedded.url("reporting", "/reports/referrals-by-partner"), admin).json()["rows"],
                    lambda rows: any(r["partner_id"] == "embedded-club" and r["accepted"] == 1 for r in rows),
                    what="the report")
    assert {"partner_id": "embedded-club", "referred": 1, "accepted": 1, "accepted_by_entry_point": {"E-A": 1}} in rows


def test_the_demo_programme_loads_once_however_often_it_is_loaded(embedded):
    first = demo.load(embedded, embedded.credentials)
    demo.load(embedded, embedded.credentials)

    def referred() -> int:
        rows = get(embedded.url("reporting", "/reports/referrals-by-partner"),
                   embedded.credentials["admin"]).json()["rows"]
        return sum(r["referred"] for r in rows if r["partner_id"] in demo.PARTNERS)

    assert wait_for(referred, lambda n: n >= first["referrals"], what="the demo referrals") == first["referrals"]


@pytest.mark.timeout(300)
def test_bin_run_empty_starts_the_platform_with_nothing_loaded(tmp_path):
    """``bin/run --empty``: the run command, embedded, with no demo people, partners or contracts."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("AMQP_URI", "POSTGRES_HOST")}
    env.update(DATA_DIR=str(tmp_path), PYTHONWARNINGS="ignore",
               **{f"{spec.name.upper()}_HTTP_PORT": str(free_port()) for spec in (*SERVICES, CONSOLE)})
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    run = subprocess.Popen([sys.executable, "-m", "launcher.run", "--empty"], cwd=root, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        lines = []
        for line in run.stdout:  # the run command prints where everything is, then waits for Ctrl-C
            lines.append(line)
            if "Press Ctrl-C" in line or "Could not start" in line:
                break
        printed = "".join(lines)
        assert "Started empty" in printed and "Demo programme loaded" not in printed, printed
        console = f"http://127.0.0.1:{env['CONSOLE_HTTP_PORT']}"
        assert f"Console (pages for caseworkers, partners, finance, programme managers, auditors): {console}" \
            in printed and "demo accounts" not in printed
        start = requests.get(console + "/", timeout=10)
        assert start.status_code == 200 and "<h1" in start.text and "Sign in" in start.text
        admin = lines[next(i for i, l in enumerate(lines) if l.startswith("An admin credential")) + 1].strip()
        reporting = f"http://127.0.0.1:{env['REPORTING_HTTP_PORT']}"
        assert get(f"{reporting}/reports/referrals-by-partner", admin).json()["rows"] == []
        assert get(f"{reporting}/outcomes-contracts/use-it-nhs-bond", admin).status_code == 404
        assert get(f"http://127.0.0.1:{env['REFERRALS_HTTP_PORT']}/partners/ladywood-work-club", admin
                   ).status_code == 404
    finally:
        run.terminate()
        run.wait(timeout=60)


def test_each_demo_account_signs_in_to_the_embedded_console_and_lands_on_its_roles_page(embedded):
    """What bin/run prints: an account per role, each of which signs in and sees its first page."""
    import re

    from console.domain.navigation import start_page
    from launcher import accounts

    made = accounts.demo_accounts(embedded.env)
    assert {a["role"] for a in made} == {"caseworker", "referrer", "finance", "auditor", "enterprise_staff", "admin"}
    assert accounts.demo_accounts(embedded.env) == made  # the same accounts again on the next run
    for account in made:
        session = requests.Session()
        page = session.get(embedded.url("console", "/sign-in"), timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        answer = session.post(embedded.url("console", "/sign-in"), timeout=30, data={
            "csrf_token": token, "person": account["person"], "password": account["password"]})
        assert answer.status_code == 200 and answer.url.endswith(start_page(account["role"])), account["person"]
        assert f"Signed in as <strong>{account['person']}</strong>" in answer.text


def test_an_erasure_leaves_no_key_in_the_sqlite_files_nor_in_the_wal(embedded):
    """Crypto-shredding in the embedded default: once the erasure answers, neither the database file nor its
    WAL holds the erased person's wrapped key, nor their name."""
    import glob
    import sqlite3

    admin = embedded.credentials["admin"]
    body = form("embedded-club", "nurse")
    referral = post(embedded.url("referrals", "/referrals"), body, key(), admin).json()
    files = sorted(glob.glob(os.path.join(embedded.env["DATA_DIR"], "referrals*")))
    database = next(f for f in files if f.endswith((".sqlite", ".db")))
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        wrapped = connection.execute("SELECT wrapped FROM chassis_subject_keys WHERE subject_id = ?",
                                     (referral["client_id"],)).fetchone()[0]

    def raw() -> bytes:
        return b"".join(open(f, "rb").read() for f in glob.glob(os.path.join(embedded.env["DATA_DIR"], "referrals*"))
                        if not f.endswith("-shm"))

    assert wrapped.encode() in raw()
    decided = post(embedded.url("referrals", f"/referrals/{referral['referral_id']}/erasure"),
                   {"decision": "erase", "ground": "asked in writing", "requested_on": now_iso()[:10]}, key(), admin)
    assert decided.status_code == 201, decided.text
    left = raw()
    assert wrapped.encode() not in left and body["person"]["full_name"].encode() not in left
