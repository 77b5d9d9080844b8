"""Small builders for pathway unit tests."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from pathways.domain.pathway import Pathway, StepRefused


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def pathway(regulator: str = "GMC", entry_point: str = "E-B", profession: str | None = None,
            opened: str = "2018-01-02") -> Pathway:
    return Pathway(client_id=uuid.uuid4(), regulator=regulator, entry_point=entry_point, occurred_at=at(opened),
                   profession=profession)


def refused(step: Callable[[], Any]) -> str:
    with pytest.raises(StepRefused) as error:
        step()
    return error.value.details["rule"]


def ielts(overall: float, each: float, writing: float | None = None) -> dict:
    return {"overall": overall, "listening": each, "reading": each, "speaking": each,
            "writing": each if writing is None else writing}


def oet(each: str, writing: str | None = None) -> dict:
    return {"listening": each, "reading": each, "speaking": each, "writing": writing or each}


def english_met(given: Pathway, day: str, scores: dict | None = None) -> None:
    given.record_english_sitting("IELTS_ACADEMIC", scores or ielts(8.0, 8.0), at(day))
    assert given.english_met
