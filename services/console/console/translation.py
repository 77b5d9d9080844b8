"""The services' answers in the words and shapes of the pages (the console's anti-corruption layer).

Money stays integer pence until it is shown (``pounds``); counts that could single a person out are suppressed
in what leaves the console (``suppress``: 1 to 4 becomes "<5", as the ONS and NHS Digital do for small cells).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from console.domain.forms import humanise

LONDON = ZoneInfo("Europe/London")
SMALL_NUMBER = 5


def pounds(pence: Any) -> str:
    if pence is None or pence == "":
        return ""
    value = int(pence)
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def day(value: Any) -> str:
    if not value:
        return ""
    text = str(value)
    try:
        if len(text) == 10:
            return date.fromisoformat(text).strftime("%-d %B %Y")
        return datetime.fromisoformat(text).astimezone(LONDON).strftime("%-d %B %Y, %H:%M")
    except ValueError:
        return text


def label(value: Any) -> str:
    return humanise(str(value)) if value not in (None, "") else ""


FILTERS = {"pounds": pounds, "day": day, "label": label}

#: what each kind of change between two statements means, for the difference page
CHANGE_REASONS = {
    "achieved": "the outcome was achieved (or became known) between the two times",
    "not_payable": "the outcome became not payable (a cap, the claim deadline or other funding)",
    "claimed": "the provider claimed it",
    "validated": "the payer validated the claim",
    "rejected": "the payer rejected the claim",
    "paid": "the payer paid it",
    "clawed_back": "the payment was recovered after validation failed",
    "due": "the amount due changed",
}


def change_reason(kind: str, change_pence: int) -> str:
    reason = CHANGE_REASONS.get(kind, humanise(kind))
    if change_pence < 0 and kind in ("achieved", "claimed", "validated", "paid"):
        reason = f"withdrawn or corrected: no longer {humanise(kind).lower()} in the later statement"
    return reason


def timeline(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A client's history as rows: when, what, by which organisation, from which service, and the details."""
    rows = []
    for event in events:
        details = {k: v for k, v in event.items()
                   if k not in ("source", "event_type", "occurred_at", "recorded_at", "organisation")}
        name = str(event.get("event_type", "")).removesuffix("_v1").removesuffix("_v2")
        rows.append({"occurred_at": event.get("occurred_at"), "recorded_at": event.get("recorded_at"),
                     "what": humanise(name), "by": event.get("organisation") or "", "source": event.get("source"),
                     "details": ", ".join(f"{humanise(k)}: {_shown(k, v)}"
                                          for k, v in details.items() if v not in (None, "", [], {}))})
    return rows


def _shown(key: str, value: Any) -> Any:
    """A detail's value as words, but an id as it is (``ladywood-work-club``, not "Ladywood work club")."""
    return label(value) if isinstance(value, str) and not key.endswith(("_id", "_ref")) else value


def suppress(value: Any) -> Any:
    return f"<{SMALL_NUMBER}" if isinstance(value, int) and 0 < value < SMALL_NUMBER else value


def csv_of(rows: Iterable[Mapping[str, Any]], columns: Iterable[str], suppressed: Iterable[str] = ()) -> str:
    """CSV text; the ``suppressed`` columns have small counts replaced (for downloads that leave the console)."""
    hidden = set(suppressed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(columns)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([suppress(row.get(c)) if c in hidden else row.get(c) for c in columns])
    return out.getvalue()


def bar_chart(title: str, bars: list[tuple[str, int]], target: int | None = None, width: int = 640) -> dict[str, Any]:
    """A horizontal bar chart as the SVG template draws it (no script, no styles: works printed and offline)."""
    top = max([value for _, value in bars] + [target or 0, 1])
    row, gap, left = 28, 8, 190
    scale = (width - left - 60) / top
    drawn = [{"label": name, "value": value, "y": index * (row + gap), "width": max(round(value * scale), 0),
              "text_x": left + max(round(value * scale), 0) + 6} for index, (name, value) in enumerate(bars)]
    return {"title": title, "bars": drawn, "width": width, "height": len(bars) * (row + gap) + 10, "row": row,
            "left": left, "target_x": left + round(target * scale) if target else None, "target": target}
