"""The metrics registry of a container: counting stored events, series that exist from the start, and domain
gauges that never break a scrape."""
from __future__ import annotations

from prometheus_client import generate_latest

from chassis.telemetry import Metrics
from reporting.readmodels.gauges import ReadModelCollector


def test_stored_events_are_counted_per_type_in_one_call_per_save():
    metrics = Metrics("pathways")
    sample = ("useit_events_stored_total", {"service": "pathways", "event_type": "Pathway.ExamAttempted"})
    before = metrics.registry.get_sample_value(*sample) or 0.0
    metrics.count_stored(["Pathway.ExamAttempted", "IdempotencyRecord.Recorded", "Pathway.ExamAttempted"])
    assert metrics.registry.get_sample_value(*sample) == before + 2


def test_counters_whose_labels_are_known_at_start_exist_before_anything_happens():
    metrics = Metrics("reporting")
    metrics.known_upstreams(["referrals"])
    text = generate_latest(metrics.registry).decode()
    for series in ('useit_relay_publish_failures_total{service="reporting"}',
                   'useit_dead_letters_total{service="reporting",upstream="referrals"}',
                   'useit_consumer_gap_fills_total{service="reporting",upstream="referrals"}',
                   'useit_rebuild_processed_events{service="reporting"}',
                   'useit_rebuild_total_events{service="reporting"}'):
        assert series in text


def test_a_scrape_still_answers_when_the_read_models_cannot_be_read():
    metrics = Metrics("reporting")
    metrics.registry.register(ReadModelCollector(lambda: None, 60))  # no store: every query would fail
    text = generate_latest(metrics.registry).decode()
    assert "useit_domain_gauges_up 0.0" in text and "useit_http_requests_total" in text
    assert "useit_placements_target 60" not in text
