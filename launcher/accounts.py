"""Staff accounts of the console: ``python -m launcher.accounts``.

    add --person STAFF_ID --organisation ORG --role ROLE    asks for the password (or reads it from stdin)
    reset STAFF_ID                                          a new password (and credential); the old one revoked
    disable STAFF_ID                                        can no longer sign in; its credential revoked
    list                                                    staff ids, organisations, roles (no secrets)

An account is a person (their staff id, never a name) within an organisation and one role. Adding one issues
that person an API credential in every service (launcher.credentials, with ``--person``), which the console keeps
wrapped under the password: the console acts only as the person signed in (console.application).
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from chassis import auth, config
from chassis.application import build_application
from chassis.serve import load
from launcher import credentials
from launcher.services import CONSOLE

if TYPE_CHECKING:
    from console.application import Accounts

#: the demo's accounts, one per role that has pages: (staff id, organisation, role)
DEMO = (
    ("cw-hub-1", "learning-works", "caseworker"),
    ("ref-ladywood-1", "ladywood-work-club", "referrer"),
    ("fin-swbh-1", "swbh-trust", "finance"),
    ("aud-1", "programme-office", "auditor"),
    ("es-ise-1", "ise", "enterprise_staff"),
    ("admin-1", "programme-office", "admin"),
)
WORDS = ("amber", "birch", "canal", "delta", "ember", "fjord", "glade", "harbour", "island", "juniper", "kestrel",
         "lantern", "meadow", "nettle", "orchard", "pebble", "quarry", "river", "saffron", "thistle", "upland",
         "valley", "willow", "yarrow")


@contextmanager
def console_accounts(source: dict | None = None) -> Iterator[Accounts]:
    from console.application import Accounts

    app = build_application(load(CONSOLE.application), source, **credentials.ONE_CONNECTION)
    try:
        app.migrate()
        yield Accounts(app)
    finally:
        app.close()


def add(person: str, organisation: str, role: str, password: str, source: dict | None = None) -> None:
    from console.domain.accounts import check_password, check_staff_id

    check_staff_id(person)
    check_password(password)  # before a credential is issued for nothing
    issued = credentials.issue(organisation, [role], source, person=person)
    with console_accounts(source) as accounts:
        accounts.create(person, organisation, role, password, issued.credential, issued.key_id)


def reset(person: str, password: str, source: dict | None = None) -> None:
    with console_accounts(source) as accounts:
        found = {a.person: a for a in accounts.listing()}
        if person not in found:
            raise SystemExit(f"there is no account {person}")
        issued = credentials.issue(found[person].organisation, [found[person].role], source, person=person)
        old = accounts.reset(person, password, issued.credential, issued.key_id)
    credentials.revoke(old, source)


def disable(person: str, source: dict | None = None) -> None:
    with console_accounts(source) as accounts:
        key_id = accounts.disable(person)
    if key_id:
        credentials.revoke(key_id, source)


def demo_accounts(source: dict | None = None) -> list[dict[str, str]]:
    """The demo's account for each role, made once per data directory; their passwords are kept (owner-only) in
    DATA_DIR/demo-accounts.json so that ``bin/run`` can print them again."""
    path = os.path.join(config.data_dir(source), "demo-accounts.json")
    known: dict[str, str] = {}
    if os.path.exists(path):
        with open(path) as file:
            known = json.load(file)
    with console_accounts(source) as accounts:
        existing = {a.person for a in accounts.listing()}
    made = []
    for person, organisation, role in DEMO:
        password = known.get(person) or "-".join(secrets.choice(WORDS) for _ in range(4))
        if person not in existing:
            add(person, organisation, role, password, source)
        known[person] = password
        made.append({"person": person, "organisation": organisation, "role": role, "password": password})
    os.makedirs(os.path.dirname(path), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(known, file)
    return made


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (at least 12 characters; three random words make a good one): ")
    if getpass.getpass("The same again: ") != first:
        raise SystemExit("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher.accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add")
    adding.add_argument("--person", required=True, help="the staff id (not a name)")
    adding.add_argument("--organisation", required=True)
    adding.add_argument("--role", required=True, choices=auth.ROLES)
    adding.add_argument("--password-stdin", action="store_true")
    resetting = commands.add_parser("reset")
    resetting.add_argument("person")
    resetting.add_argument("--password-stdin", action="store_true")
    disabling = commands.add_parser("disable")
    disabling.add_argument("person")
    commands.add_parser("list")
    args = parser.parse_args(argv)
    from console.domain.accounts import AccountRuleBroken

    try:
        if args.command == "add":
            add(args.person, args.organisation, args.role, _password(args))
        elif args.command == "reset":
            reset(args.person, _password(args))
        elif args.command == "disable":
            disable(args.person)
        else:
            with console_accounts() as accounts:
                for account in accounts.listing():
                    print(json.dumps(account.__dict__))
    except AccountRuleBroken as broken:
        print(broken.message, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
