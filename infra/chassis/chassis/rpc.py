"""nameko's RPC entrypoint, made to survive a broker outage while it answers.

nameko 2.14 sends an RPC reply from the worker's result handler; when the broker is gone at that moment, the
publish error escapes the worker thread and nameko kills the whole container (the process then answers every
HTTP request with a 500 and consumes nothing, for ever). Found by the fault-injection tests: RabbitMQ stopped
while an upstream answered a consumer's gap-filling call. Here a reply that cannot be sent is logged and
dropped: the request was only read (``integration_events``, progress) or is safe to ask again, and the caller
times out and asks again once the broker is back.
"""
from __future__ import annotations

import logging
from typing import Any

from nameko.rpc import Rpc

log = logging.getLogger(__name__)


class ResilientRpc(Rpc):
    def handle_result(self, message: Any, worker_ctx: Any, result: Any, exc_info: Any) -> Any:
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception as error:  # the reply's publish: the broker is unreachable
            log.warning("an RPC reply could not be sent (%s); the caller will ask again", type(error).__name__)
            return result, exc_info


rpc = ResilientRpc.decorator
