"""Report queries over the read models, each as of a date (rows dated after it are left out)."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any

from chassis.replica import Reads

STAGES = ("esol", "english", "registration", "job_matching", "sustainment", "closed")
#: Counts below this are shown as "<N" in exports (small numbers could identify people).
SMALL_NUMBER = 5


def referrals_by_partner(app: Reads, as_of: date) -> list[dict[str, Any]]:
    """Clients referred and accepted per partner, and the accepted by entry point at enrolment."""
    day = as_of.isoformat()
    rows = app.query("SELECT partner_id, COUNT(*), SUM(CASE WHEN accepted_on <= %s THEN 1 ELSE 0 END)"
                     " FROM report_referrals WHERE received_on <= %s GROUP BY partner_id ORDER BY partner_id",
                     (day, day))
    entry = app.query("SELECT partner_id, entry_point, COUNT(*) FROM report_referrals WHERE accepted_on <= %s"
                      " GROUP BY partner_id, entry_point", (day,))
    by_entry: dict[str, dict[str, int]] = {}
    for partner, entry_point, count in entry:
        by_entry.setdefault(partner, {})[entry_point] = int(count)
    return [{"partner_id": p, "referred": int(referred), "accepted": int(accepted or 0),
             "accepted_by_entry_point": by_entry.get(p, {})} for p, referred, accepted in rows]


def pathways_by_entry_point(app: Reads, as_of: date) -> list[dict[str, Any]]:
    rows = app.query("SELECT entry_point, COUNT(*) FROM report_pathways WHERE opened_on <= %s"
                     " GROUP BY entry_point ORDER BY entry_point", (as_of.isoformat(),))
    return [{"entry_point": e, "opened": int(n)} for e, n in rows]


def overdue_referrals(app: Reads, today: str) -> list[dict[str, Any]]:
    """Referrals nobody has tried to contact by their due date (a closed loop for referral partners)."""
    rows = app.query("SELECT referral_id, partner_id, received_on, first_contact_due FROM report_referrals"
                     " WHERE (first_contact_on IS NULL OR first_contact_on > %s) AND received_on <= %s"
                     " AND (closed_on IS NULL OR closed_on > %s) AND (accepted_on IS NULL OR accepted_on > %s)"
                     " AND first_contact_due < %s ORDER BY first_contact_due, referral_id",
                     (today, today, today, today, today))
    return [{"referral_id": r[0], "partner_id": r[1], "received_on": r[2], "first_contact_due": r[3]} for r in rows]


def awaiting_contact(app: Reads, today: str) -> list[dict[str, Any]]:
    """The work queue on ``today``: referrals received and nobody yet contacted (nor closed or accepted), by
    first-contact date then id; ``overdue`` when that date has passed."""
    rows = app.query("SELECT referral_id, partner_id, received_on, first_contact_due FROM report_referrals"
                     " WHERE (first_contact_on IS NULL OR first_contact_on > %s) AND received_on <= %s"
                     " AND (closed_on IS NULL OR closed_on > %s) AND (accepted_on IS NULL OR accepted_on > %s)"
                     " ORDER BY first_contact_due, referral_id", (today, today, today, today))
    return [{"referral_id": r[0], "partner_id": r[1], "received_on": r[2], "first_contact_due": r[3],
             "overdue": r[3] < today} for r in rows]


def referrals_of_partner(app: Reads, partner_id: str) -> list[dict[str, Any]]:
    rows = app.query("SELECT referral_id, status, received_on, first_contact_due, first_contact_on,"
                     " contact_attempts FROM report_referrals WHERE partner_id = %s"
                     " ORDER BY received_on, referral_id", (partner_id,))
    return [dict(zip(("referral_id", "status", "received_on", "first_contact_due", "first_contact_on",
                      "contact_attempts"), row, strict=True)) for row in rows]


def pathway_funnel(app: Reads, as_of: date) -> dict[str, int]:
    """How many pathways have reached each milestone at least once by ``as_of``."""
    rows = app.query("SELECT milestone, COUNT(DISTINCT pathway_id) FROM report_milestones WHERE reached_on <= %s"
                     " GROUP BY milestone ORDER BY milestone", (as_of.isoformat(),))
    return {milestone: int(count) for milestone, count in rows}


def clients_by_stage(app: Reads, as_of: date) -> dict[str, Any]:
    """Each open pathway's stage on ``as_of`` (domain brief section 4), counted per stage and entry point."""
    day = as_of.isoformat()
    pathways = app.query("SELECT pathway_id, entry_point, closed_on FROM report_pathways WHERE opened_on <= %s",
                         (day,))
    reached: dict[str, list[tuple[str, str]]] = {}
    for pathway_id, milestone, on in app.query(
            "SELECT pathway_id, milestone, reached_on FROM report_milestones WHERE reached_on <= %s ORDER BY seq",
            (day,)):
        reached.setdefault(pathway_id, []).append((milestone, on))
    stages: Counter = Counter()
    by_entry: Counter = Counter()
    for pathway_id, entry_point, closed_on in pathways:
        stage = _stage(entry_point, [m for m, _ in reached.get(pathway_id, [])],
                       closed=closed_on is not None and closed_on <= day)
        stages[stage] += 1
        by_entry[(stage, entry_point)] += 1
    return {"stages": {s: stages.get(s, 0) for s in STAGES},
            "by_entry_point": {s: {e: n for (st, e), n in sorted(by_entry.items()) if st == s} for s in STAGES}}


