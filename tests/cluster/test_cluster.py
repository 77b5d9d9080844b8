"""The platform on a cluster (tests/support/cluster.py): three RabbitMQ nodes with quorum queues, a PostgreSQL
primary with a synchronous standby, two instances of pathways and of reporting; faults under the fault tests'
steady load (tests/support/faults.py). After each: every accepted post stored once, every integration event in
reporting, the read models equal to a rebuild and the ledger to a replay; the time to recover is measured
(printed at the end of the session; docs/scaling.md has the figures).

The tests share one platform and run in order: the last ones swap the database's roles and, finally, switch the
protection off to show what it protects.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from launcher.services import SERVICES
from tests.cluster.conftest import recovered
from tests.support.cluster import RabbitNode, Topology, topology, wait_until
from tests.support.faults import SOAK, Load, actors, own_platform, positions, problems, scalar, wait_quiescent
from tests.support.fixtures import free_port
from tests.support.waiting import metric, wait_for

pytestmark = pytest.mark.cluster  # (the conftest marks every test here too)

VHOST = "useit"


@pytest.fixture(scope="module")
def cluster():
    with topology(synchronous=True) as started:
        started.add_vhost(VHOST)
        yield started


@pytest.fixture(scope="module")
def platform(cluster, tmp_path_factory):
    # what this process opens itself (the checks' rebuilds) finds the primary as the services do: libpq reads
    # PGTARGETSESSIONATTRS from the environment, and eventsourcing's pool takes no other way to be told
    saved = os.environ.get("PGTARGETSESSIONATTRS")
    os.environ["PGTARGETSESSIONATTRS"] = "read-write"
    try:
        yield from _platform(cluster, tmp_path_factory)
    finally:
        if saved is None:
            os.environ.pop("PGTARGETSESSIONATTRS", None)
        else:
            os.environ["PGTARGETSESSIONATTRS"] = saved


def _platform(cluster, tmp_path_factory):
    with own_platform(str(tmp_path_factory.mktemp("cluster-logs")), amqp_uri=cluster.amqp_uri(VHOST),
                      BUS_QUEUE_TYPE="quorum", POSTGRES_REPLICA_HOST="127.0.0.1",
                      POSTGRES_REPLICA_PORT=str(cluster.standby.port), **cluster.postgres_env()) as running:
        for service in ("pathways", "reporting"):
            second_instance(running, service)
        yield running


@pytest.fixture(scope="module")
def who(platform):
    return actors(platform)


def second_instance(platform, service: str) -> None:
    """Another process of ``service`` on a port of its own, labelled ``<service>-2``."""
    spec = next(s for s in SERVICES if s.name == service)
    label, port = f"{service}-2", free_port()
    saved = platform.env
    platform.env = {**saved, f"{service.upper()}_HTTP_PORT": str(port)}
    try:
        platform._spawn(label, [spec.service])
    finally:
        platform.env = saved
    platform.ports[label] = port
    wait_for(lambda: requests.get(platform.url(label, "/health"), timeout=3).status_code, lambda s: s == 200,
             timeout=90, what=f"{label} to be healthy")


def pathways_urls(platform) -> list[str]:
    return [platform.url("pathways"), platform.url("pathways-2")]


def settle(platform, load: Load) -> None:
    load.finish()
    wait_quiescent(platform, timeout=180)
    found = problems(platform, load)
    assert not found, "\n".join(found)


def head(platform, service: str) -> int:
    return scalar(platform, service, f"SELECT MAX(notification_id) FROM {service}_events")


def delivered_after(platform, mark: int) -> bool:
    """reporting has applied a pathways event stored after ``mark`` (events flow again)."""
    return positions(platform, "reporting").get("pathways", 0) > mark


def leader_of(cluster: Topology, queue: str) -> RabbitNode:
    rows = json.loads(cluster.running_rabbit().ctl("list_queues", "-p", VHOST, "name", "leader", "--formatter",
                                                   "json"))
    name = next(row["leader"] for row in rows if row["name"] == f"{VHOST}_{queue}" or row["name"] == queue)
    return next(node for node in cluster.rabbits if node.name == name)


def running_nodes(cluster: Topology) -> tuple[list[str], dict]:
    status = json.loads(cluster.running_rabbit().ctl("cluster_status", "--formatter", "json"))
    return sorted(status["running_nodes"]), status.get("partitions") or {}


def whole(cluster: Topology) -> bool:
    nodes, partitions = running_nodes(cluster)
    return nodes == sorted(n.name for n in cluster.rabbits) and not partitions


def test_the_platform_runs_on_the_cluster_with_quorum_queues_replicated_to_every_node(cluster, platform, who):
    with Load(platform, who, pathways_urls=pathways_urls(platform)) as load:
        load.posted(20, "posts on the cluster")
        settle(platform, load)
    rows = json.loads(cluster.rabbits[0].ctl("list_queues", "-p", VHOST, "name", "type", "members", "--formatter",
                                             "json"))
    consumers = [row for row in rows if ".from." in row["name"]]
    assert consumers and all(row["type"] == "quorum" for row in consumers), consumers
    assert all(sorted(row["members"]) == sorted(n.name for n in cluster.rabbits) for row in consumers), consumers
    assert cluster.primary.scalar("SELECT sync_state FROM pg_stat_replication") == "sync"
    for service in ("pathways", "reporting"):  # both instances consume: one relay lease, two consumers
        texts = [requests.get(platform.url(label, "/metrics"), timeout=10).text for label in (service, f"{service}-2")]
        assert sorted(metric(text, "useit_relay_leader") for text in texts) == [0, 1]


def referred(platform, label: str, who) -> int:
    """Referrals counted by reporting's report (served from the standby: POSTGRES_REPLICA_HOST)."""
    answer = requests.get(platform.url(label, "/reports/referrals-by-partner"), timeout=10,
                          headers={"Authorization": f"Bearer {who.hub}"})
    assert answer.status_code == 200, answer.text[:500]
    return sum(int(row["referred"]) for row in answer.json()["rows"])


