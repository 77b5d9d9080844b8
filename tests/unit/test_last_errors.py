"""A failing fault test names what the services logged (CI keeps no log files): RunningPlatform.last_errors."""
from __future__ import annotations

import json

from launcher.processes import RunningPlatform


def test_the_last_distinct_errors_of_each_log_with_their_exception(tmp_path):
    lines = [
        {"level": "info", "message": "relayed"},
        {"level": "error", "message": "unhandled error on POST /steps (correlation " + "a" * 32 + ")",
         "error": "Traceback (most recent call last):\n  File x\npsycopg.OperationalError: too many clients"},
        {"level": "error", "message": "unhandled error on POST /steps (correlation " + "b" * 32 + ")",
         "error": "Traceback (most recent call last):\n  File x\npsycopg.OperationalError: too many clients"},
        {"level": "critical", "message": "the pathways container died"},
        {"level": "warning", "message": "retrying"},
    ]
    (tmp_path / "pathways.log").write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    (tmp_path / "referrals.log").write_text(json.dumps({"level": "info", "message": "started"}) + "\n")
    platform = RunningPlatform(env={}, ports={}, embedded=False, log_dir=str(tmp_path))

    assert platform.last_errors(["pathways", "referrals", "absent"]) == {"pathways": [
        "the pathways container died",
        "unhandled error on POST /steps (correlation ...) [psycopg.OperationalError: too many clients]",
    ]}
