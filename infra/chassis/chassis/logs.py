"""Structured JSON logs: one object per line, with the correlation id of the work being done.

Log only ids and counts: never names, emails, phone or NI numbers (they are not in messages or events'
routing either). ``extra={...}`` fields are merged into the JSON object.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time

from chassis.meta import _current

RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        meta = _current.get()
        if meta and meta.get("correlation_id"):
            entry["correlation_id"] = meta["correlation_id"]
        for key, value in record.__dict__.items():
            if key not in RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("kombu").setLevel(logging.WARNING)
    logging.getLogger("nameko").setLevel(logging.WARNING)
