"""The embedded broker: kombu's in-memory transport with the two faults the runtime lab found fixed.

- kombu's virtual transports poll every second (10 messages/s); ours polls every 5 ms.
- nameko's RPC responder reads ``message.properties['content_type']``, which the virtual transport never
  sets, so every RPC reply crashed the container; our messages always carry it.

Registered as the URL scheme ``useit-memory://`` (``chassis.config.MEMORY_URI``) without touching kombu's
own classes. Everything runs in one process, as the embedded mode does.
"""
from __future__ import annotations

from typing import Any

from kombu.transport import TRANSPORT_ALIASES, memory, virtual

SCHEME = "useit-memory"


class Message(virtual.Message):
    def __init__(self, payload: Any, channel: Any = None, **kwargs: Any) -> None:
        properties = payload.setdefault("properties", {})
        properties.setdefault("content_type", payload.get("content-type"))
        super().__init__(payload, channel=channel, **kwargs)


class Channel(memory.Channel):
    Message = Message


class Transport(memory.Transport):
    Channel = Channel
    polling_interval = 0.005
    driver_type = driver_name = SCHEME


def register() -> None:
    TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")


register()
