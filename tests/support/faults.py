"""Fault injection over the real services: a platform of one's own, a steady load of posts, and the checks.

``Load`` is a thread posting as trust systems, partners and programme staff would: referrals and the hub's
referral steps, then each accepted client's pathway steps up to NHS employment and sustainment (outcomes in
the ledger), and enterprise registrations. Every post carries an idempotency key; one refused by an outage
(no answer, a 5xx, or a 404 for a pathway not opened yet) is posted again later with the same key, as a trust
system retries. ``accepted`` maps each key to what it posted once it was answered 201.

``quiescent`` says when every relay has published its log and every consumer and read model has caught up;
``problems`` runs the checks: each accepted post stored exactly once, every integration event of referrals
and pathways in reporting's audit view, the read models equal to a clean rebuild (reporting's
``rebuild --verify``, pathways' caseload rebuilt in place) and the outcome ledger equal to a from-scratch
replay (``reporting.outcomes.reconcile``).
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg
import requests

from chassis import config
from launcher.demo import ENGLISH_FOR
from launcher.processes import RunningPlatform, platform_env
from launcher.run import migrate
from launcher.services import CONSOLE, SERVICES
from tests.support.fixtures import (
    AMQP_BASE,
    POSTGRES_HOST,
    Credentials,
    _api,
    free_port,
)
from tests.support.ledger import register_shipped_contracts
from tests.support.waiting import form, wait_for

#: ``FAULT_SOAK=N`` multiplies how long each fault test loads the platform around its fault (docs/scaling.md).
SOAK = max(1, int(os.environ.get("FAULT_SOAK", "1") or 1))
UPSTREAMS = ("referrals", "pathways", "enterprises")


# -- a platform of one's own ------------------------------------------------------------------------------------
@contextmanager
def own_platform(log_dir: str, console: bool = False, amqp_uri: str | None = None,
                 **extra_env: str) -> Iterator[RunningPlatform]:
    """The four services (and the console, if asked) as processes on a fresh vhost and fresh databases (removed
    afterwards). With ``amqp_uri`` (a vhost of another broker, made by the caller) and ``POSTGRES_HOST`` in
    ``extra_env``, on those instead (tests/cluster: thrown away with them)."""
    from chassis.vault import new_master_key

    vhost, prefix = f"test_{uuid.uuid4().hex[:10]}", f"t{uuid.uuid4().hex[:8]}_"
    if amqp_uri is None:
        _api("PUT", f"/vhosts/{vhost}")
        _api("PUT", f"/permissions/{vhost}/guest", json={"configure": ".*", "write": ".*", "read": ".*"})
    base = {**os.environ, "AMQP_URI": amqp_uri or f"{AMQP_BASE}/{quote(vhost)}", "POSTGRES_HOST": POSTGRES_HOST,
            "DB_PREFIX": prefix, "PSYCOPG_WAIT_FUNC": "wait_select", "MASTER_KEY": new_master_key(),
            "AUDIT_SIGNING_KEY": new_master_key(), "RPC_TIMEOUT": "5", **extra_env}
    specs = (*SERVICES, CONSOLE) if console else SERVICES
    env = platform_env(base, {spec.name: free_port() for spec in specs})
    ports = {spec.name: int(env[f"{spec.name.upper()}_HTTP_PORT"]) for spec in specs}
    migrate(env)
    running = RunningPlatform(env=env, ports=ports, embedded=False, log_dir=log_dir)
    try:
        running.start()
        yield running
    finally:
        for process in running.processes.values():  # thrown away with its databases: no need to drain
            process.kill()
            process.wait(timeout=30)
        running.processes.clear()
        if amqp_uri is None:  # else the caller's broker and databases, thrown away by the caller
            # Another engineer's test may be restarting the broker or the database right now: retry, then drop.
            wait_for(lambda: _api("DELETE", f"/vhosts/{vhost}"), timeout=60, what="the vhost to be deleted")
            wait_for(lambda: _drop_databases(prefix, env), timeout=60, what="the databases to be dropped")


def _drop_databases(prefix: str, env: dict[str, str]) -> bool:
    try:
        with psycopg.connect(config.postgres_conninfo("postgres", env), autocommit=True) as connection:
            for spec in (*SERVICES, CONSOLE):
                connection.execute(f'DROP DATABASE IF EXISTS "{prefix}{spec.name}" WITH (FORCE)')
        return True
    except psycopg.OperationalError:
        return False


def restart(platform: RunningPlatform, service: str, **env: str) -> None:
    """Starts ``service`` again (after a kill), with ``env`` added to or removed from (value "") its environment."""
    saved = platform.env
    platform.env = {k: v for k, v in {**saved, **env}.items() if v != ""}
    try:
        platform.start([service])
    finally:
        platform.env = saved


@dataclass
class Actors:
    partner: str
    referrer: str
    hub: str
    staff: str


def actors(platform: RunningPlatform) -> Actors:
    credentials = Credentials(platform.env, platform)
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    register_shipped_contracts(platform, credentials("programme-office", "admin"))
    return Actors(partner, credentials(partner, "referrer"), credentials("learning-works", "caseworker"),
                  credentials("ise", "enterprise_staff"))


# -- the load ----------------------------------------------------------------------------------------------------
@dataclass
class Journey:
    """One person's way from referral to 26 weeks in NHS work, one post at a time."""

    number: int
    steps: list[tuple[str, str, str, Any]] = field(default_factory=list)  # (kind, service, path or "", body)
    keys: list[str] = field(default_factory=list)
    referral: dict = field(default_factory=dict)
    not_before: float = 0.0
    blocked: bool = False  # its pathway is not open yet (its opening travels through the broker)

    @property
    def done(self) -> bool:
        return not self.steps