def _stage(entry_point: str, milestones: list[str], closed: bool) -> str:
    if closed or "pathway_closed" in milestones:
        return "closed"
    employed = 0
    for milestone in milestones:
        employed += {"employment_started": 1, "employment_ended": -1}.get(milestone, 0)
    if employed > 0:
        return "sustainment"
    if "registered" in milestones:
        return "job_matching"
    if {"english_requirement_met", "exam_passed"} & set(milestones):
        return "registration"
    if entry_point == "E-A" and "esol_level_2_achieved" not in milestones:
        return "esol"
    return "english"


#: What each KPI of ``GET /reports/kpis`` counts (served with it, and at ``/reports/kpis/definitions``).
KPI_DEFINITIONS: dict[str, str] = {
    "clients_on_database": "People referred to the hub by the day: distinct clients with a referral received on "
                           "or before it (the journal's 'individuals on the clients database').",
    "clients_offered_placements": "People offered at least one placement by the day, of any kind: an observership, "
                                  "a clinical attachment or work experience, a job placement (a job offer) or "
                                  "social-care work (an interim job started). The journal's 'people offered "
                                  "placements' (94, against a three-year target of 60).",
    "placements_offered_by_kind": "People offered a placement of each kind by the day (observership, "
                                  "clinical_attachment, work_experience, job, social_care); a person offered two "
                                  "kinds counts under both, once under each.",
    "clients_started_placements": "People who started an observership, clinical attachment or work experience "
                                  "placement by the day.",
    "target": "The programme's target of people offered placements (PLACEMENT_TARGET; the journal's 60).",
    "against_target": "clients_offered_placements divided by target, to three places.",
    "employment_started": "People who started a job (not interim work), any employer and any hours, on or after "
                          "their enrolment (the day their first pathway opened) and by the day.",
    "nhs_employment_started": "People who started a job with an NHS employer at 16 hours a week or more, on or after "
                              "their enrolment and by the day, one person once however many such jobs: the bond's "
                              "job-start definition without its service period and window (outcomes_by_contract "
                              "gives the bond's own count).",
    "sustained_13_weeks": "People whose pathway recorded 13 weeks in work (a sustainment confirmation) by the day.",
    "sustained_26_weeks": "People whose pathway recorded 26 weeks in work (a sustainment confirmation) by the day.",
    "pathways_closed_by_reason": "Pathways closed by the day, by the reason recorded (completed, withdrawn, "
                                 "disengaged, moved_away, ineligible, deceased); a change of route closes one "
                                 "pathway and opens another and is counted as route_changed, not as an exit.",
    "referrals_closed_by_outcome": "Referrals closed without acceptance by the day: declined, closed_no_contact, "
                                   "withdrawn.",
    "outcomes_by_contract": "For each registered outcomes contract, the people who achieved each of its metrics by "
                            "the day, by the contract's own definition (the outcome ledger: GET /outcomes-contracts"
                            "/<id> gives each metric's definition).",
}
PLACEMENT_MILESTONES = {"placement_offered": None, "job_offered": "job", "interim_job_started": "social_care"}


