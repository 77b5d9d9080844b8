"""Finance statements from the ledger read models: as known at any past time, as effective in any period.

A statement sums ledger entries recorded up to ``as_known_at`` whose effective date falls in the period, by
metric and payer: achieved (payable), not payable (beyond a cap or unpriced), claimed, validated, rejected,
paid, clawed back, and what is due at the period's end (validated, not yet paid). Participants appear only as
pseudonymous references. Amounts are integer pence.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from chassis.application import ServiceApplication

KINDS = ("achieved", "not_payable", "claimed", "validated", "rejected", "paid", "clawed_back")
FIGURES = ("achieved_count", *(f"{k}_pence" for k in KINDS), "due_pence")


def _known(at: datetime | None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).isoformat()


def statement(app: ServiceApplication, contract_id: str, period_from: date, period_to: date,
                as_known_at: datetime | None = None) -> dict[str, Any]:
    """One scan of the contract's entries known by then and effective by the period's end, summed by metric,
    payer and kind (a hash aggregate: no sort); the flows are the sums effective in the period, what is due the
    validated minus paid sums effective by its end.

    Counts: an outcome is achieved once and its achievement has one entry per payer (the ledger views' key), so
    the entries of one (metric, payer, kind 'achieved') count distinct outcomes as they are; the total counts
    distinct outcomes across payers (a second, hashed, query over the achievements only)."""
    known = _known(as_known_at)
    grouped = app.query(
        "SELECT metric, payer, kind, SUM(pence) FILTER (WHERE effective_on >= %s),"
        " COUNT(*) FILTER (WHERE effective_on >= %s), SUM(pence) FROM ledger_entries"
        " WHERE contract_id = %s AND recorded_at <= %s AND effective_on <= %s GROUP BY metric, payer, kind",
        (period_from.isoformat(), period_from.isoformat(), contract_id, known, period_to.isoformat()))
    rows: dict[tuple[str, str], dict[str, int]] = {}

    def row(metric: str, payer: str) -> dict[str, int]:
        return rows.setdefault((metric, payer), {figure: 0 for figure in FIGURES})

    metric: str
    payer: str
    for metric, payer, kind, pence, outcomes, by_end in grouped:
        if kind in ("validated", "paid"):
            row(metric, payer)["due_pence"] += int(by_end) if kind == "validated" else -int(by_end)
        if not outcomes:
            continue  # nothing of this kind effective within the period
        figures = row(metric, payer)
        figures[f"{kind}_pence"] += int(pence)
        if kind == "achieved":
            figures["achieved_count"] += int(outcomes)
    listed: list[dict[str, Any]] = [{"metric": m, "payer": p or None, **f} for (m, p), f in sorted(rows.items())]
    totals = {figure: sum(r[figure] for r in listed if figure != "achieved_count" or r["payer"] is not None)
              for figure in FIGURES}
    totals["achieved_count"] = _count(app, contract_id, known, period_from, period_to)
    return {"contract_id": contract_id, "period": {"from": period_from.isoformat(), "to": period_to.isoformat()},
            "as_known_at": known, "rows": listed, "totals": totals}


def _count(app: ServiceApplication, contract_id: str, known: str, period_from: date, period_to: date) -> int:
    rows = app.query("SELECT COUNT(*) FROM (SELECT outcome_ref FROM ledger_entries WHERE contract_id = %s"
                     " AND kind = 'achieved' AND recorded_at <= %s AND effective_on >= %s AND effective_on <= %s"
                     " GROUP BY outcome_ref) AS achieved",
                     (contract_id, known, period_from.isoformat(), period_to.isoformat()))
    return int(rows[0][0] or 0)


ENTRY_COLUMNS = ("outcome_ref", "participant_ref", "metric", "payer", "kind", "pence", "effective_on", "recorded_at")


def entries(app: ServiceApplication, contract_id: str, period_from: date, period_to: date,
            as_known_at: datetime | None = None, after_seq: int = 0, limit: int = 1000) -> dict[str, Any]:
    """The ledger entries behind a statement's figures, in the order they were recorded (paged by ``after``)."""
    rows = app.query(
        "SELECT seq, outcome_ref, participant_ref, metric, payer, kind, pence, effective_on, recorded_at"
        " FROM ledger_entries WHERE contract_id = %s AND recorded_at <= %s AND effective_on >= %s"
        " AND effective_on <= %s AND seq > %s ORDER BY seq, payer LIMIT %s",
        (contract_id, _known(as_known_at), period_from.isoformat(), period_to.isoformat(), after_seq, limit))
    items = [dict(zip(ENTRY_COLUMNS, (*r[1:6], int(r[6]), *r[7:]), strict=True)) for r in rows]
    for item in items:
        item["payer"] = item["payer"] or None
    return {"entries": items, "next_after": int(rows[-1][0]) if len(rows) == limit else None}


OUTCOME_COLUMNS = ("outcome_ref", "participant_ref", "external_reference", "metric", "occurrence", "achieved_on",
                   "evidenced_on", "price_pence", "payable_pence", "not_payable_reason", "status", "evidence",
                   "claimed_on", "decided_on", "paid_on", "clawed_back_on")


def outcomes(app: ServiceApplication, contract_id: str, share_reference: bool, metric: str | None = None,
             status: str | None = None, participant_ref: str | None = None, offset: int = 0,
             limit: int = 1000) -> dict[str, Any]:
    """Every outcome of the contract as it stands, in claim order: by achievement date, then by the referrer's
    case reference where the contract shares it (a tie both sides can break the same way), then by pseudonym,
    metric and occurrence. The reference is the one on the person's accepted referral; None where the contract
    does not share it, none was given, or the person was erased."""
    reference = ("(SELECT r.external_reference FROM report_referrals r WHERE r.client_id = p.client_id"
                 " AND r.status = 'accepted' ORDER BY r.accepted_on DESC LIMIT 1)") if share_reference else "NULL"
    where, params = ["o.contract_id = %s"], [contract_id]
    for column, value in (("o.metric", metric), ("o.status", status), ("o.participant_ref", participant_ref)):
        if value is not None:
            where.append(f"{column} = %s")
            params.append(value)
    rows = app.query(
        f"SELECT o.outcome_ref, o.participant_ref, {reference} AS external_reference, o.metric, o.occurrence,"
        " o.achieved_on, o.evidenced_on, o.price_pence, o.payable_pence, o.not_payable_reason, o.status, o.evidence,"
        " o.claimed_on, o.decided_on, o.paid_on, o.clawed_back_on FROM ledger_outcomes o"
        " JOIN ledger_participants p ON p.contract_id = o.contract_id AND p.participant_ref = o.participant_ref"
        f" WHERE {' AND '.join(where)} ORDER BY o.achieved_on, COALESCE({reference}, ''), o.participant_ref,"
        " o.metric, o.occurrence LIMIT %s OFFSET %s", (*params, limit + 1, offset))
    items = [dict(zip(OUTCOME_COLUMNS, row, strict=True)) for row in rows[:limit]]
    for item in items:
        for name in ("occurrence", "price_pence", "payable_pence", "evidence"):
            item[name] = int(item[name])
    return {"contract_id": contract_id, "outcomes": items,
            "next_offset": offset + limit if len(rows) > limit else None}


def difference(app: ServiceApplication, contract_id: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Statement B minus statement A, explained outcome by outcome: every (outcome, payer, kind) whose amount
    differs, with both amounts (each statement: ``from``, ``to``, ``as_known_at``)."""
    def amounts(spec: dict[str, Any]) -> dict[tuple[str, str, str], int]:
        rows = app.query(
            "SELECT outcome_ref, payer, kind, SUM(pence) FROM ledger_entries WHERE contract_id = %s"
            " AND recorded_at <= %s AND effective_on >= %s AND effective_on <= %s GROUP BY outcome_ref, payer, kind",
            (contract_id, _known(spec.get("as_known_at")), spec["from"].isoformat(), spec["to"].isoformat()))
        return {(str(r[0]), str(r[1]), str(r[2])): int(r[3]) for r in rows}

    before, after = amounts(a), amounts(b)
    changes: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        if before.get(key, 0) != after.get(key, 0):
            ref, payer, kind = key
            changes.append({"outcome_ref": ref, "participant_ref": ref.split("~")[1], "metric": ref.split("~")[2],
                            "payer": payer or None, "kind": kind, "a_pence": before.get(key, 0),
                            "b_pence": after.get(key, 0), "change_pence": after.get(key, 0) - before.get(key, 0)})
    by_kind: dict[str, int] = {}
    for change in changes:
        by_kind[change["kind"]] = by_kind.get(change["kind"], 0) + change["change_pence"]
    return {"contract_id": contract_id, "a": _spec(a), "b": _spec(b), "change_by_kind_pence": by_kind,
            "changes": changes}


def _spec(spec: dict[str, Any]) -> dict[str, str]:
    return {"from": spec["from"].isoformat(), "to": spec["to"].isoformat(),
            "as_known_at": _known(spec.get("as_known_at"))}


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return out.getvalue()


STATEMENT_COLUMNS = ("metric", "payer", *FIGURES)


def funding_overlaps(app: ServiceApplication) -> dict[str, Any]:
    """Where double funding could arise (edge case 11): achievements (one pathway milestone of one participant)
    with outcomes under more than one contract, and outcomes another fund pays for. ``needs_action`` marks
    outcomes claimed, validated or paid although another fund pays for them (reject or claw back). For auditors
    and the programme office only: it links one person's outcomes across contracts."""
    shared = app.query(
        "SELECT a.trigger_id, o.outcome_ref, o.contract_id, o.metric, o.achieved_on, o.status, o.payable_pence"
        " FROM ledger_achievements a JOIN ledger_outcomes o ON o.outcome_ref = a.outcome_ref"
        " WHERE a.trigger_id IN (SELECT trigger_id FROM ledger_achievements GROUP BY trigger_id"
        " HAVING COUNT(DISTINCT contract_id) > 1) ORDER BY a.trigger_id, o.contract_id, o.outcome_ref")
    groups: dict[str, list[dict[str, Any]]] = {}
    for trigger, ref, contract_id, metric, achieved_on, status, payable in shared:
        groups.setdefault(str(trigger), []).append({
            "outcome_ref": ref, "contract_id": contract_id, "metric": metric, "achieved_on": achieved_on,
            "status": status, "payable_pence": int(payable)})
    declared = app.query(
        "SELECT f.outcome_ref, f.contract_id, f.fund, f.reference, f.declared_on, o.status"
        " FROM ledger_other_funding f JOIN ledger_outcomes o ON o.outcome_ref = f.outcome_ref ORDER BY f.seq")
    return {
        "shared_achievements": [
            {"outcomes": outcomes, "claimed_under": sorted({o["contract_id"] for o in outcomes
                                                            if o["status"] in ("claimed", "validated", "paid")})}
            for outcomes in groups.values()],
        "other_funding": [
            {"outcome_ref": ref, "contract_id": contract_id, "fund": fund, "reference": reference,
             "declared_on": declared_on, "status": status, "needs_action": status in ("claimed", "validated", "paid")}
            for ref, contract_id, fund, reference, declared_on, status in declared]}