ENROLLED = "2019-01-07T10:00:00+00:00"
PATHWAY_STEPS = (
    ("right_to_work_check", {"valid_until": None}, "2019-04-01T09:00:00+00:00"),
    ("employment_started", {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"},
     "2019-05-01T09:00:00+00:00"),
    ("mentoring_session", {"mentor_ref": "m-1", "minutes": 45}, "2019-05-20T09:00:00+00:00"),
    ("sustainment_confirmed", {"weeks": 13}, "2019-08-05T09:00:00+00:00"),
    ("sustainment_confirmed", {"weeks": 26}, "2019-11-04T09:00:00+00:00"),
)


class Load:
    """A background thread posting steadily (see module docstring); ``finish()`` completes every journey."""

    def __init__(self, platform: RunningPlatform, who: Actors, journeys: int = 6, rate: float = 40.0,
                 pathways_urls: list[str] | None = None) -> None:
        self.platform, self.who, self.active, self.interval = platform, who, journeys, 1.0 / rate
        self.pathways_urls = pathways_urls or [platform.url("pathways")]
        self.accepted: dict[str, str] = {}
        self.unexpected: list[str] = []
        self.retries = 0
        self.answers: Counter[str] = Counter()  # "<kind> <status>": what the platform answered, for failures
        self.journeys: list[Journey] = []
        self.numbers = itertools.count(int(uuid.uuid4().int % 10**5) * 10)
        self.starting = True
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="fault-load", daemon=True)

    def __enter__(self) -> Load:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(30)

    def posted(self, at_least: int, what: str = "posts") -> None:
        """Waits until ``at_least`` more posts have been accepted than now."""
        target = len(self.accepted) + at_least
        try:
            wait_for(lambda: len(self.accepted), lambda n: n >= target, timeout=60 * SOAK, what=what)
        except AssertionError as error:  # what the services logged says why (CI keeps no log files)
            raise AssertionError(f"{error}; answers so far: {dict(self.answers)}; last errors logged:"
                                 f" {self.platform.last_errors()}") from None

    def finish(self, timeout: float = 120.0) -> None:
        """Starts no more journeys; waits until every started one has been posted to its end."""
        self.starting = False
        wait_for(lambda: all(j.done for j in self.journeys) or not self.thread.is_alive(), timeout=timeout,
                 what="every journey to be posted to its end")
        self.stopped.set()
        self.thread.join(30)
        assert not self.unexpected, self.unexpected[:5]

    # -- the thread ----------------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self.stopped.is_set():
            unfinished = [j for j in self.journeys if not j.done]
            if self.starting and sum(not j.blocked for j in unfinished) < self.active and len(unfinished) < 20:
                self.journeys.append(self._journey())
            now = time.monotonic()
            for journey in [j for j in self.journeys if not j.done and j.not_before <= now]:
                self._post_next(journey)
                if self.stopped.wait(self.interval):
                    return
            if not any(not j.done and j.not_before <= time.monotonic() for j in self.journeys):
                self.stopped.wait(0.05)

    def _journey(self) -> Journey:
        number = next(self.numbers)
        journey = Journey(number)
        journey.steps.append(("referral", "referrals", "/referrals",
                              form(self.who.partner, "doctor", occurred_at=ENROLLED)))
        journey.steps.append(("enterprise", "enterprises", "/enterprises", {
            "legal_form": ("cic", "charity", "co_operative", "company")[number % 4], "registered_on": "2018-03-01",
            "occurred_at": "2018-06-01T10:00:00+00:00"}))
        english, registered = ENGLISH_FOR["E-B"]
        for kind, body in (
            ("contact-attempts", {"outcome": "reached", "occurred_at": ENROLLED}),
            ("consent", {"lawful_basis": "public_task", "privacy_notice_given": True, "consent_given": True,
                         "occurred_at": ENROLLED}),
            ("assessment", {"lives_in_area": True, "overseas_health_qualification": True,
                            "immigration_status": "refugee", "english": english, "registered": registered,
                            "occurred_at": ENROLLED}),
            ("acceptance", {"regulator": "GMC", "occurred_at": ENROLLED}),
        ):
            journey.steps.append((kind, "referrals", f"/{kind}", body))
        for step_type, payload, when in PATHWAY_STEPS:
            journey.steps.append((step_type, "pathways", "", {"type": step_type, "occurred_at": when,
                                                              "payload": payload}))
        journey.keys = [uuid.uuid4().hex for _ in journey.steps]
        return journey

    def _post_next(self, journey: Journey) -> None:
        kind, service, path, body = journey.steps[0]
        key = journey.keys[0]
        credential = {"referral": self.who.referrer, "enterprise": self.who.staff}.get(kind, self.who.hub)
        if service == "referrals" and kind != "referral":
            url = self.platform.url("referrals", f"/referrals/{journey.referral['referral_id']}{path}")
        elif service == "pathways":
            base = self.pathways_urls[journey.number % len(self.pathways_urls)]
            url = f"{base}/clients/{journey.referral['client_id']}/pathways/GMC/steps"
        else:
            url = self.platform.url(service, path)
        try:
            answer = requests.post(url, json=body, timeout=10, headers={
                "Authorization": f"Bearer {credential}", "Idempotency-Key": key})
            status = answer.status_code
        except requests.RequestException:
            status = 0
        self.answers[f"{kind} {status}"] += 1
        journey.blocked = status == 404 and service == "pathways"
        if status == 201:
            if kind == "referral":
                journey.referral = answer.json()
            if kind == "acceptance":  # the hub's answer names the client (the referrer's does not)
                journey.referral = {**journey.referral, "client_id": answer.json()["client_id"]}
            self.accepted[key] = f"{service}:{kind}"
            journey.steps.pop(0)
            journey.keys.pop(0)
        elif status == 0 or status >= 500 or (status == 404 and service == "pathways"):
            self.retries += 1  # an outage (or the pathway not opened yet): the same post again, later
            journey.not_before = time.monotonic() + 0.2
        else:
            self.unexpected.append(f"{status} for {kind}: {answer.text[:200]}")
            journey.steps.clear()


