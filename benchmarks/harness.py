"""Shared set-up of the benchmarks: a fresh vhost and databases, services as processes, raw baselines."""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
import requests

from chassis import config
from chassis.vault import new_master_key
from launcher.processes import RunningPlatform, platform_env
from launcher.run import migrate
from launcher.services import SERVICES

RABBIT_API = os.environ.get("RABBIT_API_URI", "http://guest:guest@127.0.0.1:15672")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def platform(names: Sequence[str] | None = None, extra_env: dict | None = None) -> Iterator[RunningPlatform]:
    vhost, prefix = f"bench_{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}_"
    api = RABBIT_API.split("@")[-1]
    auth = tuple(RABBIT_API.split("//")[1].split("@")[0].split(":"))
    requests.put(f"http://{api}/api/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
    requests.put(f"http://{api}/api/permissions/{vhost}/guest", auth=auth, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    ports = {spec.name: free_port() for spec in SERVICES}
    env = platform_env({**os.environ, "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost)}",
                        "POSTGRES_HOST": "127.0.0.1", "DB_PREFIX": prefix, "LOG_LEVEL": "WARNING",
                        # one credential drives the whole load: lift the per-credential rate limit
                        "RATE_LIMIT_PER_SECOND": "1000000", "RATE_LIMIT_BURST": "1000000",
                        "MASTER_KEY": new_master_key(), "AUDIT_SIGNING_KEY": new_master_key(),
                        **(extra_env or {})}, ports)
    migrate(env)
    from launcher.credentials import issue

    running = RunningPlatform(env=env, ports=ports, embedded=False, log_dir=f"/tmp/{prefix}logs")
    running.credential = issue("club-1", ["referrer", "caseworker", "admin"],
                               env).credential  # type: ignore[attr-defined]
    try:
        running.start(names)
        if names is None or "referrals" in names:
            requests.post(running.url("referrals", "/partners"), timeout=10, json={
                "partner_id": "club-1", "name": "Club 1", "kind": "work_club",
                "occurred_at": "2018-01-01T00:00:00+00:00"}, headers={
                "Authorization": f"Bearer {running.credential}", "Idempotency-Key": "bench-partner"}).raise_for_status()
        yield running
    finally:
        for process in getattr(running, "extra", []):
            process.terminate()
            process.wait()
        running.stop()
        try:
            requests.delete(f"http://{api}/api/vhosts/{vhost}", auth=auth, timeout=10)
        except requests.RequestException:  # a broker being restarted: the databases are still dropped
            pass
        with psycopg.connect(config.postgres_conninfo("postgres"), autocommit=True) as connection:
            for (name,) in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                              (prefix + "%",)).fetchall():
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raw_single_row_inserts(count: int = 3000) -> float:
    """Rows/s of single-row autocommit INSERTs into a table shaped like the events table."""
    # A logged table in the same cluster (a TEMP table would skip the WAL and flatter the baseline).
    table = f"bench_raw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(config.postgres_conninfo("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE TABLE {table} (notification_id bigserial PRIMARY KEY,"
                           " originator_id uuid NOT NULL, originator_version int NOT NULL, topic text NOT NULL,"
                           " state bytea NOT NULL, UNIQUE (originator_id, originator_version))")
        state = json.dumps({"partner_id": "club", "profession": "doctor", "occurred_at": "2018-01-01"}).encode()
        started = time.perf_counter()
        for _ in range(count):
            connection.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
                               " VALUES (%s, 1, 'bench', %s)", (uuid.uuid4(), state))
        rate = count / (time.perf_counter() - started)
        connection.execute(f"DROP TABLE {table}")
        return rate


def raw_executemany(count: int = 10000, batch: int = 100) -> float:
    table = f"bench_batch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(config.postgres_conninfo("postgres")) as connection:
        connection.execute(f"CREATE TABLE {table} (notification_id bigserial PRIMARY KEY,"
                           " originator_id uuid NOT NULL, originator_version int NOT NULL, topic text NOT NULL,"
                           " state bytea NOT NULL)")
        state = b'{"type": "step"}'
        started = time.perf_counter()
        for _ in range(count // batch):
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
                                   " VALUES (%s, %s, 'bench', %s)",
                                   [(uuid.uuid4(), 1, state) for _ in range(batch)])
            connection.commit()
        rate = count / (time.perf_counter() - started)
        connection.execute(f"DROP TABLE {table}")
        connection.commit()
        return rate


