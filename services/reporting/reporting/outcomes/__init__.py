"""The outcome ledger: outcomes contracts, what pathways' milestones achieve under them, claims, payments and
the finance views (docs/ledger.md).

- ``domain``, ``funding``: the ledger's aggregates (contracts, participants; achievements across contracts) and
  their rules;
- ``terms``, ``achievements``: the contract language and which milestone achieves which metric (pure rules);
- ``engine``: the application of the ledger (pathways' events -> achievements under every contract);
- ``views``, ``statements``, ``investment``, ``totals``: read models and finance views of the ledger's events;
- ``reconcile``: the whole ledger recomputed from scratch and compared, penny by penny;
- ``api``: the HTTP entrypoints (mixed into the reporting service).

The aggregates were stored as ``reporting.ledger:...`` before this package existed, and FundedAchievement as
``reporting.outcomes.domain:...`` before it had a module of its own: those names are registered (chassis.topics),
so every stored event still loads; tests/unit/reporting/test_stored_ledger_events.py replays a fixture stored
under the first name, tests/unit/test_topics.py resolves each name in a fresh process.
"""
from chassis.topics import moved
from reporting.outcomes import domain, funding

moved("reporting.ledger", domain)
moved("reporting.ledger", funding)
moved("reporting.outcomes.domain", funding)
