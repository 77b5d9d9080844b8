"""The scale-out tests (issue 19, docs/scaling.md): the platform on three clustered RabbitMQ nodes with quorum
queues and a PostgreSQL primary with a synchronous standby (tests/support/cluster.py), two instances of pathways
and of reporting, faults under the steady load of the fault tests. A pytest session of its own (bin/test):
``-m cluster``. Each fault's recovery times are printed at the end of the session."""
from __future__ import annotations

import shutil

import pytest

RECOVERY: list[tuple[str, str, float]] = []  # (fault, what recovered, seconds)

needs_packages = pytest.mark.skipif(
    shutil.which("rabbitmqctl") is None or not shutil.os.path.exists("/usr/lib/postgresql/15/bin/pg_ctl"),
    reason="needs Debian's rabbitmq-server and postgresql-15 packages")


def recovered(fault: str, what: str, seconds: float) -> None:
    RECOVERY.append((fault, what, seconds))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)
            item.add_marker(needs_packages)


def pytest_terminal_summary(terminalreporter):
    if RECOVERY:
        terminalreporter.section("recovery times (tests/cluster)")
        for fault, what, seconds in RECOVERY:
            terminalreporter.write_line(f"{fault}: {what} in {seconds:.1f} s")
