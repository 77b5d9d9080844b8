"""docker-compose.yml agrees with the code (no Docker engine runs here, so the file is checked, not run)."""
from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

from chassis.serve import load
from launcher.services import CONSOLE, SERVICES

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def read_yaml(*parts: str) -> dict:
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


COMPOSE = read_yaml("docker-compose.yml")["services"]


@pytest.mark.parametrize("spec", (*SERVICES, CONSOLE), ids=lambda s: s.name)
def test_each_service_runs_its_class_from_the_one_image_on_its_port(spec):
    service = COMPOSE[spec.name]
    assert service["build"] == "." and service["image"] == COMPOSE["migrate"]["image"]
    assert service["command"] == ["python", "-m", "chassis.serve", spec.service]
    load(spec.service)  # the command names a class that exists
    env = service["environment"]
    assert env[f"{spec.name.upper()}_HTTP_PORT"] == str(spec.port)
    assert env["AMQP_URI"].startswith("amqp://") and "@rabbitmq:5672" in env["AMQP_URI"]
    assert env["POSTGRES_HOST"] == "postgres" and env["PSYCOPG_WAIT_FUNC"] == "wait_select"
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert service["ports"] == [f"{spec.port}:{spec.port}"]
    assert f"http://127.0.0.1:{spec.port}/health" in " ".join(service["healthcheck"]["test"])
    assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_creates_every_service_database_before_they_start():
    migrate = COMPOSE["migrate"]
    assert migrate["command"][:3] == ["python", "-m", "chassis.migrate"]
    assert migrate["command"][3:] == [spec.application for spec in (*SERVICES, CONSOLE)]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def mounts(service: str) -> dict[str, str]:
    """Container path -> repo path of a compose service's read-only volumes."""
    found = {}
    for volume in COMPOSE[service]["volumes"]:
        source, target, mode = volume.split(":")
        assert mode == "ro" and source.startswith("./"), volume
        found[target] = source[2:]
    return found


def test_prometheus_scrapes_each_service_on_the_port_it_serves_metrics_on():
    config = read_yaml("infra", "prometheus", "prometheus.yml")
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets == {spec.name: [f"{spec.name}:{spec.port}"] for spec in SERVICES}
    for spec in SERVICES:
        assert load(spec.service).http_port == spec.port


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_scrape_target_is_a_compose_service_on_the_port_it_listens_on_and_publishes(spec):
    config = read_yaml("infra", "prometheus", "prometheus.yml")
    [job] = [job for job in config["scrape_configs"] if job["job_name"] == spec.name]
    [target] = job["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert host in COMPOSE and host in COMPOSE["prometheus"]["depends_on"]
    assert COMPOSE[host]["environment"][f"{host.upper()}_HTTP_PORT"] == port
    assert f"{port}:{port}" in COMPOSE[host]["ports"]
    assert job.get("metrics_path", "/metrics") == "/metrics"


def test_prometheus_loads_the_monitoring_rules_from_the_same_place_in_the_repo_and_in_its_container():
    import monitoring

    volumes = mounts("prometheus")
    assert volumes["/etc/prometheus"] == "infra/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in COMPOSE["prometheus"]["command"]
    patterns = read_yaml("infra", "prometheus", "prometheus.yml")["rule_files"]
    in_repo, in_container = [], []
    for pattern in patterns:
        in_repo += glob.glob(os.path.normpath(os.path.join(ROOT, "infra", "prometheus", pattern)))
        container_path = os.path.normpath(os.path.join("/etc/prometheus", pattern))
        [(target, source)] = [(t, s) for t, s in volumes.items() if container_path.startswith(t + "/")]
        in_container += glob.glob(os.path.join(ROOT, source, os.path.relpath(container_path, target)))
    wanted = monitoring.rule_files("alerts") + monitoring.rule_files("rules")
    assert wanted and sorted(map(os.path.realpath, in_repo)) == sorted(map(os.path.realpath, in_container)) \
        == sorted(map(os.path.realpath, wanted))


def test_grafana_is_provisioned_with_the_prometheus_datasource_and_the_generated_dashboards():
    import monitoring

    datasource = read_yaml("infra", "grafana", "provisioning", "datasources", "prometheus.yml")["datasources"][0]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    assert datasource["uid"] == monitoring.config()["datasource_uid"]
    volumes = mounts("grafana")
    assert volumes["/etc/grafana/provisioning"] == "infra/grafana/provisioning"
    [provider] = read_yaml("infra", "grafana", "provisioning", "dashboards", "dashboards.yml")["providers"]
    source = volumes[provider["options"]["path"]]
    assert os.path.realpath(os.path.join(ROOT, source)) == os.path.realpath(monitoring.OUT)
    assert sorted(os.listdir(monitoring.OUT)) == sorted(monitoring.built_dashboards())
    assert COMPOSE["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_the_broker_and_database_have_health_checks_and_no_secret_has_a_default():
    assert COMPOSE["rabbitmq"]["image"].endswith("-management")
    assert "healthcheck" in COMPOSE["rabbitmq"] and "healthcheck" in COMPOSE["postgres"]
    with open(os.path.join(ROOT, "docker-compose.yml")) as handle:
        text = handle.read()
    assert re.findall(r"POSTGRES_PASSWORD: (.*)", text) and all(
        value.startswith("${POSTGRES_PASSWORD:?") for value in re.findall(r"POSTGRES_PASSWORD: (.*)", text))


def test_the_console_calls_each_service_at_its_compose_address_and_starts_after_them():
    env, needs = COMPOSE["console"]["environment"], COMPOSE["console"]["depends_on"]
    for spec in SERVICES:
        assert env[f"{spec.name.upper()}_URL"] == f"http://{spec.name}:{spec.port}"
        assert needs[spec.name]["condition"] == "service_healthy"
    assert load(CONSOLE.service).http_port == CONSOLE.port
