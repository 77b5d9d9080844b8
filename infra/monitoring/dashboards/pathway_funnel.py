"""The pathway funnel and placements against the programme's target, entry points and overdue referrals."""
from __future__ import annotations

from typing import Any

from monitoring.grafana import bars, gauge, stat, table, timeseries
from monitoring.grafana import dashboard as build


def dashboard(settings: dict[str, Any]) -> dict[str, Any]:
    rep = 'job="reporting"'
    panels = [
        stat("Placements offered", [(f"max(useit_placements_offered{{{rep}}})", "offered")], settings),
        stat("Placement target", [(f"max(useit_placements_target{{{rep}}})", "target")], settings),
        gauge("Placements against target", [(f"job:useit_placements_offered:ratio_target{{{rep}}}", "of target")],
              settings, unit="percentunit"),
        stat("Referrals overdue", [(f"sum(useit_referrals_overdue{{{rep}}})", "overdue")], settings,
             threshold=settings["thresholds"]["CaseMgmtReferralsOverdue"] + 1),
        bars("Pathway funnel: pathways that reached each milestone", [
            (f"max by (milestone) (useit_pathways_reached{{{rep}}})", "{{milestone}}")], settings),
        bars("Pathways at each stage now", [
            (f"sum by (stage) (useit_clients_by_stage{{{rep}}})", "{{stage}}")], settings),
        table("Pathways by stage and entry point", [
            (f"max by (stage, entry_point) (useit_clients_by_stage{{{rep}}})", "{{stage}} {{entry_point}}")], settings),
        bars("Pathways opened by entry point", [
            (f"max by (entry_point) (useit_pathways_opened{{{rep}}})", "{{entry_point}}")], settings),
        timeseries("Placements offered and target", [
            (f"max(useit_placements_offered{{{rep}}})", "offered"),
            (f"max(useit_placements_target{{{rep}}})", "target")], settings),
        table("Referrals overdue per partner", [
            (f"sort_desc(max by (partner) (useit_referrals_overdue{{{rep}}}))", "{{partner}}")], settings,
            description="Referrals past their first-contact date with no contact attempt (CaseMgmtReferralsOverdue)."),
    ]
    return build("USE-IT: pathway funnel and placements",
                 "How far clients' pathways have gone, and placements offered against the programme's target.",
                 panels, refresh="1m")
