"""Event flow: events stored, relayed by the outbox and consumed; relay and consumer lag; dead letters;
read-model rebuild progress."""
from __future__ import annotations

from typing import Any

from monitoring.grafana import dashboard as build
from monitoring.grafana import timeseries

RATE = "[$__rate_interval]"


def dashboard(settings: dict[str, Any]) -> dict[str, Any]:
    sel, limits = settings["selector"], settings["thresholds"]
    panels = [
        timeseries("Events stored per type", [
            (f"sum by (job, event_type) (rate(useit_events_stored_total{{{sel}}}{RATE}))", "{{job}} {{event_type}}")],
            settings, unit="ops", description="Domain events appended to each service's event store."),
        timeseries("Integration events relayed per type", [
            (f"sum by (job, event_type) (rate(useit_relay_published_total{{{sel}}}{RATE}))",
             "{{job}} {{event_type}}")], settings, unit="ops",
            description="Published by each service's outbox relay, confirmed by the broker."),
        timeseries("Events consumed per upstream", [
            (f"sum by (job, upstream, outcome) (rate(useit_consumer_processed_total{{{sel}}}{RATE}))",
             "{{job}} from {{upstream}}: {{outcome}}")], settings, unit="ops",
            description="processed, duplicate (dropped), dead_lettered, replayed, or deferred (dropped while a rebuild "
                        "reads that upstream)."),
        timeseries("Relay lag", [(f"max by (job) (useit_relay_lag_events{{{sel}}})", "{{job}}")], settings,
                   threshold=limits["CaseMgmtRelayLagGrowing"],
                   description="Notification log head minus the position the relay has published."),
        timeseries("Consumer lag per upstream", [
            (f"max by (job, upstream) (useit_consumer_lag_events{{{sel}}})", "{{job}} behind {{upstream}}")],
            settings, threshold=limits["CaseMgmtConsumerLagGrowing"],
            description="The upstream's log head minus the position this service has processed."),
        timeseries("Log head and relayed position", [
            (f"max by (job) (useit_notification_log_head{{{sel}}})", "{{job}} head"),
            (f"max by (job) (useit_relay_position{{{sel}}})", "{{job}} relayed")], settings),
        timeseries("Dead letters waiting", [
            (f"max by (job) (useit_dead_letter_queue_messages{{{sel}}})", "{{job}}")], settings, threshold=1,
            description="Messages in each consumer's dead-letter queue: python -m chassis.deadletters SERVICE."),
        timeseries("Messages dead-lettered (1 h)", [
            (f"sum by (job, upstream) (increase(useit_dead_letters_total{{{sel}}}[1h]))", "{{job}} from {{upstream}}")],
            settings),
        timeseries("Relay publish failures", [
            (f"sum by (job) (rate(useit_relay_publish_failures_total{{{sel}}}{RATE}))", "{{job}}")], settings,
            unit="ops"),
        timeseries("Relay leader", [(f"max by (job) (useit_relay_leader{{{sel}}})", "{{job}}")], settings,
                   description="1 while an instance of the service holds the relay lease."),
        timeseries("Gap fills (1 h)", [
            (f"sum by (job, upstream) (increase(useit_consumer_gap_fills_total{{{sel}}}[1h]))",
             "{{job}} from {{upstream}}")], settings,
            description="Ranges a consumer pulled from an upstream's log (missed or late messages)."),
        timeseries("Read-model rebuild progress", [
            (f"max by (job) (useit_rebuild_processed_events{{{sel}}})", "{{job}} processed"),
            (f"max by (job) (useit_rebuild_total_events{{{sel}}})", "{{job}} to process")], settings,
            description="Both 0 when no rebuild runs."),
    ]
    return build("USE-IT: event flow", "Events stored, relayed and consumed; lag, dead letters and rebuilds.",
                 panels)
