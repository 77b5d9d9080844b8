"""docs/pathways.md and docs/ledger.md list the regulators' rule rows and the shipped cards as the data has them."""
from __future__ import annotations

import os

import pytest

from launcher import domaindocs


@pytest.mark.parametrize("document", sorted({d for d, _ in domaindocs.BLOCKS.values()}))
def test_the_generated_rule_and_card_tables_are_current(document):
    with open(os.path.join(domaindocs.DOCS, document)) as handle:
        committed = handle.read()
    assert committed == domaindocs.documents()[document], \
        f"docs/{document} is stale: run .venv/bin/python -m launcher.domaindocs"


def test_every_rule_row_and_card_note_is_in_the_docs():
    from pathways.domain import rules

    text = domaindocs.documents()
    for row in (*rules.ENGLISH, *rules.EXAMS, *rules.REGISTRATION, *rules.PLACEMENTS, *rules.PLACEMENT_GATES):
        assert row.source and row.source.replace("|", "/") in text["pathways.md"], row
    assert "Not expressed: better attitude to school" in text["ledger.md"]
