"""Stored topics of moved classes: an event or aggregate class whose module moved keeps every stored event.

eventsourcing stores each event's topic (``module:QualName``). When a module of stored classes moves, its old
name is registered (``moved(old, module)``, eventsourcing's ``register_topic``) so stored events resolve to
the classes where they now live, and ``topics_of`` gives every name a class has been stored under, so a reader
that filters the log by topic (``select_notifications(topics=...)``: projections, reconciliation) still finds
the events stored before the move. STYLE.md B2: stored event topics are a public API.
"""
from __future__ import annotations

from types import ModuleType

from eventsourcing.utils import get_topic, register_topic

#: module name now -> the names it was stored under before
_MOVED: dict[str, list[str]] = {}


def moved(old: str, module: ModuleType) -> None:
    """Stored topics ``old:<QualName>`` resolve to the classes of ``module``.

    Each class the module defines is registered under its old topic (``old:Name``; eventsourcing resolves a
    nested event ``old:Name.Event`` through it), not the module under ``old``: eventsourcing reads a registered
    module name as a renamed *package* and rewrites every topic under it, so registering ``referrals.domain``
    (now the package holding ``referrals.domain.referral``) would send the new topics
    ``referrals.domain.referral:...`` to ``referrals.domain.referral.referral`` in any process that had not
    yet resolved them itself (found by a fresh instance reading another's events)."""
    for name, obj in vars(module).items():
        if isinstance(obj, type) and obj.__module__ == module.__name__:
            register_topic(f"{old}:{name}", obj)
    if old not in _MOVED.setdefault(module.__name__, []):
        _MOVED[module.__name__].append(old)


def topics_of(cls: type) -> tuple[str, ...]:
    """The class's topic and every topic it was stored under before a move."""
    topic = get_topic(cls)
    module, _, qualname = topic.partition(":")
    return (topic, *(f"{old}:{qualname}" for old in _MOVED.get(module, ())))