def test_reports_are_read_from_the_standby_and_lag_only_as_much_as_it_does(cluster, platform, who):
    standby = cluster.standby
    standby.scalar("SELECT pg_wal_replay_pause()")  # the standby stops applying what it receives
    try:
        wait_for(lambda: standby.scalar("SELECT pg_get_wal_replay_pause_state()"), lambda s: s == "paused",
                 what="the standby's replay paused")
        frozen = {label: referred(platform, label, who) for label in ("reporting", "reporting-2")}
        with Load(platform, who, pathways_urls=pathways_urls(platform)) as load:
            load.posted(15, "posts while the standby's replay is paused")
            settle(platform, load)  # the checks read the primary: all there
        on_primary = scalar(platform, "reporting", "SELECT COUNT(*) FROM report_referrals")
        assert on_primary > max(frozen.values())
        assert {label: referred(platform, label, who) for label in frozen} == frozen  # as of the standby
    finally:
        standby.scalar("SELECT pg_wal_replay_resume()")
    for label in frozen:
        wait_for(lambda label=label: referred(platform, label, who), lambda n: n == on_primary, timeout=30,
                 what=f"{label}'s report to catch up with the standby's replay")


def test_the_node_leading_the_queues_killed_and_restarted_under_load(cluster, platform, who):
    victim = leader_of(cluster, "reporting.from.pathways")
    with Load(platform, who, pathways_urls=pathways_urls(platform)) as load:
        load.posted(20 * SOAK, "posts before the node dies")
        victim.kill()
        mark = head(platform, "pathways")  # what is stored from now on has to find another way
        seconds = wait_until(lambda: delivered_after(platform, mark), timeout=120,
                             what="events stored after the kill to reach reporting")
        recovered("RabbitMQ node leading the queues killed", "events flowing to reporting again", seconds)
        assert leader_of(cluster, "reporting.from.pathways") is not victim  # a new leader was elected
        load.posted(10 * SOAK, "posts while the node is down")
        restarted = time.monotonic()
        victim.start()
        wait_until(lambda: whole(cluster), timeout=120, what="three running nodes")
        recovered("RabbitMQ node leading the queues killed", "the node restarted and back in the cluster",
                  time.monotonic() - restarted)
        load.posted(10 * SOAK, "posts after the node is back")
        settle(platform, load)


