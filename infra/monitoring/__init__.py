"""Monitoring as code (the kubernetes-mixin layout, authored in Python and YAML).

- ``config.yaml``: the scrape jobs, the dashboards' selector, the datasource and the alert thresholds;
- ``alerts/*.yaml``, ``rules/*.yaml``: alert and recording rules (Prometheus loads them, see
  infra/prometheus/prometheus.yml); ``tests/*-test.yaml``: their ``promtool test rules`` tests;
- ``dashboards/<name>.py``: each builds one Grafana dashboard as a plain dict (``dashboard(config)``), gathered by
``built_dashboards()``;
  ``python -m monitoring`` writes them to ``dashboards_out/<name>.json`` (committed; Grafana is provisioned
  from that folder) and regenerates the tables of docs/observability.md;
- ``check.py``: runs every dashboard query and rule expression against a live Prometheus.
"""
from __future__ import annotations

import glob
import hashlib
import importlib
import json
import os
import pkgutil
from typing import Any

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "dashboards_out")


def config() -> dict[str, Any]:
    with open(os.path.join(HERE, "config.yaml")) as handle:
        return yaml.safe_load(handle)


def uid(filename: str) -> str:
    """A dashboard's stable uid: the md5 of its output file's name (32 hex digits; Grafana allows 40)."""
    return hashlib.md5(filename.encode()).hexdigest()


def dashboard_names() -> list[str]:
    package = importlib.import_module("monitoring.dashboards")
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))


def built_dashboards() -> dict[str, dict[str, Any]]:
    """Output file name -> dashboard, built from code."""
    settings = config()
    built = {}
    for name in dashboard_names():
        filename = f"{name}.json"
        module = importlib.import_module(f"monitoring.dashboards.{name}")
        built[filename] = {**module.dashboard(settings), "uid": uid(filename)}
    return built


def render(dashboard: dict[str, Any]) -> str:
    return json.dumps(dashboard, indent=2, sort_keys=True) + "\n"


def rule_files(kind: str) -> list[str]:
    """``alerts`` or ``rules``: the YAML files of that kind, sorted."""
    return sorted(glob.glob(os.path.join(HERE, kind, "*.yaml")))


def rule_groups(kind: str) -> list[dict[str, Any]]:
    groups = []
    for path in rule_files(kind):
        with open(path) as handle:
            groups.extend(yaml.safe_load(handle)["groups"])
    return groups
