"""Service health: rate, errors and duration per route (RED), and whether each service and its database
and broker are up."""
from __future__ import annotations

from typing import Any

from monitoring.grafana import dashboard as build
from monitoring.grafana import job_variable, stat, timeseries

SEL = 'job=~"$job"'
RATE = "[$__rate_interval]"
UP_DOWN = [{"type": "value", "options": {"0": {"text": "down", "color": "red"}, "1": {"text": "up", "color": "green"}}}]


def by_route(matcher: str) -> str:
    """Per-route rate of answers matching ``matcher``, 0 (not "no data") for routes with none."""
    return (f"sum by (job, route) (rate(useit_http_requests_total{{{SEL},{matcher}}}{RATE}))"
            f" or sum by (job, route) (rate(useit_http_requests_total{{{SEL}}}{RATE})) * 0")


def dashboard(settings: dict[str, Any]) -> dict[str, Any]:
    threshold = settings["thresholds"]["CaseMgmtHighErrorRate"]
    panels = [
        stat("Services up", [(f"sum(up{{{SEL}}})", "up")], settings,
             description="Scrape targets answering (one per service instance)."),
        stat("Requests per second", [(f"sum(rate(useit_http_requests_total{{{SEL}}}{RATE}))", "requests/s")],
             settings, unit="reqps"),
        stat("Server error ratio (5 min)", [
            (f"sum(job:useit_http_request_errors:rate5m{{{SEL}}}) / sum(job:useit_http_requests:rate5m{{{SEL}}})",
             "5xx")], settings, unit="percentunit", threshold=threshold,
             description="Share of answers that were 5xx; CaseMgmtHighErrorRate fires above the red line."),
        stat("Database and broker", [(f"min by (job, dependency) (useit_dependency_up{{{SEL}}})",
                                      "{{job}} {{dependency}}")], settings, mappings=UP_DOWN),
        timeseries("Requests per route", [
            (f"sum by (job, method, route) (rate(useit_http_requests_total{{{SEL}}}{RATE}))",
             "{{job}} {{method}} {{route}}")], settings, unit="reqps"),
        timeseries("Answers by status", [
            (f"sum by (job, status) (rate(useit_http_requests_total{{{SEL}}}{RATE}))", "{{job}} {{status}}")],
            settings, unit="reqps"),
        timeseries("Server errors (5xx) per route", [(by_route('status=~"5.."'), "{{job}} {{route}}")], settings,
                   unit="reqps", description="Each 500 answer carries a correlation id to find in the service's log."),
        timeseries("Refused requests (4xx) per route", [(by_route('status=~"4.."'), "{{job}} {{route}}")],
                   settings, unit="reqps",
                   description="Invalid bodies (422), conflicts (409), unauthorised (401/403)."),
        timeseries("Duration per route, 95th percentile", [
            (f"histogram_quantile(0.95, sum by (job, route, le) "
             f"(rate(useit_http_request_duration_seconds_bucket{{{SEL}}}{RATE})))", "{{job}} {{route}}")],
            settings, unit="s"),
        timeseries("Duration per route, median", [
            (f"histogram_quantile(0.5, sum by (job, route, le) "
             f"(rate(useit_http_request_duration_seconds_bucket{{{SEL}}}{RATE})))", "{{job}} {{route}}")],
            settings, unit="s"),
        timeseries("Up", [(f"up{{{SEL}}}", "{{job}} {{instance}}")], settings, mappings=UP_DOWN),
        timeseries("Database and broker checks", [(f"useit_dependency_up{{{SEL}}}", "{{job}} {{dependency}}")],
                   settings, mappings=UP_DOWN),
    ]
    return build("USE-IT: service health", "Rate, errors and duration per route, and service health.", panels,
                 variables=[job_variable(settings)])
