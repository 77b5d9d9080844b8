"""The generated parts of docs/observability.md: metrics catalogue, alerts, recording rules, dashboard panels.

Each part sits between ``<!-- BEGIN GENERATED: <part> -->`` and ``<!-- END GENERATED: <part> -->``; the prose
around them is written by hand. ``python -m launcher.observabilitydocs`` rewrites the parts (it lives in the
launcher because the metrics table names the services' gauges: infra imports no service);
tests/unit/test_monitoring.py fails when they are stale.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from prometheus_client.metrics import MetricWrapperBase

import monitoring

PATH = os.path.join(monitoring.ROOT, "docs", "observability.md")


def cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def code(text: Any) -> str:
    return f"`{cell(text)}`" if str(text) else ""


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def metrics() -> str:
    from chassis.serve import load
    from chassis.telemetry import Metrics
    from launcher.services import SERVICES
    from reporting.readmodels.gauges import GAUGES

    consumers = ", ".join(spec.name for spec in SERVICES if load(spec.service).consumes)
    rows = []
    for metric in vars(Metrics("service")).values():
        if isinstance(metric, MetricWrapperBase):
            name = metric._name + ("_total" if metric._type == "counter" else "")
            consumer_only = "upstream" in metric._labelnames or name == "useit_dead_letter_queue_messages"
            rows.append([code(name), metric._type, ", ".join(metric._labelnames),
                         consumers if consumer_only else "every service", cell(metric._documentation)])
    for name, kind, labels, meaning in GAUGES:
        rows.append([code(name), kind, ", ".join(labels), "reporting", cell(meaning)])
    return table(["metric", "type", "labels", "served by", "meaning"], rows)


def alerts() -> str:
    rows = []
    for group in monitoring.rule_groups("alerts"):
        for rule in group["rules"]:
            rows.append([code(rule["alert"]), rule["labels"]["severity"], rule.get("for", "0s"), code(rule["expr"]),
                         cell(rule["annotations"]["summary"])])
    return table(["alert", "severity", "for", "expression", "summary"], rows)


def rules() -> str:
    rows = [[code(rule["record"]), code(rule["expr"])]
            for group in monitoring.rule_groups("rules") for rule in group["rules"]]
    return table(["recording rule", "expression"], rows)


def dashboards() -> str:
    parts = []
    for filename, dashboard in monitoring.built_dashboards().items():
        rows = []
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                rows.append([cell(panel["title"]), panel["type"], code(target["expr"]),
                             code(target["legendFormat"])])
        variables = ", ".join(f"`${v['name']}` = {code(v['definition'])}" for v in dashboard["templating"]["list"])
        parts.append(f"### {dashboard['title']}\n\n{cell(dashboard['description'])} File "
                     f"`infra/monitoring/dashboards_out/{filename}`, uid `{dashboard['uid']}`."
                     + (f" Variables: {variables}." if variables else "") + "\n\n"
                     + table(["panel", "type", "query", "legend"], rows))
    return "\n\n".join(parts)


PARTS: dict[str, Callable[[], str]] = {"metrics": metrics, "alerts": alerts, "rules": rules,
                                       "dashboards": dashboards}


def regenerate(text: str) -> str:
    for part, render in PARTS.items():
        pattern = re.compile(rf"(<!-- BEGIN GENERATED: {part} -->\n).*?(<!-- END GENERATED: {part} -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"docs/observability.md has no generated part {part!r}")
        generated = render() + "\n"
        text = pattern.sub(lambda m: m.group(1) + generated + m.group(2), text)  # noqa: B023  (used at once)
    return text


def main() -> int:
    """``python -m launcher.observabilitydocs``: rewrites the generated tables of docs/observability.md."""
    with open(PATH) as handle:
        current = handle.read()
    with open(PATH, "w") as handle:
        handle.write(regenerate(current))
    print(f"wrote the generated tables of {PATH}")
    return 0


if __name__ == "__main__":
    import sys
    import warnings

    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    sys.exit(main())
