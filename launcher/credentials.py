"""Issues, rotates, revokes and lists API credentials in every service: ``python -m launcher.credentials``.

    issue --organisation ORG --role ROLE [--role ROLE ...]   prints the credential once; store it safely
    rotate KEY_ID [--grace-hours 24]                         a new credential; the old one ends after the grace
    revoke KEY_ID                                            ends it now, everywhere
    list                                                     key ids, organisations, roles, dates (no secrets)

Uses the same environment as the services (PostgreSQL settings, or DATA_DIR for the embedded default).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator

from chassis import auth
from chassis.application import ServiceApplication, build_application
from chassis.serve import load
from launcher.services import SERVICES

#: a command's few statements need one connection per database, not a service's pool of ten (which, opened at
#: once for each of the four databases, is 40 of PostgreSQL's 100 connections)
ONE_CONNECTION = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "1"}


def applications(source: dict | None = None) -> Iterator[ServiceApplication]:
    for spec in SERVICES:
        app = build_application(load(spec.application), source, **ONE_CONNECTION)
        try:
            app.migrate()
            yield app
        finally:
            app.close()


def issue(organisation: str, roles: Iterable[str], source: dict | None = None,
          person: str | None = None) -> auth.Issued:
    issued = auth.new_credential(organisation, roles, person)
    for app in applications(source):
        auth.store(app, issued)
    return issued


def revoke(key_id: str, source: dict | None = None) -> int:
    return sum(auth.revoke(app, key_id) for app in applications(source))


def rotate(key_id: str, grace_hours: float, source: dict | None = None) -> auth.Issued:
    current = None
    for app in applications(source):
        current = current or auth.lookup(app, key_id)
    if current is None or current["revoked_at"]:
        raise SystemExit(f"no active credential {key_id}")
    issued = issue(current["organisation"], current["roles"].split(","), source, current.get("person"))
    for app in applications(source):
        auth.expire(app, key_id, grace_hours)
    return issued


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher.credentials")
    commands = parser.add_subparsers(dest="command", required=True)
    issuing = commands.add_parser("issue")
    issuing.add_argument("--organisation", required=True)
    issuing.add_argument("--role", action="append", required=True, choices=auth.ROLES)
    issuing.add_argument("--person", help="the member of staff it is for: their staff id (not a name); every "
                                          "read of case data it makes is recorded under it")
    rotating = commands.add_parser("rotate")
    rotating.add_argument("key_id")
    rotating.add_argument("--grace-hours", type=float, default=24.0)
    revoking = commands.add_parser("revoke")
    revoking.add_argument("key_id")
    commands.add_parser("list")
    args = parser.parse_args(argv)
    if args.command == "issue":
        issued = issue(args.organisation, args.role, person=args.person)
        print(json.dumps({"key_id": issued.key_id, "credential": issued.credential,
                          "organisation": issued.organisation, "roles": issued.roles, "person": issued.person}))
    elif args.command == "rotate":
        issued = rotate(args.key_id, args.grace_hours)
        print(json.dumps({"key_id": issued.key_id, "credential": issued.credential, "replaces": args.key_id}))
    elif args.command == "revoke":
        print(f"revoked in {revoke(args.key_id)} services")
    else:
        for app in applications():
            for row in auth.listing(app):
                print(json.dumps({"service": app.name, **row}))
            break  # every service holds the same rows
    return 0


if __name__ == "__main__":
    sys.exit(main())