# -- what the stores say -----------------------------------------------------------------------------------------
def query(platform: RunningPlatform, service: str, statement: str, params: tuple = ()) -> list[tuple]:
    dbname = config.database_name(service, platform.env)
    with psycopg.connect(config.postgres_conninfo(dbname, platform.env), autocommit=True) as connection:
        return connection.execute(statement, params).fetchall()


def scalar(platform: RunningPlatform, service: str, statement: str, params: tuple = ()) -> int:
    rows = query(platform, service, statement, params)
    return int(rows[0][0] or 0) if rows else 0


def positions(platform: RunningPlatform, service: str) -> dict[str, int]:
    return {str(name): int(n) for name, n in query(
        platform, service, f"SELECT application_name, notification_id FROM {service}_tracking")}


def lag(platform: RunningPlatform) -> list[str]:
    """What has not caught up yet (empty when the platform is quiescent)."""
    behind = []
    relayed = {}
    for service in (*UPSTREAMS, "reporting"):
        head = scalar(platform, service, f"SELECT MAX(notification_id) FROM {service}_events")
        position, last = relay_position(platform, service)
        relayed[service] = last
        if position < head:
            behind.append(f"{service} relay at {position} of {head}")
        for name, at in positions(platform, service).items():
            if ":" in name and not name.startswith("ledger:") and at < head:
                behind.append(f"{service} projection {name} at {at} of {head}")
    seen = positions(platform, "reporting")
    for upstream in UPSTREAMS:
        if seen.get(upstream, 0) < relayed[upstream]:
            behind.append(f"reporting at {seen.get(upstream, 0)} of {upstream}'s {relayed[upstream]}")
    for name, at in seen.items():
        if name.startswith("ledger:") and at < seen.get("pathways", 0):
            behind.append(f"reporting {name} at {at} of {seen.get('pathways', 0)}")
    if positions(platform, "pathways").get("referrals", 0) < relayed["referrals"]:
        behind.append("pathways behind referrals")
    return behind