def test_a_node_cut_off_from_the_others_under_load(cluster, platform, who):
    """A partition: one node's Erlang distribution stopped for 20 s (its AMQP port stays open). Alone, it is in
    the minority and pauses (pause_minority): its clients move to the other two. After the partition the
    minority's node is restarted, as RabbitMQ's partition guide says."""
    victim = cluster.rabbits[1]
    with Load(platform, who, pathways_urls=pathways_urls(platform)) as load:
        load.posted(20 * SOAK, "posts before the partition")
        began = time.monotonic()
        victim.ctl("eval", "spawn(fun() -> timer:sleep(200), net_kernel:stop(), timer:sleep(20000),"
                           f" net_kernel:start(['{victim.name}', shortnames]) end), ok.")
        wait_for(lambda: running_nodes(cluster)[0], lambda nodes: victim.name not in nodes, timeout=30,
                 what="the majority to see the node gone")
        mark = head(platform, "pathways")
        seconds = wait_until(lambda: delivered_after(platform, mark), timeout=120,
                             what="events stored after the partition to reach reporting")
        recovered("one RabbitMQ node partitioned", "events flowing to reporting again", seconds)
        load.posted(10 * SOAK, "posts during the partition")
        wait_for(lambda: running_nodes(cluster)[1], lambda partitions: bool(partitions), timeout=60,
                 what="the healed partition to be reported")
        victim.kill()  # the minority's node, restarted: it takes the majority's view of the cluster
        victim.start()
        wait_until(lambda: whole(cluster), timeout=120, what="three running nodes, no partition")
        recovered("one RabbitMQ node partitioned", "the cluster whole again (from the cut, 20 s of it the cut)",
                  time.monotonic() - began)
        load.posted(10 * SOAK, "posts after the partition")
        settle(platform, load)


def test_the_primary_stopped_and_the_standby_promoted_under_load(cluster, platform, who):
    """The primary dies (immediate stop: no checkpoint, no goodbye); the standby is promoted with pg_ctl
    promote; the old primary's directory is made a standby of the new one (pg_basebackup), so commits are
    synchronous again. The services are pointed at the new primary by their configuration alone: both servers
    in POSTGRES_HOST/PORT and PGTARGETSESSIONATTRS=read-write."""
    old, new = cluster.primary, cluster.standby
    with Load(platform, who, pathways_urls=pathways_urls(platform)) as load:
        load.posted(20 * SOAK, "posts before the failover")
        mark = head(platform, "pathways")
        accepted = len(load.accepted)
        began = time.monotonic()
        old.stop("immediate")
        new.promote()
        cluster.primary, cluster.standby = new, old
        cluster.start_standby(old, new)  # commits wait for a synchronous standby: give it one
        recovered("PostgreSQL primary stopped, standby promoted", "the new primary with a synchronous standby",
                  time.monotonic() - began)
        wait_until(lambda: len(load.accepted) > accepted, timeout=120, what="a post accepted")
        recovered("PostgreSQL primary stopped, standby promoted", "posts accepted again", time.monotonic() - began)
        wait_until(lambda: delivered_after(platform, mark), timeout=120,
                   what="events stored after the failover to reach reporting")
        recovered("PostgreSQL primary stopped, standby promoted", "events flowing to reporting again",
                  time.monotonic() - began)
        load.posted(20 * SOAK, "posts after the failover")
        settle(platform, load)
    assert new.scalar("SELECT pg_is_in_recovery()") is False
    assert new.scalar("SELECT sync_state FROM pg_stat_replication") == "sync"


