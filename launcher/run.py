"""The run command: starts the platform, loads the demo programme, prints where everything is; Ctrl-C stops.

``bin/run --empty`` starts it with nothing loaded (no demo people, partners, contracts or enterprises), for a
programme's own data; use it on a fresh data directory (``DATA_DIR``, default ./var) or fresh databases, since a
platform that has loaded the demo once keeps it.

With ``AMQP_URI`` and ``POSTGRES_HOST`` in the environment it creates the databases and runs each service as
its own process on RabbitMQ and PostgreSQL; with neither it runs the embedded default (one process, kombu's
in-memory transport, SQLite files under ./var).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from chassis import auth, config
from launcher import accounts, demo, preflight
from launcher.processes import (
    RunningPlatform,
    StartupError,
    default_ports,
    platform_env,
)
from launcher.services import CONSOLE, SERVICES


def migrate(env: dict[str, str]) -> None:
    import subprocess

    subprocess.run([sys.executable, "-m", "chassis.migrate", *[spec.application for spec in (*SERVICES, CONSOLE)]],
                   env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    # a shell that starts a command in the background makes it ignore SIGINT, and Python then keeps it ignored:
    # restore Python's own handler, so that Ctrl-C (or kill -INT) stops the platform however it was started
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(prog="bin/run", description="Runs the USE-IT case platform.")
    parser.add_argument("--empty", action="store_true",
                        help="start with nothing loaded: no demo programme, partners or outcomes contracts")
    options = parser.parse_args(argv)
    base = dict(os.environ)
    if config.uses_postgres(base) != (not config.embedded(base)):
        print("Set both AMQP_URI and POSTGRES_HOST (RabbitMQ + PostgreSQL), or neither (embedded).", file=sys.stderr)
        return 2
    problems = preflight.problems(base)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 2
    ports = default_ports(base)
    env = platform_env(base, ports)
    embedded = config.embedded(env)
    platform = RunningPlatform(env=env, ports=ports, embedded=embedded,
                               log_dir=os.path.join(config.data_dir(env), "logs"))
    if not embedded:
        migrate(env)
    print("Starting the USE-IT platform " + ("(embedded: one process, in-memory broker, SQLite in "
                                             f"{config.data_dir(env)})" if embedded else
                                             "(RabbitMQ + PostgreSQL, one process per service)"), flush=True)
    try:
        credentials = demo.demo_credentials(env)
        people = [] if options.empty else accounts.demo_accounts(env)
        platform.start()
        loaded = None if options.empty else demo.load(platform, credentials)
    except (StartupError, Exception) as error:  # show the reason, not a traceback
        platform.stop()
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    if loaded is None:
        print("Started empty. Register referral partners (POST /partners on referrals) and outcomes contracts"
              " (POST /outcomes-contracts on reporting; the shipped cards are in"
              " services/reporting/reporting/contract_terms/); docs/api lists every call.")
    else:
        print("Demo programme loaded: " + ", ".join(
            f"{key.replace('_', ' ')} {', '.join(value) if isinstance(value, list) else value}"
            for key, value in loaded.items()))
    for spec in SERVICES:
        print(f"  {spec.name:<12} API {platform.url(spec.name)}   docs {platform.url(spec.name, '/openapi.json')}"
              f"   events {platform.url(spec.name, '/asyncapi.json')}   metrics {platform.url(spec.name, '/metrics')}")
    print(f"  reports: {platform.url('reporting', '/reports/summary')}   KPIs: "
          f"{platform.url('reporting', '/reports/kpis')}")
    print(f"  outcome ledger: {platform.url('reporting', '/ledger/contracts/use-it-nhs-bond/statement')}"
          "?from=2018-10-01&to=2022-03-31")
    print("Console (pages for caseworkers, partners, finance, programme managers, auditors): "
          f"{platform.url('console')}")
    if people:
        print("  demo accounts (staff id / password; add your own with .venv/bin/python -m launcher.accounts add):")
        for person in people:
            print(f"    {person['role']:<17} {person['person']:<15} {person['password']}   ({person['organisation']})")
    print(f"An admin credential for trying the APIs (send as 'Authorization: Bearer ...'):\n  {credentials['admin']}\n"
          "Issue others with: .venv/bin/python -m launcher.credentials issue --organisation ORG --role ROLE"
          f" (ROLE one of: {', '.join(auth.ROLES)})")
    print(f"Logs in {platform.log_dir}. Press Ctrl-C to stop.", flush=True)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    try:
        while not stop["now"] and all(p.poll() is None for p in platform.processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    print("Stopping...", flush=True)
    platform.stop()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
