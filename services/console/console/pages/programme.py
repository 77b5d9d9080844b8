"""The programme's pages: KPIs against target, the funnel, placements, and the ESF and ERDF indicators as of any
day, with charts drawn on the server (SVG) and downloads with small numbers suppressed."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from console import translation
from console.apis import Api, ApiError
from console.web import View, Visit, page

PROGRAMME = ("caseworker", "auditor", "admin", "enterprise_staff")
STAGES = ("esol", "english", "registration", "job_matching", "sustainment", "closed")
#: the milestones in the order a pathway reaches them, for the funnel (others after, by name)
FUNNEL = ("esol_level_2_achieved", "qualification_achieved", "training_started", "training_ended",
          "english_requirement_met", "exam_passed", "registration_applied", "registered", "mentor_assigned",
          "placement_offered", "placement_started", "placement_completed", "job_offered", "interim_job_started",
          "employment_started", "employment_confirmed", "sustained_13_weeks", "sustained_26_weeks")


def _funnel_order(name: str) -> tuple[int, str]:
    return (FUNNEL.index(name) if name in FUNNEL else len(FUNNEL), name)


def _allowed(api: Api, service: str, path: str, **params: Any) -> Any:
    """A report the person's role may read, else None (the page shows what the API lets them see)."""
    try:
        return api.get(service, path, **params)
    except ApiError as error:
        if error.status == 403:
            return None
        raise


class ProgrammePages:
    @page("GET", "/programme", roles=PROGRAMME, title="Programme")
    def programme(self, visit: Visit) -> View:
        as_of = visit.query.get("as_of") or None
        kpis = _allowed(visit.api, "reporting", "/reports/kpis", as_of=as_of)
        stages = _allowed(visit.api, "reporting", "/reports/clients-by-stage", as_of=as_of)
        summary = _allowed(visit.api, "reporting", "/reports/summary", as_of=as_of)
        charts = []
        if kpis:
            charts.append(translation.bar_chart("People offered placements against the target", [
                ("On the database", kpis["clients_on_database"]),
                ("Offered placements", kpis["clients_offered_placements"]),
                ("Started placements", kpis["clients_started_placements"]),
                ("Started NHS jobs", kpis["nhs_employment_started"])], target=kpis["target"]))
            charts.append(translation.bar_chart("Placements offered, by kind", [
                (translation.label(kind), count) for kind, count in kpis["placements_offered_by_kind"].items()]))
        if stages:
            charts.append(translation.bar_chart("Pathways at each stage", [
                (translation.label(stage), stages["stages"].get(stage, 0)) for stage in STAGES]))
        if summary:
            charts.append(translation.bar_chart("The funnel: pathways that reached each milestone", [
                (translation.label(name), summary["pathway_funnel"][name])
                for name in sorted(summary["pathway_funnel"], key=_funnel_order)]))
        return View("programme.html", {"kpis": kpis, "stages": stages, "summary": summary, "charts": charts,
                                       "as_of": as_of or (summary or kpis or {}).get("as_of", "")})

    @page("GET", "/programme/indicators", roles=PROGRAMME, title="ESF and ERDF indicators")
    def indicators(self, visit: Visit) -> View:
        as_of = visit.query.get("as_of") or None
        esf = _allowed(visit.api, "reporting", "/reports/esf-participants", as_of=as_of)
        erdf = _allowed(visit.api, "reporting", "/reports/enterprises", as_of=as_of)
        return View("indicators.html", {"esf": esf, "erdf": erdf, "rows": self._indicator_rows(esf, erdf),
                                        "as_of": as_of or (esf or erdf or {}).get("as_of", "")})

    @page("GET", "/programme/indicators.csv", roles=PROGRAMME)
    def indicators_csv(self, visit: Visit) -> Response:
        as_of = visit.query.get("as_of") or None
        esf = _allowed(visit.api, "reporting", "/reports/esf-participants", as_of=as_of)
        erdf = _allowed(visit.api, "reporting", "/reports/enterprises", as_of=as_of)
        text = translation.csv_of(self._indicator_rows(esf, erdf), ("indicator", "count", "amount"),
                                  suppressed=("count",))
        return Response(text, mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="indicators.csv"'})

    @staticmethod
    def _indicator_rows(esf: Any, erdf: Any) -> list[dict[str, Any]]:
        rows = []
        if esf:
            rows += [{"indicator": "ESF participants", "count": esf["participants"]},
                     {"indicator": "ESF participants who have left", "count": esf["exited"]}]
        if erdf:
            for name, value in sorted(erdf["indicators"].items()):
                if isinstance(value, int) and name.endswith("_pence"):  # money, not a count: never suppressed
                    rows.append({"indicator": f"ERDF {translation.label(name.removesuffix('_pence'))}",
                                 "amount": translation.pounds(value)})
                elif isinstance(value, int):
                    rows.append({"indicator": f"ERDF {translation.label(name)}", "count": value})
        return rows
