"""Small builders of Grafana dashboard JSON (schema 39, Grafana 10.4) as plain dicts."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SCHEMA_VERSION = 39
Target = tuple[str, str]  # (PromQL expression, legend format)


def datasource(settings: dict[str, Any]) -> dict[str, str]:
    return {"type": "prometheus", "uid": settings["datasource_uid"]}


def panel(kind: str, title: str, targets: Sequence[Target], settings: dict[str, Any], *, width: int = 12,
          height: int = 8, unit: str = "short", description: str = "", instant: bool = False,
          threshold: float | None = None, options: dict[str, Any] | None = None,
          mappings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One panel; ``gridPos`` is filled in by ``dashboard`` (panels flow left to right, then down)."""
    source = datasource(settings)
    steps: list[dict[str, Any]] = [{"color": "green", "value": None}]
    if threshold is not None:
        steps.append({"color": "red", "value": threshold})
    defaults: dict[str, Any] = {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps},
                                "mappings": mappings or []}
    if kind == "timeseries" and threshold is not None:
        defaults["custom"] = {"thresholdsStyle": {"mode": "line"}}
    return {
        "type": kind, "title": title, "description": description, "datasource": source,
        "gridPos": {"w": width, "h": height},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options or {},
        "targets": [{"refId": chr(ord("A") + i), "datasource": source, "expr": expr, "legendFormat": legend,
                     "instant": instant, "range": not instant}
                    for i, (expr, legend) in enumerate(targets)],
    }


def timeseries(title: str, targets: Sequence[Target], settings: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return panel("timeseries", title, targets, settings,
                 options={"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                          "tooltip": {"mode": "multi", "sort": "desc"}}, **kwargs)


def stat(title: str, targets: Sequence[Target], settings: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("width", 6)
    kwargs.setdefault("height", 4)
    return panel("stat", title, targets, settings, instant=True,
                 options={"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background",
                          "textMode": "value_and_name"}, **kwargs)


def bars(title: str, targets: Sequence[Target], settings: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return panel("bargauge", title, targets, settings, instant=True,
                 options={"orientation": "horizontal", "displayMode": "basic", "showUnfilled": True,
                          "reduceOptions": {"calcs": ["lastNotNull"]}}, **kwargs)


def gauge(title: str, targets: Sequence[Target], settings: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("width", 6)
    kwargs.setdefault("height", 4)
    return panel("gauge", title, targets, settings, instant=True,
                 options={"reduceOptions": {"calcs": ["lastNotNull"]}, "showThresholdMarkers": True}, **kwargs)


def table(title: str, targets: Sequence[Target], settings: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return panel("table", title, targets, settings, instant=True, options={"showHeader": True}, **kwargs)


def job_variable(settings: dict[str, Any]) -> dict[str, Any]:
    """A ``$job`` variable (multi-select, All by default) over the platform's scrape jobs."""
    query = f"label_values(up{{{settings['selector']}}}, job)"
    return {"name": "job", "label": "service", "type": "query", "datasource": datasource(settings),
            "query": {"query": query, "refId": "job"}, "definition": query, "refresh": 1, "multi": True,
            "includeAll": True, "current": {"text": "All", "value": "$__all"}, "sort": 1}


def dashboard(title: str, description: str, panels: Sequence[dict[str, Any]],
              variables: Sequence[dict[str, Any]] = (), refresh: str = "30s") -> dict[str, Any]:
    """The dashboard (its ``uid`` is set by ``monitoring.built_dashboards()`` from the output file name)."""
    placed, x, y, row_height = [], 0, 0, 0
    for number, item in enumerate(panels, start=1):
        width, height = item["gridPos"]["w"], item["gridPos"]["h"]
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        placed.append({**item, "id": number, "gridPos": {"x": x, "y": y, "w": width, "h": height}})
        x, row_height = x + width, max(row_height, height)
    return {
        "title": title, "description": description, "tags": ["useit"], "timezone": "utc", "editable": False,
        "schemaVersion": SCHEMA_VERSION, "version": 1, "refresh": refresh, "graphTooltip": 1,
        "time": {"from": "now-6h", "to": "now"}, "annotations": {"list": []},
        "templating": {"list": list(variables)}, "panels": placed,
    }
