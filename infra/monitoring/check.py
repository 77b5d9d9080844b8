"""Runs every dashboard query and rule expression against a live Prometheus: does it parse, does it return series?

``python -m monitoring.check http://127.0.0.1:9090`` prints one line per query that fails, and exits 1 if any
does. tests/e2e/test_prometheus.py runs the same check against a Prometheus scraping the real services.

How a query is checked:
- Grafana's own variables are replaced first: ``$__rate_interval`` by ``1m``, and each dashboard variable
  ``label_values(<expr>, <label>)`` by the alternation of the values Prometheus has for it (as "All" does);
  the variable's own query must return values too.
- Comparisons (``==``, ``!=``, ``>``, ``<``, ``>=``, ``<=``, outside label matchers and range selectors) get
  the ``bool`` modifier, so an alert condition such as ``lag > 100 and deriv(lag[10m]) > 0`` is evaluated as
  ``lag > bool 100 and deriv(lag[10m]) > bool 0``: it returns the whole underlying vector (0 or 1 per
  series) instead of only the series that breach the threshold. A query that names a metric no service
  exports, a label the metric does not carry (in ``by``/``on`` or a matcher), or a recording rule Prometheus
  does not evaluate, still returns nothing, and is reported.
- The query is evaluated as an instant query (``/api/v1/query``); an error answer (a parse error) is reported
  with Prometheus's message.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests

import monitoring

RATE_INTERVAL = "1m"
COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
LABEL_VALUES = re.compile(r"^label_values\((?P<expr>.*),\s*(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*\)$", re.DOTALL)


@dataclass(frozen=True)
class Query:
    """One expression to check, and where it comes from (dashboard file / panel / refId, or a rule)."""

    source: str
    expr: str
    variables: tuple[tuple[str, str], ...] = ()  # (name, label_values(...)) of the dashboard it belongs to
    is_variable: bool = False  # the query of a dashboard variable (label_values), not of a panel


def with_bool(expr: str) -> str:
    """``expr`` with ``bool`` after every comparison operator outside ``{...}``, ``[...]`` and strings."""
    out: list[str] = []
    depth, i = 0, 0
    while i < len(expr):
        char = expr[i]
        if char in "\"'`":
            end = i + 1
            while end < len(expr) and expr[end] != char:
                end += 2 if expr[end] == "\\" else 1
            out.append(expr[i:end + 1])
            i = end + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        if depth == 0:
            operator = next((op for op in COMPARISONS if expr.startswith(op, i)), None)
            if operator is not None:
                rest = expr[i + len(operator):]
                out.append(operator)
                if not re.match(r"\s*bool\b", rest):
                    out.append(" bool")
                i += len(operator)
                continue
        out.append(char)
        i += 1
    return "".join(out)


def dashboard_queries(filename: str, dashboard: dict[str, Any]) -> list[Query]:
    variables = tuple((v["name"], v["query"]["query"] if isinstance(v["query"], dict) else v["query"])
                      for v in dashboard.get("templating", {}).get("list", []) if v.get("type") == "query")
    found = [Query(f"{filename} / variable ${name}", query, variables, is_variable=True)
             for name, query in variables]
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            found.append(Query(f"{filename} / {panel['title']} / {target['refId']}", target["expr"], variables))
    return found


def rule_queries() -> list[Query]:
    found = []
    for kind in ("alerts", "rules"):
        for group in monitoring.rule_groups(kind):
            for rule in group["rules"]:
                name = rule.get("alert") or rule["record"]
                found.append(Query(f"{'alert' if 'alert' in rule else 'rule'} {name}", rule["expr"]))
    return found


def all_queries() -> list[Query]:
    found = []
    for filename, dashboard in monitoring.built_dashboards().items():
        found.extend(dashboard_queries(filename, dashboard))
    return found + rule_queries()


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def query(self, expr: str) -> tuple[str | None, list[dict[str, Any]]]:
        """(error or None, result vector) of an instant query."""
        response = requests.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = response.json()
        if body.get("status") != "success":
            return f"{body.get('errorType')}: {body.get('error')}", []
        data = body["data"]
        result = data["result"]
        if data["resultType"] == "scalar":
            return None, [{"metric": {}, "value": result}]
        return None, list(result)


def _label_values(query: Callable[[str], tuple[str | None, list[dict[str, Any]]]], definition: str) -> \
        tuple[str | None, list[str]]:
    match = LABEL_VALUES.match(definition.strip())
    if match is None:
        return f"unsupported variable query {definition!r}", []
    error, result = query(f"group by ({match['label']}) ({match['expr']})")
    return error, sorted({series["metric"].get(match["label"], "") for series in result} - {""})


def prepare(expr: str, values: dict[str, str]) -> str:
    expr = expr.replace("$__rate_interval", RATE_INTERVAL).replace("${__rate_interval}", RATE_INTERVAL)
    for name, value in sorted(values.items(), key=lambda item: -len(item[0])):
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return with_bool(expr)


def problems(prometheus: Prometheus, queries: Iterable[Query]) -> dict[str, str | None]:
    """Source -> None when the query parses and returns series, else what is wrong."""
    found: dict[str, str | None] = {}
    resolved: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for item in queries:
        if item.is_variable:
            error, values = _label_values(prometheus.query, item.expr)
            found[item.source] = error or (None if values else f"no values for {item.expr}")
            continue
        if item.variables not in resolved:
            resolved[item.variables] = {name: "|".join(_label_values(prometheus.query, definition)[1]) or ".+"
                                        for name, definition in item.variables}
        expr = prepare(item.expr, resolved[item.variables])
        error, result = prometheus.query(expr)
        found[item.source] = error or (None if result else f"no series for {expr}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m monitoring.check PROMETHEUS_URL", file=sys.stderr)
        return 2
    report = problems(Prometheus(argv[0]), all_queries())
    failed = {source: problem for source, problem in report.items() if problem}
    for source, problem in failed.items():
        print(f"{source}: {problem}")
    print(f"{len(report) - len(failed)} of {len(report)} queries parse and return series", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
