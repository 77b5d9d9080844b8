"""A scale-out topology on one machine (docs/scaling.md, tests/cluster/): three RabbitMQ nodes, clustered, and a
PostgreSQL primary with a streaming standby (synchronous unless asked otherwise), all from Debian's packages,
each with its own node name, ports and data directory under one directory that is removed afterwards.

    .venv/bin/python -m tests.support.cluster up [--async]   # starts it and prints the platform's environment
    .venv/bin/python -m tests.support.cluster down           # stops everything it started

The RabbitMQ nodes run as the ``rabbitmq`` user (its Erlang cookie is theirs too) and the PostgreSQL servers as
``postgres``; the machine's own broker (5672) and database (5432) are not touched. Ports: AMQP 5701-5703
(distribution 25701-25703), PostgreSQL 5442 (primary) and 5443 (standby).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from tests.support.waiting import wait_for

ROOT = os.environ.get("CLUSTER_DIR", "/tmp/useit-cluster")
PG_BIN = "/usr/lib/postgresql/15/bin"
RABBIT_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


def _run(*command: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout, check=check)


def _as(user: str, *command: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ("runuser", "-u", user, "--", *command)
    return _run(*command, timeout=timeout, check=check)


# -- RabbitMQ ----------------------------------------------------------------------------------------------------
@dataclass
class RabbitNode:
    number: int
    directory: str

    @property
    def name(self) -> str:
        return f"useit{self.number}@localhost"

    @property
    def port(self) -> int:
        return 5700 + self.number

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}"

    def _env(self) -> list[str]:
        d = self.directory
        return ["env", "HOME=/var/lib/rabbitmq", f"RABBITMQ_NODENAME={self.name}", f"RABBITMQ_NODE_PORT={self.port}",
                f"RABBITMQ_DIST_PORT={20000 + self.port}", f"RABBITMQ_MNESIA_BASE={d}/mnesia",
                f"RABBITMQ_LOG_BASE={d}/log", f"RABBITMQ_CONFIG_FILE={d}/rabbitmq.conf",
                f"RABBITMQ_ADVANCED_CONFIG_FILE={d}/advanced.config",
                f"RABBITMQ_ENABLED_PLUGINS_FILE={d}/enabled_plugins", f"RABBITMQ_PID_FILE={d}/pid"]

    def configure(self) -> None:
        os.makedirs(self.directory, exist_ok=True)
        with open(f"{self.directory}/rabbitmq.conf", "w") as conf:
            # a node that finds itself in the minority stops serving clients (they go to the majority's
            # nodes) and rejoins when the partition heals: RabbitMQ's advice for three nodes
            conf.write(f"listeners.tcp.local = 127.0.0.1:{self.port}\ncluster_partition_handling = pause_minority\n"
                       "loopback_users = none\n")
        with open(f"{self.directory}/advanced.config", "w") as conf:
            conf.write("[{kernel, [{net_ticktime, 8}]}].\n")  # an unreachable peer is noticed in ~8 s, not 60
        with open(f"{self.directory}/enabled_plugins", "w") as plugins:
            plugins.write("[].\n")
        _run("chown", "-R", "rabbitmq:rabbitmq", self.directory, check=False)

    def start(self) -> None:
        _as("rabbitmq", *self._env(), RABBIT_SERVER, "-detached")
        # until the VM has registered its name, rabbitmqctl cannot find it (exit 69) and does not wait
        wait_for(lambda: _run("rabbitmqctl", "-n", self.name, "await_startup", timeout=120, check=False).returncode,
                 lambda code: code == 0, timeout=120, interval=0.5, what=f"{self.name} to start")

    def ctl(self, *args: str, timeout: float = 120) -> str:
        return _run("rabbitmqctl", "-n", self.name, *args, timeout=timeout).stdout

    def pid(self) -> int | None:
        try:
            with open(f"{self.directory}/pid") as handle:
                return int(handle.read().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def signal(self, sig: int) -> None:
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """The node's Erlang VM killed with SIGKILL: no goodbye to its peers or its clients."""
        pid = self.pid()
        self.signal(signal.SIGKILL)
        if pid:
            wait_for(lambda: _alive(pid), lambda alive: not alive, timeout=30, what=f"{self.name} to die")

    def stop(self) -> None:
        self.signal(signal.SIGCONT)  # a paused node cannot stop
        _run("rabbitmqctl", "-n", self.name, "stop", timeout=60, check=False)
        self.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (the detached VM's parent is gone) counts as dead
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


# -- PostgreSQL --------------------------------------------------------------------------------------------------
@dataclass
class PgServer:
    name: str
    port: int
    directory: str

    def ctl(self, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        return _as("postgres", f"{PG_BIN}/pg_ctl", "-D", self.directory, "-l", f"{self.directory}.log", *args,
                   timeout=timeout, check=check)

    def start(self) -> None:
        self.ctl("-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-w", "-m", mode, "stop", check=False)

    def promote(self) -> None:
        self.ctl("-w", "promote")

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True,
                               connect_timeout=5, target_session_attrs="any")  # this server, whatever its role

    def scalar(self, statement: str, dbname: str = "postgres") -> object:
        """The first column of the first row, or None (also for a statement that returns no rows)."""
        with self.connect(dbname) as connection:
            cursor = connection.execute(statement)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def running(self) -> bool:
        return _as("postgres", f"{PG_BIN}/pg_ctl", "-D", self.directory, "status", check=False).returncode == 0


def _pg_settings(port: int, synchronous: bool) -> str:
    return (f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{ROOT}'\n"
            "wal_level = replica\nmax_wal_senders = 10\nwal_keep_size = '512MB'\nhot_standby = on\n"
            "max_connections = 400\n"
            # the protection docs/scaling.md asks for: a commit returns once the standby has it
            + ("synchronous_standby_names = 'standby1'\nsynchronous_commit = on\n" if synchronous else
               "synchronous_standby_names = ''\n"))


# -- the whole topology ------------------------------------------------------------------------------------------
@dataclass
class Topology:
    root: str = ROOT
    synchronous: bool = True
    rabbits: list[RabbitNode] = field(default_factory=list)
    primary: PgServer | None = None
    standby: PgServer | None = None

    def __post_init__(self) -> None:
        self.rabbits = [RabbitNode(n, f"{self.root}/rabbit{n}") for n in (1, 2, 3)]
        self.primary = PgServer("pg-a", 5442, f"{self.root}/pg-a")
        self.standby = PgServer("pg-b", 5443, f"{self.root}/pg-b")

    # RabbitMQ
    def start_rabbitmq(self) -> None:
        for node in self.rabbits:
            node.configure()
            node.start()
        first = self.rabbits[0]
        for node in self.rabbits[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.name)
            node.ctl("start_app")
        running = json.loads(first.ctl("cluster_status", "--formatter", "json"))["running_nodes"]
        assert sorted(running) == sorted(n.name for n in self.rabbits), running

    def amqp_uri(self, vhost: str) -> str:
        """kombu's failover list: a client whose node goes reconnects to the next."""
        return ";".join(f"{node.uri}/{vhost}" for node in self.rabbits)

    def add_vhost(self, vhost: str) -> None:
        first = self.running_rabbit()
        first.ctl("add_vhost", vhost)
        first.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")

    def running_rabbit(self) -> RabbitNode:
        for node in self.rabbits:
            if node.pid() and _alive(node.pid() or 0):
                return node
        raise RuntimeError("no RabbitMQ node of the cluster runs")

    # PostgreSQL
    def start_postgresql(self) -> None:
        assert self.primary and self.standby
        os.makedirs(self.root, exist_ok=True)
        _run("chown", "postgres", self.root, check=False)
        _as("postgres", f"{PG_BIN}/initdb", "-D", self.primary.directory, "-A", "trust", "-U", "postgres",
            "--no-sync")
        with open(f"{self.primary.directory}/postgresql.conf", "a") as conf:
            conf.write(_pg_settings(self.primary.port, self.synchronous))
        with open(f"{self.primary.directory}/pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.primary.start()
        self.start_standby(self.standby, self.primary)

    def start_standby(self, standby: PgServer, primary: PgServer) -> None:
        """``standby`` made from a base backup of ``primary`` and streaming from it as "standby1"."""
        shutil.rmtree(standby.directory, ignore_errors=True)
        _as("postgres", f"{PG_BIN}/pg_basebackup", "-d",
            f"host=127.0.0.1 port={primary.port} user=postgres application_name=standby1",
            "-D", standby.directory, "-R", "-X", "stream", "-c", "fast")
        with open(f"{standby.directory}/postgresql.conf", "a") as conf:
            conf.write(f"port = {standby.port}\n")
        standby.start()
        wanted = "sync" if self.synchronous else "async"
        wait_for(lambda: primary.scalar("SELECT sync_state FROM pg_stat_replication"
                                        " WHERE application_name = 'standby1' AND state = 'streaming'"),
                 lambda state: state == wanted, timeout=60, what=f"the standby streaming ({wanted})")

    def postgres_env(self) -> dict[str, str]:
        """Both servers, in order; libpq takes the one that accepts writes (a promoted standby after a failover)."""
        assert self.primary and self.standby
        return {"POSTGRES_HOST": "127.0.0.1,127.0.0.1", "POSTGRES_PORT": f"{self.primary.port},{self.standby.port}",
                "PGTARGETSESSIONATTRS": "read-write"}

    def up(self) -> None:
        self.down()
        os.makedirs(self.root, exist_ok=True)
        try:
            self.start_rabbitmq()
            self.start_postgresql()
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        for node in self.rabbits:
            node.stop()
        for server in (self.primary, self.standby):
            if server and os.path.isdir(server.directory):
                server.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def topology(synchronous: bool = True) -> Iterator[Topology]:
    started = Topology(synchronous=synchronous)
    started.up()
    try:
        yield started
    finally:
        started.down()


def wait_until(condition: object, timeout: float = 60.0, what: str = "") -> float:
    """Seconds until ``condition()`` is true (for recovery times)."""
    began = time.monotonic()
    wait_for(condition, lambda ok: bool(ok), timeout=timeout, interval=0.1, what=what)  # type: ignore[arg-type]
    return time.monotonic() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.cluster")
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--async", dest="asynchronous", action="store_true", help="an asynchronous standby")
    options = parser.parse_args(argv)
    cluster = Topology(synchronous=not options.asynchronous)
    if options.action == "down":
        cluster.down()
        return 0
    cluster.up()
    cluster.add_vhost("useit")
    for key, value in {"AMQP_URI": cluster.amqp_uri("useit"), "BUS_QUEUE_TYPE": "quorum",
                       **cluster.postgres_env()}.items():
        print(f"export {key}='{value}'")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
