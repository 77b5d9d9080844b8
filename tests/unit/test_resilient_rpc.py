"""An RPC reply the broker cannot take is given up, not fatal to the container (chassis.rpc).

Over the real services the fault tests hit this when RabbitMQ stops while an upstream answers a consumer's
gap-filling call: nameko's own entrypoint lets the publish error escape the worker thread, which kills the
container. Here the reply's publish fails the way kombu fails when the broker is gone."""
from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError
from nameko.rpc import Rpc

from chassis.rpc import ResilientRpc


class BrokerGone:
    def handle_result(self, message, result, exc_info):
        raise OperationalError("[Errno 111] ECONNREFUSED")


def entrypoint(cls):
    instance = cls.__new__(cls)
    instance.rpc_consumer = BrokerGone()
    return instance


def test_nameko_lets_a_failed_reply_escape_and_ours_gives_it_up():
    with pytest.raises(OperationalError):
        entrypoint(Rpc).handle_result(object(), None, 42, None)
    assert entrypoint(ResilientRpc).handle_result(object(), None, 42, None) == (42, None)


def test_a_process_whose_container_died_exits_to_be_restarted():
    from eventlet.event import Event

    from chassis.serve import _exit_when_dead

    class Killed:
        service_name = "pathways"

        def wait(self):
            raise OperationalError("the broker went away")

    class Stopped(Killed):
        def wait(self):
            return None

    stopping = Event()
    _exit_when_dead(Stopped(), stopping)
    assert not stopping.ready()  # a clean stop is not a death
    _exit_when_dead(Killed(), stopping)
    assert stopping.wait() == "died"
