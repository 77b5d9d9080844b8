"""psycopg 3 made cooperative under eventlet.

psycopg-binary waits for the server in a C ``poll()`` (``wait_c``) that eventlet cannot see, so one slow
query freezes every nameko worker of the process (runtime lab, section 3). ``PSYCOPG_WAIT_FUNC=wait_select``
makes psycopg wait through ``select.select``, which ``eventlet.monkey_patch()`` turns into a green wait. The
variable is read when psycopg is first imported, so this module must be imported before psycopg: the
``chassis`` package does it on import, and the services import ``chassis`` first.
"""
import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

import eventsourcing.postgres  # noqa: F401
import psycopg
import psycopg_pool  # noqa: F401  (eager: a lazy import inside setup() races, lab pitfall 2)


def assert_cooperative() -> None:
    """Raised-on-startup check: psycopg must wait through select, never the blocking C poll."""
    name = getattr(psycopg.waiting.wait, "__name__", "")
    if name != "wait_select":
        raise RuntimeError(
            f"psycopg waits with {name}; set PSYCOPG_WAIT_FUNC=wait_select before psycopg is imported"
        )