def placements(app: Reads, as_of: date, target: int) -> dict[str, Any]:
    """People offered a placement (any kind, job and social-care work included) against the programme target."""
    day = as_of.isoformat()
    kinds: dict[str, set[str]] = {k: set() for k in ("observership", "clinical_attachment", "work_experience", "job",
                                                      "social_care")}
    for client_id, milestone, detail in app.query(
            "SELECT client_id, milestone, detail FROM report_milestones WHERE milestone IN"
            " ('placement_offered', 'job_offered', 'interim_job_started') AND reached_on <= %s", (day,)):
        kind = PLACEMENT_MILESTONES[milestone] or json.loads(detail).get("kind") or "work_experience"
        kinds.setdefault(kind, set()).add(client_id)
    offered = len(set().union(*kinds.values()))
    started = app.query("SELECT COUNT(DISTINCT client_id) FROM report_milestones WHERE milestone = 'placement_started'"
                        " AND reached_on <= %s", (day,))[0][0]
    on_database = app.query("SELECT COUNT(DISTINCT client_id) FROM report_referrals WHERE received_on <= %s",
                            (day,))[0][0]
    return {"clients_on_database": int(on_database), "clients_offered_placements": offered,
            "placements_offered_by_kind": {k: len(v) for k, v in kinds.items()},
            "clients_started_placements": int(started or 0), "target": target,
            "against_target": round(offered / target, 3) if target else None}


def employment(app: Reads, as_of: date) -> dict[str, int]:
    """People who started work on or after enrolment (any, and NHS at 16+ hours) and sustained 13 and 26 weeks."""
    day = as_of.isoformat()
    enrolled = {c: on for c, on in app.query("SELECT client_id, MIN(opened_on) FROM report_pathways"
                                             " GROUP BY client_id")}
    started: set[str] = set()
    nhs: set[str] = set()
    for client_id, began, detail in app.query("SELECT client_id, reached_on, detail FROM report_milestones"
                                              " WHERE milestone = 'employment_started' AND reached_on <= %s", (day,)):
        job = json.loads(detail)  # the milestone's date is the job's first day
        if client_id in enrolled and began < enrolled[client_id]:
            continue  # work that began before enrolment is not the programme's
        started.add(client_id)
        if (job.get("employer_kind") == "nhs" or job.get("nhs")) and float(job.get("hours_per_week") or 0) >= 16:
            nhs.add(client_id)
    sustained = {m: int(n) for m, n in app.query(
        "SELECT milestone, COUNT(DISTINCT client_id) FROM report_milestones WHERE reached_on <= %s"
        " AND milestone IN ('sustained_13_weeks', 'sustained_26_weeks') GROUP BY milestone", (day,))}
    return {"employment_started": len(started), "nhs_employment_started": len(nhs),
            "sustained_13_weeks": sustained.get("sustained_13_weeks", 0),
            "sustained_26_weeks": sustained.get("sustained_26_weeks", 0)}


def closures(app: Reads, as_of: date) -> dict[str, dict[str, int]]:
    """Pathways closed by reason (a change of route apart) and referrals closed without acceptance, by outcome."""
    day = as_of.isoformat()
    pathways: Counter = Counter()
    for reason, count in app.query("SELECT closed_reason, COUNT(*) FROM report_pathways WHERE closed_on <= %s"
                                   " GROUP BY closed_reason", (day,)):
        reason = "route_changed" if str(reason or "").startswith("route_changed") else (reason or "unknown")
        pathways[reason] += int(count)
    referrals = {o: int(n) for o, n in app.query(
        "SELECT status, COUNT(*) FROM report_referrals WHERE closed_on <= %s AND status IN"
        " ('declined', 'closed_no_contact', 'withdrawn') GROUP BY status", (day,))}
    return {"pathways_closed_by_reason": dict(sorted(pathways.items())),
            "referrals_closed_by_outcome": {o: referrals.get(o, 0) for o in ("declined", "closed_no_contact",
                                                                             "withdrawn")}}


