"""The pathways domain: the ``Pathway`` aggregate (``pathway``) and the pure rule modules it applies.

- ``pathway``: one client's pathway with one regulator, its commands, guards and events;
- ``rules``: the dated pathway rules (English, exams, registration, placements, sustainment), with sources;
- ``english``: whether a test sitting meets the regulator's English requirement, and until when;
- ``dates``: days worked and the date a period of work reaches a length;
- ``due``: the dates a caseworker must act by, from a pathway's state and the rules.

``Pathway`` was stored as ``pathways.domain:Pathway...`` when this package was one module: that name is
registered (chassis.topics), so every stored pathway still loads (tests/unit/pathways/test_stored_events.py).
"""
from chassis.topics import moved
from pathways.domain import pathway

moved("pathways.domain", pathway)

# the aggregate in the package's namespace too: a stored topic resolved before anything imported the package
# finds ``Pathway`` on it
from pathways.domain.pathway import Pathway, StepRefused  # noqa: E402

__all__ = ["Pathway", "StepRefused"]