def wait_quiescent(platform: RunningPlatform, timeout: float = 90.0) -> None:
    wait_for(lambda: lag(platform), lambda behind: not behind, timeout=timeout, interval=0.2,
             what="every relay, consumer and read model to catch up")


def stored_more_than_once(platform: RunningPlatform, accepted: dict[str, str]) -> list[str]:
    """Accepted posts with no stored event, or with an event stored twice (per idempotency key)."""
    keys = list(accepted)
    found: set[str] = set()
    twice = []
    for service in UPSTREAMS:
        for key, _originator, topic, count in query(platform, service, (
                "SELECT k, originator_id, topic, COUNT(*) FROM (SELECT originator_id, topic,"
                f" convert_from(state, 'UTF8')::jsonb -> 'meta' ->> 'idempotency_key' AS k FROM {service}_events) e"
                " WHERE k = ANY(%s) GROUP BY k, originator_id, topic"), (keys,)):
            found.add(key)
            if count > 1:
                twice.append(f"{accepted[key]} stored {count} times ({topic.rsplit(':', 1)[-1]})")
    return twice + [f"{accepted[key]} accepted but not stored" for key in keys if key not in found]


def integration_events(platform: RunningPlatform, upstream: str) -> list[int]:
    """The notification ids of every integration event in an upstream's log (its own RPC, as consumers read it)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    ids, after = [], 0
    with ClusterRpcProxy({"AMQP_URI": platform.env["AMQP_URI"]}, timeout=30) as rpc:
        while True:
            page = getattr(rpc, upstream).integration_events(after, None, 1000)
            ids += [int(item["notification_id"]) for item in page["items"]]
            if int(page["scanned_to"]) <= after or int(page["scanned_to"]) >= int(page["head"]):
                return ids
            after = int(page["scanned_to"])


def missing_in_reporting(platform: RunningPlatform) -> list[str]:
    """Integration events of referrals and pathways absent from reporting's audit view (one row per event)."""
    missing = []
    for upstream in ("referrals", "pathways"):
        seen = {row[0] for row in query(platform, "reporting",
                                        "SELECT seq FROM report_client_events WHERE upstream = %s", (upstream,))}
        lost = [n for n in integration_events(platform, upstream) if n not in seen]
        if lost:
            missing.append(f"{len(lost)} {upstream} events never reached reporting (e.g. {lost[:5]})")
    return missing


def processed_twice(platform: RunningPlatform) -> list[str]:
    """Upstreams of which reporting processed more messages than the upstream's log holds integration events:
    some message was applied twice (the read models are written idempotently, so only the count shows it).
    The counters restart with the process, so a restart can only lower them."""
    from tests.support.waiting import metric

    text = requests.get(platform.url("reporting", "/metrics"), timeout=10).text
    found = []
    for upstream in UPSTREAMS:
        processed = metric(text, "useit_consumer_processed_total", upstream=upstream, outcome="processed")
        events = len(integration_events(platform, upstream))
        if processed > events:
            found.append(f"reporting processed {processed:.0f} {upstream} messages, more than the {events}"
                         " integration events of its log (a message applied twice)")
    return found


def run(platform: RunningPlatform, module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], env=platform.env, capture_output=True, text=True,
                          timeout=300)


def caseload_differs_from_a_rebuild(platform: RunningPlatform) -> list[str]:
    """Pathways' caseload read model, rebuilt in place from the log (under its lock), compared."""
    from chassis.application import build_application
    from pathways.application import Pathways
    from pathways.caseload import CASELOAD

    app = build_application(Pathways, platform.env)
    try:
        before = sorted(app.query("SELECT * FROM pathway_caseload"))
        CASELOAD.reset(app)
        CASELOAD.catch_up(app)
        after = sorted(app.query("SELECT * FROM pathway_caseload"))
    finally:
        app.close()
    return [] if before == after else [f"pathway_caseload: {len(set(before) ^ set(after))} rows differ from a rebuild"]


def problems(platform: RunningPlatform, load: Load, ledger: bool = True) -> list[str]:
    """Every check (see module docstring); an empty list when all hold."""
    commands = {"reporting's read models differ from a clean rebuild": ("reporting.readmodels.rebuild", "--verify")}
    if ledger:
        commands["the outcome ledger differs from a replay"] = ("reporting.outcomes.reconcile",)
    running = {what: subprocess.Popen([sys.executable, "-m", *command], env=platform.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True) for what, command in commands.items()}
    found = stored_more_than_once(platform, load.accepted) + missing_in_reporting(platform) + processed_twice(platform)
    found += caseload_differs_from_a_rebuild(platform)
    for what, process in running.items():
        output, _ = process.communicate(timeout=300)
        if process.returncode != 0:
            found.append(f"{what}: {output.strip()[-800:]}")
    return found


