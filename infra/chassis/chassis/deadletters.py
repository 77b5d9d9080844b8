"""Lists, replays or drops a service's dead letters: ``python -m chassis.deadletters SERVICE [--replay|--drop]``.

Prints one line per message: upstream, notification id, event type and the reason (never the body, which
may hold personal data). ``--replay`` sends each message that names its upstream back to the service's queue
for that upstream, marked as a replay (see ``Inbox._replay``); ``--drop`` removes them. Without either, the
messages stay where they are.
"""
from __future__ import annotations

import argparse
import sys

from kombu import Connection, Producer

from chassis import bus, config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.deadletters")
    parser.add_argument("service")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--replay", action="store_true")
    action.add_argument("--drop", action="store_true")
    args = parser.parse_args(argv)
    queue = bus.dead_letter_queue(args.service)
    seen = replayed = 0
    with Connection(config.amqp_uri()) as connection:
        channel = connection.channel()
        bound = queue(channel)
        bound.declare()
        producer = Producer(channel)
        held = []
        while True:
            message = bound.get(no_ack=False)
            if message is None:
                break
            seen += 1
            headers = dict(message.headers or {})
            upstream = headers.get(bus.UPSTREAM)
            print(f"{upstream or '?'}\t{headers.get(bus.NOTIFICATION_ID, '?')}\t"
                  f"{headers.get('x-dead-letter-reason', '')[:120]}")
            if args.replay and upstream and bus.NOTIFICATION_ID in headers:
                target = bus.consumer_queue(args.service, upstream)
                producer.publish(message.body, exchange="", routing_key=target.name, delivery_mode=2,
                                 content_type="application/json", content_encoding="utf-8",
                                 headers={**headers, bus.REPLAY: True})
                message.ack()
                replayed += 1
            elif args.drop:
                message.ack()
            else:
                held.append(message)
        for message in held:
            message.requeue()
    print(f"{seen} dead letters; {replayed} replayed" + ("; the rest dropped" if args.drop else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
