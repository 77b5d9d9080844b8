"""Shared runtime of the USE-IT services: nothing here knows a domain word.

Importing the package makes psycopg cooperative under eventlet before anything else imports psycopg
(see ``chassis.cooperative``).
"""
from chassis import cooperative  # noqa: F401  (side effect: PSYCOPG_WAIT_FUNC before psycopg loads)