def outcomes(platform: RunningPlatform) -> int:
    return scalar(platform, "reporting", "SELECT COUNT(*) FROM ledger_outcomes")


def spawn(platform: RunningPlatform, service: str, **env: str) -> None:
    """Starts ``service`` with ``env`` added, without waiting for it to be healthy (it may be meant to crash)."""
    spec = next(s for s in SERVICES if s.name == service)
    saved = platform.env
    platform.env = {**saved, **env}
    try:
        platform._spawn(service, [spec.service])
    finally:
        platform.env = saved


def log_chain(platform: RunningPlatform, upstream: str) -> list[dict]:
    """Every integration event of an upstream with the headers its relay gives it (id and the previous id)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    chain, after, previous = [], 0, 0
    with ClusterRpcProxy({"AMQP_URI": platform.env["AMQP_URI"]}, timeout=30) as rpc:
        while True:
            page = getattr(rpc, upstream).integration_events(after, None, 1000)
            for item in page["items"]:
                chain.append({"id": int(item["notification_id"]), "previous": previous, "body": item["body"]})
                previous = int(item["notification_id"])
            if int(page["scanned_to"]) <= after or int(page["scanned_to"]) >= int(page["head"]):
                return chain
            after = int(page["scanned_to"])


def republish(platform: RunningPlatform, upstream: str, messages: list[dict]) -> None:
    """Publishes copies of an upstream's integration events, in the order given, exactly as its relay would."""
    import json

    from kombu import Connection, Producer

    from chassis import bus

    with Connection(platform.env["AMQP_URI"]) as connection:
        producer = Producer(connection.channel())
        for message in messages:
            producer.publish(json.dumps(message["body"]), exchange=bus.events_exchange(),
                             routing_key=f"{upstream}.{message['body']['event_type']}", delivery_mode=2,
                             content_type="application/json", content_encoding="utf-8",
                             headers={bus.NOTIFICATION_ID: message["id"], bus.PREVIOUS_ID: message["previous"],
                                      bus.UPSTREAM: upstream})


def relay_position(platform: RunningPlatform, service: str) -> tuple[int, int]:
    rows = query(platform, service, "SELECT position, last_published FROM chassis_relay WHERE name = %s", (service,))
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


@contextmanager
def vhost_outage(platform: RunningPlatform) -> Iterator[None]:
    """The broker unreachable for this platform only: its vhost's permissions withdrawn and its connections
    closed (every client fails to reconnect until they are given back); other vhosts are untouched. Needs the
    local RabbitMQ's rabbitmqctl."""
    from urllib.parse import unquote, urlparse

    vhost = unquote(urlparse(platform.env["AMQP_URI"]).path.lstrip("/"))
    _api("DELETE", f"/permissions/{quote(vhost, safe='')}/guest")
    try:
        # rabbitmqctl sees every connection at once (the management API's listing lags behind new ones).
        subprocess.run(["rabbitmqctl", "close_all_connections", "-p", vhost, "fault test: vhost outage"],
                       check=True, capture_output=True, timeout=60)
        yield
    finally:
        wait_for(lambda: _api("PUT", f"/permissions/{quote(vhost, safe='')}/guest",
                              json={"configure": ".*", "write": ".*", "read": ".*"}), timeout=60,
                 what="the vhost's permissions given back")


def delivered(platform: RunningPlatform) -> list[str]:
    """What is still on its way: a relay behind its log, or messages in the consumers' queues (for platforms
    whose consumers may never catch up, as when gap filling is off)."""
    from urllib.parse import unquote, urlparse

    behind = []
    for service in UPSTREAMS:
        head = scalar(platform, service, f"SELECT MAX(notification_id) FROM {service}_events")
        if relay_position(platform, service)[0] < head:
            behind.append(f"{service}'s relay")
    vhost = unquote(urlparse(platform.env["AMQP_URI"]).path.lstrip("/"))
    for queue in _api("GET", f"/queues/{quote(vhost, safe='')}").json():
        if ".from." in queue["name"] and queue.get("messages", 1):
            behind.append(f"{queue['name']}: {queue.get('messages')} messages")
    return behind


def wait_delivered(platform: RunningPlatform, timeout: float = 90.0) -> None:
    wait_for(lambda: delivered(platform), lambda behind: not behind, timeout=timeout, interval=0.5,
             what="every relay to publish and every queue to drain")
