"""A platform of the console's own for its tests (tests/e2e/console/conftest.py: one for the package, torn down
after it), with staff accounts.

Its own vhost and databases: the referrals and outcomes the console's tests make would change the counts
other tests assert on the shared platform. Small connection pools, and gone before the next test platform
starts: PostgreSQL here takes 100 connections in all, and each service process opens its pool at start.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from launcher import accounts
from launcher.processes import RunningPlatform
from tests.support.faults import own_platform
from tests.support.fixtures import Credentials, register_partner
from tests.support.ledger import register_shipped_contracts

PASSWORD = "a long enough test passphrase"
#: role -> (staff id, organisation)
PEOPLE = {"caseworker": ("cw-test-1", "learning-works"), "referrer": ("ref-test-1", "console-club"),
          "other_referrer": ("ref-test-2", "other-club"), "finance": ("fin-test-1", "swbh-trust"),
          "auditor": ("aud-test-1", "programme-office")}


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with own_platform(str(tmp_path_factory.mktemp("console-logs")), console=True, POSTGRES_POOL_SIZE="3",
                      POSTGRES_MAX_OVERFLOW="5") as running:
        credentials = Credentials(running.env, running)
        hub = credentials("learning-works", "caseworker")
        for partner in ("console-club", "other-club"):
            register_partner(running, hub, partner)
        register_shipped_contracts(running, credentials("programme-office", "admin"))
        for role, (person, organisation) in PEOPLE.items():
            accounts.add(person, organisation, role.replace("other_", ""), PASSWORD, running.env)
        running.credentials = credentials  # type: ignore[attr-defined]
        yield running
