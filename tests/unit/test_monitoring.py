"""Monitoring as code: promtool accepts the configuration and rules and passes their tests; the alerts follow the
house rules; the committed dashboards and docs tables are what the code generates."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

import monitoring
from launcher import observabilitydocs as docs
from monitoring import check

PROMETHEUS_YML = os.path.join(monitoring.ROOT, "infra", "prometheus", "prometheus.yml")
ALERTS = [rule for group in monitoring.rule_groups("alerts") for rule in group["rules"]]
RECORDED = [rule for group in monitoring.rule_groups("rules") for rule in group["rules"]]


def promtool(*args: str, cwd: str | None = None) -> str:
    executable = shutil.which("promtool")
    assert executable, "promtool is missing: bin/services-up installs Debian's prometheus package"
    done = subprocess.run([executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"promtool {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def promtool_tests() -> list[dict]:
    found = []
    for name in sorted(os.listdir(os.path.join(monitoring.HERE, "tests"))):
        if name.endswith("-test.yaml"):
            with open(os.path.join(monitoring.HERE, "tests", name)) as handle:
                found.append(yaml.safe_load(handle))
    return found


def test_promtool_accepts_the_scrape_configuration_and_finds_every_rule_file_through_it():
    output = promtool("check", "config", PROMETHEUS_YML)
    for path in monitoring.rule_files("alerts") + monitoring.rule_files("rules"):
        assert os.path.relpath(path, monitoring.ROOT) in output, f"prometheus.yml does not load {path}"


def test_promtool_accepts_every_alert_and_recording_rule_file():
    promtool("check", "rules", *monitoring.rule_files("alerts"), *monitoring.rule_files("rules"))


def test_every_rule_passes_its_promtool_unit_tests():
    files = sorted(name for name in os.listdir(os.path.join(monitoring.HERE, "tests")) if name.endswith("-test.yaml"))
    assert files
    output = promtool("test", "rules", *[os.path.join("tests", name) for name in files], cwd=monitoring.HERE)
    assert output.count("SUCCESS") == len(files)


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_every_alert_is_named_casemgmt_with_a_severity_a_summary_and_a_description(rule):
    assert rule["alert"].startswith("CaseMgmt")
    assert rule["labels"]["severity"] in ("critical", "warning", "info")
    assert rule["annotations"]["summary"].strip() and rule["annotations"]["description"].strip()


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_every_alert_has_a_promtool_case_where_it_fires_and_one_where_it_does_not(rule):
    cases = [case for test in promtool_tests() for group in test["tests"]
             for case in group.get("alert_rule_test", []) if case["alertname"] == rule["alert"]]
    assert any(case.get("exp_alerts") for case in cases), f"no test fires {rule['alert']}"
    assert any(not case.get("exp_alerts") for case in cases), f"no test shows {rule['alert']} quiet"


def test_every_recording_rule_is_named_level_metric_operation_and_evaluated_by_a_promtool_test():
    tested = " ".join(case["expr"] for test in promtool_tests() for group in test["tests"]
                      for case in group.get("promql_expr_test", []))
    covered = tested + " " + " ".join(rule["expr"] for rule in ALERTS)
    for _ in RECORDED:  # a rule used by a tested rule is tested through it
        covered += " " + " ".join(rule["expr"] for rule in RECORDED if rule["record"] in covered)
    for rule in RECORDED:
        assert re.fullmatch(r"[a-z_]*:[a-z0-9_]+:[a-z0-9_]+", rule["record"]), rule["record"]
        assert rule["record"] in covered, f"no promtool test evaluates {rule['record']}"


def test_the_alerts_use_the_thresholds_the_config_gives_the_dashboards():
    thresholds = monitoring.config()["thresholds"]
    by_name = {rule["alert"]: rule for rule in ALERTS}
    for name, value in thresholds.items():
        assert re.search(rf"[<>]=?\s*{re.escape(str(value))}(?![0-9.])", by_name[name]["expr"]), (name, value)


def test_the_rule_expressions_select_the_configured_jobs():
    jobs = monitoring.config()["jobs"]
    with open(PROMETHEUS_YML) as handle:
        assert [job["job_name"] for job in yaml.safe_load(handle)["scrape_configs"]] == jobs
    assert monitoring.config()["selector"] == f'job=~"{"|".join(jobs)}"'
    assert monitoring.config()["selector"] in next(r for r in ALERTS if r["alert"] == "CaseMgmtServiceDown")["expr"]


@pytest.mark.parametrize("filename,dashboard", sorted(monitoring.built_dashboards().items()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_the_committed_dashboard_is_what_its_code_builds(filename, dashboard):
    path = os.path.join(monitoring.OUT, filename)
    assert os.path.exists(path), f"{filename} is missing: run python -m monitoring"
    with open(path) as handle:
        assert handle.read() == monitoring.render(dashboard), f"{filename} is stale: run python -m monitoring"


def test_every_dashboard_has_its_stable_uid_and_panels_that_fit_the_grid():
    built = monitoring.built_dashboards()
    assert set(os.listdir(monitoring.OUT)) == set(built)
    assert len({d["uid"] for d in built.values()}) == len(built)
    for filename, dashboard in built.items():
        assert dashboard["uid"] == monitoring.uid(filename) and len(dashboard["uid"]) <= 40
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids))
        for panel in dashboard["panels"]:
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24 and panel["targets"], panel["title"]
            assert panel["datasource"]["uid"] == monitoring.config()["datasource_uid"]


def test_the_tables_of_docs_observability_are_current():
    with open(docs.PATH) as handle:
        current = handle.read()
    assert docs.regenerate(current) == current, (
        "docs/observability.md is stale: run python -m launcher.observabilitydocs")


@pytest.mark.parametrize("expr,expected", [
    ("up == 0", "up == bool 0"),
    ("a > 100 and deriv(a[10m]) > 0", "a > bool 100 and deriv(a[10m]) > bool 0"),
    ('x{status=~"5..",route!="/a>b"} >= 1', 'x{status=~"5..",route!="/a>b"} >= bool 1'),
    ("max by (job) (x) <= bool 2", "max by (job) (x) <= bool 2"),
    ("sum(rate(x[5m])) / sum(rate(y[5m]))", "sum(rate(x[5m])) / sum(rate(y[5m]))"),
])
def test_the_check_evaluates_a_condition_as_its_whole_underlying_vector(expr, expected):
    assert check.with_bool(expr) == expected


def test_the_check_replaces_grafana_variables_as_all_would():
    assert check.prepare('rate(x{job=~"$job"}[$__rate_interval])', {"job": "a|b"}) == 'rate(x{job=~"a|b"}[1m])'
