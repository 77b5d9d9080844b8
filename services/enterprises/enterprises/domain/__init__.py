"""The enterprises domain: its aggregates, one module per part of the strand, each with its own rules.

- ``enterprise``: an enterprise (or a venture not yet registered), its support and its life (merge, dissolution);
- ``fuse``: FUSE recruitment rounds and their applications, applicants, programmes and cohorts;
- ``mentors``: volunteer mentors, matches, sessions, recognition;
- ``network``: network meetings, supply-chain events, festivals: attendance, ideas, outcomes;
- ``research``: community researchers, the asset map, introductions;
- ``support``: grants, diagnostics, consortia.

Before this package the modules were ``enterprises.domain``, ``enterprises.fuse``, ... : those names are
registered (chassis.topics), so every stored event still loads (tests/unit/enterprises/test_stored_events.py).
"""
from chassis.topics import moved
from enterprises.domain import enterprise, fuse, mentors, network, research, support

moved("enterprises.domain", enterprise)
for module in (fuse, mentors, network, research, support):
    moved(f"enterprises.{module.__name__.rsplit('.', 1)[1]}", module)

# the aggregate of the old ``enterprises.domain`` module in the package's namespace too: a stored topic resolved
# before anything imported the package finds it here
from enterprises.domain.enterprise import Enterprise  # noqa: E402

__all__ = ["Enterprise"]
