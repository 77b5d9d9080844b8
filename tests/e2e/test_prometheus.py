"""Every dashboard query, dashboard variable, alert expression and recording rule, run on a real Prometheus.

A real Prometheus (Debian's package) scrapes the four real services every second while a scenario goes
through their HTTP APIs; then each query must parse and return at least one series (``monitoring.check``
says how conditions and Grafana variables are evaluated). A query that names a metric no service exports
fails here. Prometheus runs on a free loopback port with its own storage in a temporary directory.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
import yaml

import monitoring
from monitoring import check, grafana
from tests.support.fixtures import free_port
from tests.support.journeys import GOOD_IELTS, accepted_client
from tests.support.waiting import get, key, now_iso, post, wait_for

QUERIES = check.all_queries()


@pytest.fixture(scope="module")
def prometheus(platform, tmp_path_factory) -> Iterator[check.Prometheus]:
    executable = shutil.which("prometheus")
    assert executable, "prometheus is missing: bin/services-up installs Debian's prometheus package"
    home = tmp_path_factory.mktemp("prometheus")
    with open(os.path.join(monitoring.ROOT, "infra", "prometheus", "prometheus.yml")) as handle:
        config = yaml.safe_load(handle)
    config["global"] = {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = monitoring.rule_files("alerts") + monitoring.rule_files("rules")
    for job in config["scrape_configs"]:  # the same jobs, pointed at the test platform's services
        job["static_configs"] = [{"targets": [f"127.0.0.1:{platform.ports[job['job_name']]}"]}]
    (home / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    with open(home / "prometheus.log", "wb") as log:
        process = subprocess.Popen(
            [executable, f"--config.file={home / 'prometheus.yml'}", f"--storage.tsdb.path={home / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: process.poll() is None and requests.get(f"{url}/-/ready", timeout=2).status_code == 200,
                 timeout=30, what=f"Prometheus to be ready (log: {home / 'prometheus.log'})")
        yield check.Prometheus(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_scenario(platform, credentials, caseworker) -> None:
    """A referral, its acceptance and pathway steps (one refused), until reporting has them in its funnel."""
    reader = credentials("programme-office", "auditor")

    def funnel() -> dict:
        return get(platform.url("reporting", "/reports/summary"), reader).json()["pathway_funnel"]

    before = funnel()
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    trust = credentials("swbh-trust", "trust")
    url = platform.url("pathways", f"/clients/{client}/pathways/GMC/steps")
    refused = post(url, {"type": "employment_started", "occurred_at": now_iso(), "payload": {
        "employer": "SWBH", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"}}, key(), trust)
    assert refused.status_code == 422
    for step in ({"type": "english_sitting", "payload": GOOD_IELTS},
                 {"type": "exam_attempt", "payload": {"exam": "PLAB1", "passed": True}},
                 {"type": "right_to_work_check", "payload": {"valid_until": None}}):
        assert post(url, {**step, "occurred_at": now_iso()}, key(), trust).status_code == 201
    wait_for(funnel, lambda now: now.get("exam_passed", 0) > before.get("exam_passed", 0),
             what="the exam pass in reporting's funnel")


def instant(rfc3339: str) -> float:
    """Seconds since the epoch of Prometheus's RFC 3339 time (nanoseconds cut to what Python reads)."""
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", rfc3339).replace("Z", "+00:00")
    return datetime.fromisoformat(trimmed).timestamp()


def scraped_since(prometheus: check.Prometheus, moment: float) -> bool:
    """Every job scraped twice (a rate needs two samples) and every rule group evaluated after ``moment``."""
    jobs = monitoring.config()["jobs"]
    _, up = prometheus.query(f'up{{{monitoring.config()["selector"]}}} == 1 and timestamp(up) > {moment + 2}')
    groups = requests.get(f"{prometheus.url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    evaluated = all(instant(group["lastEvaluation"]) > moment + 2 for group in groups)
    return len(up) == len(jobs) and bool(groups) and evaluated


@pytest.fixture(scope="module")
def results(prometheus, platform, credentials, caseworker, registered_contracts) -> dict[str, str | None]:
    run_scenario(platform, credentials, caseworker)
    finished = time.time()
    wait_for(lambda: scraped_since(prometheus, finished), timeout=30, interval=0.2,
             what="Prometheus to scrape every service and evaluate every rule after the scenario")
    expected = {query.source for query in QUERIES}
    latest: dict[str, str | None] = {}

    def attempt() -> dict[str, str | None]:
        latest.update(check.problems(prometheus, QUERIES))
        return latest

    # Timers (consumer catch-up every 5 s) set some gauges a little later, and one failed scrape marks a
    # target's series stale until the next: take the first pass in which every expected query has series.
    try:
        wait_for(attempt, lambda found: not any(found[source] for source in expected),
                 timeout=15, interval=0.5, what="every query to return series")
    except AssertionError:
        pass  # the tests below say which query fails
    return latest


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.source)
def test_the_query_parses_and_returns_series_from_the_running_services(results, query):
    assert results[query.source] is None, results[query.source]


def test_a_panel_naming_a_metric_no_service_exports_or_a_query_that_does_not_parse_is_reported(prometheus):
    settings = monitoring.config()
    dashboard = grafana.dashboard("broken", "", [
        grafana.timeseries("exists", [("up", "{{job}}")], settings),
        grafana.timeseries("no such metric", [("rate(useit_no_such_metric_total[$__rate_interval])", "")], settings),
        grafana.stat("no such label", [('sum by (job) (useit_http_requests_total{route="/nowhere"}) > 0', "")],
                     settings),
        grafana.stat("does not parse", [("sum(rate(up[1m])", "")], settings),
    ])
    found = check.problems(prometheus, check.dashboard_queries("broken.json", dashboard))
    assert found["broken.json / exists / A"] is None
    assert found["broken.json / no such metric / A"].startswith("no series for rate(useit_no_such_metric_total[1m])")
    assert found["broken.json / no such label / A"].startswith("no series")
    assert found["broken.json / does not parse / A"].startswith("bad_data: ")