def outcomes_by_contract(app: Reads, as_of: date) -> dict[str, dict[str, int]]:
    """People who achieved each metric of each contract by the day, as the contract defines it (the ledger)."""
    found: dict[str, dict[str, int]] = {}
    for contract_id, metric, people in app.query(
            "SELECT contract_id, metric, COUNT(DISTINCT participant_ref) FROM ledger_outcomes WHERE achieved_on <= %s"
            " GROUP BY contract_id, metric ORDER BY contract_id, metric", (as_of.isoformat(),)):
        found.setdefault(contract_id, {})[metric] = int(people)
    return found


def esf_participants(app: Reads, as_of: date) -> dict[str, Any]:
    """ESF-style: one record per participant with the first start kept and the final exit (every pathway closed);
    the immediate result is the status within 4 weeks after exit (in work or not)."""
    day = as_of.isoformat()
    rows = app.query("SELECT client_id, MIN(opened_on), MAX(closed_on),"
                     " SUM(CASE WHEN closed_on IS NULL OR closed_on > %s THEN 1 ELSE 0 END)"
                     " FROM report_pathways WHERE opened_on <= %s GROUP BY client_id ORDER BY client_id", (day, day))
    started_work = {}
    for client_id, on in app.query("SELECT client_id, MIN(reached_on) FROM report_milestones"
                                   " WHERE milestone = 'employment_started' GROUP BY client_id"):
        started_work[client_id] = on
    participants = []
    for client_id, first_start, last_close, still_open in rows:
        exit_on = last_close if int(still_open) == 0 else None
        result = None
        if exit_on is not None:
            window = (date.fromisoformat(exit_on) + timedelta(weeks=4)).isoformat()
            result = "in_work" if started_work.get(client_id) and started_work[client_id] <= min(window, day) \
                else "not_in_work"
        participants.append({"client_id": client_id, "first_start": first_start, "final_exit": exit_on,
                             "immediate_result": result})
    return {"as_of": day, "participants": len(participants),
            "exited": sum(1 for p in participants if p["final_exit"]), "records": participants}


def client_history(app: Reads, client_id: str, as_of: date) -> list[dict[str, Any]]:
    """Everything recorded about one client across services, in the order it was recorded, up to ``as_of``;
    with the ledger's entries for the participant under every contract."""
    end = (as_of + timedelta(days=1)).isoformat()
    events = [{"source": upstream, "event_type": event_type, "occurred_at": occurred, "recorded_at": recorded,
               **json.loads(summary)}
              for upstream, event_type, occurred, recorded, summary in app.query(
                  "SELECT upstream, event_type, occurred_at, recorded_at, summary FROM report_client_events"
                  " WHERE client_id = %s AND recorded_at < %s ORDER BY recorded_at, upstream, seq", (client_id, end))]
    ledger = [{"source": "ledger", "event_type": f"outcome_{kind}", "occurred_at": effective, "recorded_at": recorded,
               "outcome_ref": ref, "payer": payer or None, "pence": int(pence)}
              for ref, kind, payer, pence, effective, recorded in app.query(
                  "SELECT e.outcome_ref, e.kind, e.payer, e.pence, e.effective_on, e.recorded_at FROM ledger_entries e"
                  " JOIN ledger_participants p ON p.contract_id = e.contract_id AND p.participant_ref = "
                  "e.participant_ref"
                  " WHERE p.client_id = %s AND e.recorded_at < %s ORDER BY e.seq, e.payer", (client_id, end))]
    return sorted(events + ledger, key=lambda e: e["recorded_at"])


def clients_erased(app: Reads) -> int:
    return int(app.query("SELECT COUNT(*) FROM report_erasures")[0][0])


def suppress(value: Any) -> Any:
    """Small-number suppression for exports: counts from 1 to SMALL_NUMBER - 1 become "<SMALL_NUMBER"."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < SMALL_NUMBER:
        return f"<{SMALL_NUMBER}"
    return value