def test_a_service_refuses_to_start_beside_an_asynchronous_standby(cluster, platform):
    primary = cluster.primary
    asynchronous(primary)
    try:
        wait_for(lambda: primary.scalar("SELECT sync_state FROM pg_stat_replication"), lambda s: s == "async",
                 what="the standby to be asynchronous")
        env = {**platform.env, "REFERRALS_HTTP_PORT": str(free_port())}
        started = subprocess.run([sys.executable, "-m", "chassis.serve", "referrals.service:ReferralsService"],
                                 env=env, capture_output=True, text=True, timeout=120)
        assert started.returncode == 2, started.stderr[-2000:]
        assert "asynchronous standby" in started.stdout + started.stderr
        check = "from chassis import replication; print(replication.problem())"
        accepted = subprocess.run([sys.executable, "-c", check], env={**env, "POSTGRES_ASYNC_STANDBY": "accept"},
                                  capture_output=True, text=True, timeout=60)
        assert accepted.stdout.strip() == "None", accepted.stderr[-2000:]
    finally:
        primary.scalar("ALTER SYSTEM RESET synchronous_standby_names")
        primary.scalar("SELECT pg_reload_conf()")
    wait_for(lambda: primary.scalar("SELECT sync_state FROM pg_stat_replication"), lambda s: s == "sync",
             what="the standby to be synchronous again")


class Published:
    """Every pathways message the relays publish, as a test queue of its own bound to the events exchange
    receives it: notification id -> the event ids published under it."""

    def __init__(self, platform) -> None:
        from kombu import Connection, Queue

        from chassis import bus

        self.connection = Connection(platform.env["AMQP_URI"])
        self.queue = Queue(f"test.published.{time.monotonic_ns()}", exchange=bus.events_exchange(),
                           routing_key="pathways.#", auto_delete=False, durable=True,
                           queue_arguments={"x-queue-type": "quorum"})
        self.bound = self.queue(self.connection.channel())  # one channel for every read
        self.bound.declare()
        self.ids: dict[int, set[str]] = {}

    def drain(self) -> dict[int, set[str]]:
        from chassis import bus

        while (message := self.bound.get(no_ack=True)) is not None:
            body = json.loads(message.body)
            self.ids.setdefault(int(message.headers[bus.NOTIFICATION_ID]), set()).add(body["event_id"])
        return self.ids

    def reused(self) -> dict[int, set[str]]:
        return {n: ids for n, ids in self.drain().items() if len(ids) > 1}

    def close(self) -> None:
        self.bound.delete()
        self.connection.release()


def asynchronous(server) -> None:
    server.scalar("ALTER SYSTEM SET synchronous_standby_names = ''")
    server.scalar("SELECT pg_reload_conf()")


def test_bite_an_asynchronous_standby_promoted_loses_published_events_and_reuses_their_ids(cluster, platform, who):
    """The protection switched off: replication made asynchronous, the standby cut off from the primary's WAL
    (stopped), posts accepted and published meanwhile, then the primary lost and the standby promoted. What it
    never received is gone after it was published: accepted posts are not stored, and the next events take the
    lost events' notification ids (a consumer would drop them as done). Last in the module: it leaves the
    platform's stores inconsistent on purpose."""
    old, new = cluster.primary, cluster.standby
    asynchronous(old)
    published = Published(platform)
    try:
        with Load(platform, who, pathways_urls=pathways_urls(platform)) as load:
            load.posted(10, "posts before the standby falls behind")
            wait_quiescent(platform, timeout=120)
            new.stop("fast")  # the standby receives nothing more; an asynchronous primary does not wait for it
            # more than the 32 values a sequence logs ahead of its last use (a promoted standby's notification
            # ids start after those): fewer lost events are lost all the same, but their ids are not reused
            received = head(platform, "pathways")
            lost = wait_for(lambda: head(platform, "pathways"), lambda n: n > received + 100, timeout=120,
                            what="pathways events the standby never receives")
            wait_for(lambda: max(published.drain() or [0]), lambda n: n >= lost, timeout=120,
                     what="the relay to publish what the standby lacks")
            old.stop("immediate")
            new.start()
            new.promote()
            asynchronous(new)  # no standby left to wait for
            cluster.primary, cluster.standby = new, old
            assert head(platform, "pathways") < lost  # the new primary's log ends before what was published
            load.posted(30, "posts after the promotion")
            reused = wait_for(published.reused, timeout=120, what="a notification id published for two events")
        assert reused
        found = problems(platform, load, ledger=False)
        assert any("accepted but not stored" in problem for problem in found), found
    finally:
        published.close()
