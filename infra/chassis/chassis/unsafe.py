"""TEST-ONLY switches that disable a reliability mechanism, so the fault-injection tests can prove they bite.

``CHASSIS_UNSAFE`` is a comma-separated list of:

- ``outbox``: the relay no longer holds on to what it could not publish: a failed publish is logged and its
  position stored anyway (the at-most-once delivery of a dual write);
- ``dedupe``: a consumer processes again a message it has already processed (no position check, and the
  tracking row stops refusing a position that does not advance);
- ``gapfill``: a consumer never pulls from the upstream's log (no gap filling, no periodic catch-up);
- ``crash-after-commit``: a consumer's process exits right after a delivery's writes are committed, before the
  message is acknowledged (after ``CHASSIS_CRASH_AFTER`` deliveries, default 1).

Never set it outside the tests: a service refuses to start with any switch on unless its databases and broker
vhost are a test session's (``DB_PREFIX`` ``t<8 hex>_`` and a vhost named ``test_...``, as
tests/support/fixtures.py makes them).
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlparse

log = logging.getLogger(__name__)

SWITCHES = ("outbox", "dedupe", "gapfill", "crash-after-commit")
_parsed: tuple[str, frozenset[str]] = ("", frozenset())
_crash_countdown: list[int] = []


class UnsafeOutsideTests(RuntimeError):
    """Raised when CHASSIS_UNSAFE is set for anything but a test session's databases and vhost."""


def switches() -> frozenset[str]:
    global _parsed
    raw = os.environ.get("CHASSIS_UNSAFE", "")
    if raw != _parsed[0]:
        names = frozenset(s.strip() for s in raw.split(",") if s.strip())
        unknown = names - set(SWITCHES)
        if unknown:
            raise UnsafeOutsideTests(f"unknown CHASSIS_UNSAFE switches: {sorted(unknown)}")
        _parsed = (raw, names)
    return _parsed[1]


def enabled(name: str) -> bool:
    return name in switches()


def refuse_outside_tests(source: Mapping[str, str] | None = None) -> None:
    """Raises unless no switch is on or this process runs against a test session's databases and vhost."""
    source = os.environ if source is None else source
    if not switches():
        return
    prefix = source.get("DB_PREFIX", "")
    vhost = unquote(urlparse(source.get("AMQP_URI", "")).path.lstrip("/"))
    if not (re.fullmatch(r"t[0-9a-f]{8}_", prefix) and vhost.startswith("test_")):
        raise UnsafeOutsideTests("CHASSIS_UNSAFE is for the fault-injection tests only (a test session's DB_PREFIX"
                                 " and vhost); unset it")
    log.warning("TEST-ONLY: reliability switches off: %s", ",".join(sorted(switches())))


def crash_point() -> None:
    """Exits the process abruptly (no ack, no cleanup) once enough deliveries have been committed."""
    if not enabled("crash-after-commit"):
        return
    if not _crash_countdown:
        _crash_countdown.append(int(os.environ.get("CHASSIS_CRASH_AFTER", "1") or 1))
    _crash_countdown[0] -= 1
    if _crash_countdown[0] <= 0:
        log.warning("TEST-ONLY crash point: exiting after a commit, before the acknowledgement")
        os._exit(70)
