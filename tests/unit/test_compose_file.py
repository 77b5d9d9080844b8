"""docker-compose.yml agrees with the code (no Docker engine runs here, so the file is checked, not run)."""
from __future__ import annotations

import os
import re

import pytest
import yaml

from chassis.serve import load
from launcher.services import SERVICES

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def read_yaml(*parts: str) -> dict:
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


COMPOSE = read_yaml("docker-compose.yml")["services"]


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
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
    assert migrate["command"][3:] == [spec.application for spec in SERVICES]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_prometheus_scrapes_each_service_on_the_port_it_serves_metrics_on():
    config = read_yaml("infra", "prometheus", "prometheus.yml")
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets == {spec.name: [f"{spec.name}:{spec.port}"] for spec in SERVICES}
    for spec in SERVICES:
        assert load(spec.service).http_port == spec.port
    assert "./infra/prometheus:/etc/prometheus:ro" in COMPOSE["prometheus"]["volumes"]


def test_grafana_is_provisioned_with_the_prometheus_datasource():
    datasource = read_yaml("infra", "grafana", "provisioning", "datasources", "prometheus.yml")["datasources"][0]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    assert "./infra/grafana/provisioning:/etc/grafana/provisioning:ro" in COMPOSE["grafana"]["volumes"]


def test_the_broker_and_database_have_health_checks_and_no_secret_has_a_default():
    assert COMPOSE["rabbitmq"]["image"].endswith("-management")
    assert "healthcheck" in COMPOSE["rabbitmq"] and "healthcheck" in COMPOSE["postgres"]
    with open(os.path.join(ROOT, "docker-compose.yml")) as handle:
        text = handle.read()
    assert re.findall(r"POSTGRES_PASSWORD: (.*)", text) and all(
        value.startswith("${POSTGRES_PASSWORD:?") for value in re.findall(r"POSTGRES_PASSWORD: (.*)", text))
