"""A step's correlation id follows it from the HTTP post, through the stored event and the relayed message, to
the consumer that processes it, and is in every JSON log line on the way (services log to platform.log_dir)."""
from __future__ import annotations

import json
import os
import uuid

import requests

from tests.support.journeys import GOOD_IELTS, accepted_client, step
from tests.support.waiting import bearer, key, now_iso, wait_for


def log_entries(platform, service: str, correlation_id: str) -> list[dict]:
    entries = []
    with open(os.path.join(platform.log_dir, f"{service}.log"), encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # not ours (a library printing to stderr)
            if isinstance(entry, dict) and entry.get("correlation_id") == correlation_id:
                entries.append(entry)
    return entries


def test_a_steps_correlation_id_is_in_the_logs_of_the_service_that_stored_it_and_the_one_that_consumed_it(
        platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    step(platform, caseworker, client, "GMC", "english_sitting", GOOD_IELTS)
    correlation_id = f"trace-{uuid.uuid4().hex}"
    answer = requests.post(
        platform.url("pathways", f"/clients/{client}/pathways/GMC/steps"), timeout=15,
        json={"type": "exam_attempt", "occurred_at": now_iso(), "payload": {"exam": "PLAB1", "passed": True}},
        headers={**bearer(credentials("swbh-trust", "trust")), "Idempotency-Key": key(),
                 "X-Correlation-Id": correlation_id})
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Correlation-Id"] == correlation_id

    stored = wait_for(lambda: [e for e in log_entries(platform, "pathways",
                                                      correlation_id) if e["message"] == "stored"],
                      what="pathways' stored line")
    assert "Pathway.ExamAttempted" in stored[0]["event_types"] and stored[0]["level"] == "info"
    # reporting only knows the id from the relayed message's envelope, which carries the stored event's meta
    consumed = wait_for(lambda: [e for e in log_entries(platform, "reporting", correlation_id)
                                 if e["message"] == "consumed"], what="reporting's consumed line")
    assert (consumed[0]["upstream"], consumed[0]["event_type"]) == ("pathways", "milestone_reached_v1")
    assert client not in json.dumps(stored + consumed)  # ids of work, never of the person


def test_a_request_without_a_correlation_id_is_given_one_that_its_answer_and_log_lines_carry(
        platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    answer = requests.post(
        platform.url("pathways", f"/clients/{client}/pathways/GMC/steps"), timeout=15,
        json={"type": "right_to_work_check", "occurred_at": now_iso(), "payload": {"valid_until": None}},
        headers={**bearer(credentials("swbh-trust", "trust")), "Idempotency-Key": key()})
    assert answer.status_code == 201, answer.text
    made = answer.headers["X-Correlation-Id"]
    assert len(made) >= 16
    stored = wait_for(lambda: [e for e in log_entries(platform, "pathways", made) if e["message"] == "stored"],
                      what="the stored line under the generated id")
    assert "Pathway.RightToWorkChecked" in stored[0]["event_types"]


def test_a_job_start_carries_its_correlation_id_into_the_outcome_ledger(platform, credentials, caseworker,
                                                                        registered_contracts):
    client = accepted_client(platform, credentials, caseworker, occurred_at="2019-01-07T10:00:00+00:00")
    step(platform, caseworker, client, "GMC", "right_to_work_check", {"valid_until": None},
         "2019-04-01T09:00:00+00:00")
    correlation_id = f"trace-{uuid.uuid4().hex}"
    answer = requests.post(
        platform.url("pathways", f"/clients/{client}/pathways/GMC/steps"), timeout=15,
        json={"type": "employment_started", "occurred_at": "2019-05-01T09:00:00+00:00",
              "payload": {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "fy2"}},
        headers={**bearer(caseworker), "Idempotency-Key": key(), "X-Correlation-Id": correlation_id})
    assert answer.status_code == 201, answer.text
    ledger = wait_for(lambda: [e for e in log_entries(platform, "reporting", correlation_id)
                               if e["message"] == "stored"], what="the outcome stored under the step's id")
    assert "ParticipantLedger.Achieved" in ledger[0]["event_types"]
