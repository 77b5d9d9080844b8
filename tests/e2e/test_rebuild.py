"""Rebuilding reporting's read models from the upstream logs, over the real services."""
from __future__ import annotations

import subprocess
import sys

import psycopg

from chassis import config
from chassis.application import build_application
from reporting.application import Reporting
from reporting.readmodels.rebuild import snapshot
from tests.support.ledger import nhs_job_outcome
from tests.support.waiting import wait_for


def run(platform, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reporting.readmodels.rebuild", *args], env=platform.env,
                          capture_output=True,
                          text=True, timeout=300)


def test_a_rebuild_from_the_upstream_logs_gives_the_same_read_models_and_reports_its_progress(
        platform, credentials, caseworker, registered_contracts):
    nhs_job_outcome(platform, credentials, caseworker)  # referrals, a pathway, milestones and a ledger outcome
    wait_for(lambda: run(platform, "--verify"), lambda r: r.returncode == 0, timeout=60,
             what="the live read models to equal a clean rebuild")
    app = build_application(Reporting, platform.env)
    try:
        before = snapshot(app)
        rebuilt = run(platform)
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert "rebuilt" in rebuilt.stdout and "events (" in rebuilt.stdout and "ETA" in rebuilt.stdout
        assert snapshot(app) == before
        assert sum(len(rows) for rows in before.values()) > 10  # there was something to rebuild
    finally:
        app.close()


def test_a_read_model_that_differs_from_a_clean_rebuild_is_named(platform, credentials, caseworker):
    nhs_job_outcome(platform, credentials, caseworker)
    database = config.database_name("reporting", platform.env)
    with psycopg.connect(config.postgres_conninfo(database, platform.env), autocommit=True) as connection:
        wait_for(lambda: run(platform, "--verify"), lambda r: r.returncode == 0, timeout=60, what="a clean start")
        row = connection.execute("SELECT referral_id, contact_attempts FROM report_referrals LIMIT 1").fetchone()
        connection.execute("UPDATE report_referrals SET contact_attempts = contact_attempts + 7 WHERE referral_id = %s",
                           (row[0],))
        try:
            found = run(platform, "--verify")
        finally:
            connection.execute("UPDATE report_referrals SET contact_attempts = %s WHERE referral_id = %s", row[::-1])
    assert found.returncode == 1 and "DIFFERENCE report_referrals" in found.stdout
