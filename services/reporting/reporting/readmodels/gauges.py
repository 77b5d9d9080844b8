"""Domain gauges: the programme as the read models see it, read at scrape time into the service's registry.

``DomainGauges`` registers a collector in the container's metrics registry (chassis.telemetry), so reporting's
``/metrics`` answers with these beside the runtime metrics. Each scrape runs a handful of small read-model
queries (the same functions the HTTP reports use). Label values are entry points, milestones, partner
organisation ids, contract ids and payment states: bounded sets, never personal data.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider
from prometheus_client.core import GaugeMetricFamily

from chassis import config
from chassis.application import ServiceApplication
from chassis.providers import find_store
from chassis.telemetry import Telemetry
from contracts import pathways as pw
from reporting.outcomes.totals import outcome_payment_totals
from reporting.readmodels import queries

log = logging.getLogger(__name__)

#: The milestone counted as a placement offered (the programme's target counts placements offered).
PLACEMENT_OFFERED = "placement_offered"

#: name, type, labels, meaning: the catalogue of these gauges (docs/observability.md is generated from it).
GAUGES = (
    ("useit_pathways_opened", "gauge", ("entry_point",), "Pathways opened, by the client's entry point"),
    ("useit_pathways_reached", "gauge", ("milestone",),
     "Pathways that reached each milestone at least once (the pathway funnel)"),
    ("useit_referrals_overdue", "gauge", ("partner",),
     "Referrals past their first-contact date with no contact attempt, per referring partner"),
    ("useit_clients_by_stage", "gauge", ("stage", "entry_point"),
     "Pathways at each stage now (esol, english, registration, job_matching, sustainment, closed), by entry point"),
    ("useit_placements_offered", "gauge", (),
     "Clients offered a placement (observership, attachment, work experience)"),
    ("useit_placements_target", "gauge", (), "The programme's target of placements offered (PLACEMENT_TARGET)"),
    ("useit_outcome_payments_pence", "gauge", ("contract", "state"),
     "Outcome payments per contract in pence, by state (due, paid, clawed_back)"),
    ("useit_domain_gauges_up", "gauge", (), "1 when the read models could be read at this scrape"),
)


def placement_target(source: Any = None) -> int:
    """The programme's target of placements offered (60 over three years in the USE-IT! journal)."""
    return int(config.env("PLACEMENT_TARGET", "60", source) or 60)


def _family(name: str) -> GaugeMetricFamily:
    _, _, labels, meaning = next(g for g in GAUGES if g[0] == name)
    return GaugeMetricFamily(name, meaning, labels=list(labels))


class ReadModelCollector:
    """A prometheus_client collector: reads the gauges at each ``collect`` (each scrape)."""

    def __init__(self, app: Callable[[], ServiceApplication | None], target: int) -> None:
        self.app, self.target = app, target

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter([_family(name) for name, *_ in GAUGES])  # no queries at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = _family("useit_domain_gauges_up")
        try:
            app = self.app()
            if app is None:
                raise RuntimeError("the store is not set up")
            families = read(app, self.target)
        except Exception:  # a scrape must still answer (runtime metrics, database health) when a query fails
            log.warning("could not read the read models for the domain gauges", exc_info=True)
            up.add_metric([], 0)
            return iter([up])
        up.add_metric([], 1)
        return iter([*families, up])


def read(app: ServiceApplication, target: int) -> list[GaugeMetricFamily]:
    """The domain gauges now (every known milestone and partner has a series, 0 included)."""
    today = datetime.now(UTC).date()
    opened = _family("useit_pathways_opened")
    for row in queries.pathways_by_entry_point(app, today):
        opened.add_metric([row["entry_point"]], row["opened"])
    funnel = queries.pathway_funnel(app, today)
    reached = _family("useit_pathways_reached")
    for milestone in sorted({*pw.MILESTONES, PLACEMENT_OFFERED, *funnel}):
        reached.add_metric([milestone], funnel.get(milestone, 0))
    overdue_by_partner = {row["partner_id"]: 0 for row in queries.referrals_by_partner(app, today)}
    for row in queries.overdue_referrals(app, today.isoformat()):
        overdue_by_partner[row["partner_id"]] = overdue_by_partner.get(row["partner_id"], 0) + 1
    overdue = _family("useit_referrals_overdue")
    for partner, count in sorted(overdue_by_partner.items()):
        overdue.add_metric([partner], count)
    stages = _family("useit_clients_by_stage")
    by_stage = queries.clients_by_stage(app, today)["by_entry_point"]
    for stage in queries.STAGES:
        for entry_point in ("E-A", "E-B", "E-C", "E-D"):
            stages.add_metric([stage, entry_point], by_stage[stage].get(entry_point, 0))
    offered, wanted = _family("useit_placements_offered"), _family("useit_placements_target")
    offered.add_metric([], queries.placements(app, today, target)["clients_offered_placements"])
    wanted.add_metric([], target)
    payments = _family("useit_outcome_payments_pence")
    for contract, state, pence in outcome_payment_totals(app):
        payments.add_metric([str(contract), state], int(pence))
    return [opened, reached, overdue, stages, offered, wanted, payments]


class DomainGauges(DependencyProvider):
    """Registers the read-model collector in the container's metrics registry (nothing for workers)."""

    telemetry = Telemetry()

    def setup(self) -> None:
        store = find_store(self.container)
        self.telemetry.metrics.registry.register(
            ReadModelCollector(lambda: store.app, placement_target(self.container.config.get("ENV") or None)))