def start_relay_process(running: RunningPlatform, service: str) -> None:
    """A second process of ``service`` that only relays (the API processes run with RELAY=off)."""
    import subprocess
    import sys

    env = {**running.env, "RELAY": "on", f"{service.upper()}_HTTP_PORT": str(free_port())}
    log = open(os.path.join(running.log_dir, f"{service}-relay.log"), "ab")
    process = subprocess.Popen([sys.executable, "-m", "chassis.serve",
                                dict((s.name, s.service) for s in SERVICES)[service]],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    running.extra = [*getattr(running, "extra", []), process]  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{env[f'{service.upper()}_HTTP_PORT']}/health"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("the relay process did not start")


def wrk_steps(port: int, paths: list[str], body: dict, connections: int, seconds: int, credential: str) -> dict:
    """POSTs ``body`` with wrk (C, light on CPU) for ``seconds``, a fresh Idempotency-Key each time, spread
    over ``paths`` (one aggregate each, so writers do not collide on one version)."""
    import shutil
    import subprocess
    import tempfile

    if shutil.which("wrk") is None:
        install_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    script = os.path.join(os.path.dirname(__file__), "steps.lua")
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script,
                          f"http://127.0.0.1:{port}", "--", handle.name, json.dumps(body), uuid.uuid4().hex,
                          credential], capture_output=True, text=True, check=True).stdout
    os.unlink(handle.name)
    result = json.loads(out.strip().splitlines()[-1])
    result["per_s"] = result["requests"] / result["seconds"]
    return result


def install_wrk() -> None:
    """wrk (Debian's package) for the load benchmarks, installed on first use as bin/services-up installs
    Prometheus: a fresh clone's ``python -m benchmarks.run_all`` needs nothing installed by hand."""
    import shutil
    import subprocess

    if shutil.which("apt-get") is None:
        raise RuntimeError("wrk is not installed, and apt-get is not here to install it")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q",
               "--no-install-recommends", "wrk"]
    print("installing wrk (Debian package) for the load benchmarks...", flush=True)
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-q"], capture_output=True, check=True)
        subprocess.run(install, capture_output=True, check=True)
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk could not be installed")


def wrk_post(port: int, path: str, body: dict, connections: int, seconds: int, credential: str) -> dict:
    return wrk_steps(port, [path], body, connections, seconds, credential)


def create_referrals(running: RunningPlatform, count: int, profession: str = "doctor",
                     prefix: str = "bench-referral") -> list[dict]:
    """``count`` referrals from the benchmark's partner, through the API; returns their answers."""
    from launcher.demo_people import referral_form

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {running.credential}"  # type: ignore[attr-defined]
    return [session.post(running.url("referrals", "/referrals"), timeout=10,
                         json=referral_form(number, "club-1", profession, "2018-09-03T00:00:00+00:00"),
                         headers={"Idempotency-Key": f"{prefix}-{number}"}).json() for number in range(count)]


def contract_terms_path(name: str) -> str:
    """A shipped outcomes contract (services/reporting/reporting/contract_terms/<name>.json)."""
    from importlib import resources

    return str(resources.files("reporting").joinpath("contract_terms", f"{name}.json"))


def one(dbname: str, statement: str, params: Sequence = ()) -> object:
    """The first column of the first row of one query on a service's database."""
    with psycopg.connect(config.postgres_conninfo(dbname), autocommit=True) as connection:
        row = connection.execute(statement, tuple(params)).fetchone()
        return row[0] if row else None


def row(dbname: str, statement: str, params: Sequence = ()) -> tuple | None:
    with psycopg.connect(config.postgres_conninfo(dbname), autocommit=True) as connection:
        return connection.execute(statement, tuple(params)).fetchone()


def wait_until(check, seconds: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:.0f} s for {what}")
        time.sleep(interval)


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set (VmHWM) so far, in MB."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def profile(running: RunningPlatform, name: str) -> list:
    """With ``BENCH_PROFILE=<directory>`` and py-spy installed (a tool, not a dependency: ``pip install py-spy``),
    samples every service process until ``stop_profiling``: ``<directory>/<name>-<service>.txt`` holds collapsed
    stacks (``python -m benchmarks.profile_summary FILE`` lists where the time went)."""
    import shutil
    import subprocess

    directory, spy = os.environ.get("BENCH_PROFILE"), shutil.which("py-spy")
    if not directory or not spy:
        return []
    os.makedirs(directory, exist_ok=True)
    return [subprocess.Popen([spy, "record", "--nonblocking", "--format", "raw", "--rate", "200", "--pid",
                              str(process.pid), "--output", os.path.join(directory, f"{name}-{label}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for label, process in running.processes.items()]


def stop_profiling(profilers: list) -> None:
    import signal

    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)  # py-spy writes its file on interrupt
    for profiler in profilers:
        profiler.wait(timeout=60)
