"""The headline KPIs as programme managers report them, each with its definition, over the real services."""
from __future__ import annotations

from tests.support.journeys import accepted_client, step
from tests.support.ledger import BOND
from tests.support.waiting import get, wait_for

AS_OF = "2020-06-30"
AT = "T09:00:00+00:00"


def kpis(platform, reader: str) -> dict:
    answer = get(platform.url("reporting", "/reports/kpis"), reader, params={"as_of": AS_OF})
    assert answer.status_code == 200, answer.text
    return answer.json()


def flat(found: dict) -> dict:
    out = {}
    for name, value in found.items():
        if isinstance(value, dict) and name != "definitions":
            out.update({f"{name}.{k}": v for k, v in flat(value).items()})
        elif isinstance(value, int) and not isinstance(value, bool):
            out[name] = value
    return out


def test_kpis_count_as_defined_nhs_starts_as_the_bond_placements_by_kind_closures_by_reason(
        platform, credentials, caseworker, registered_contracts):
    reader = credentials("programme-office", "auditor")
    before = flat(kpis(platform, reader))
    full_time, part_time, early, carer = (accepted_client(platform, credentials, caseworker,
                                                          occurred_at="2020-02-03" + AT) for _ in range(4))
    for client in (full_time, part_time, early, carer):
        step(platform, caseworker, client, "GMC", "right_to_work_check", {"valid_until": None}, "2020-02-03" + AT)
    step(platform, caseworker, full_time, "GMC", "placement_offered", {
        "placement_ref": "obs-kpi", "kind": "observership", "trust": "swbh-trust", "weeks": 4,
        "starts_on": "2020-02-17"}, "2020-02-10" + AT)
    step(platform, caseworker, full_time, "GMC", "employment_started", {
        "employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"}, "2020-03-02" + AT)
    step(platform, caseworker, part_time, "GMC", "job_offered", {
        "offer_ref": "offer-kpi", "employer": "swbh-trust", "nhs": True, "role": "bank nurse"}, "2020-02-20" + AT)
    step(platform, caseworker, part_time, "GMC", "employment_started", {
        "employer": "swbh-trust", "nhs": True, "hours_per_week": 12, "role": "bank nurse"}, "2020-03-02" + AT)
    step(platform, caseworker, early, "GMC", "employment_started", {   # began before enrolment: not the programme's
        "employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "porter"}, "2019-11-04" + AT)
    step(platform, caseworker, carer, "GMC", "interim_job_started", {"employer": "a care home", "hours_per_week": 20},
         "2020-02-24" + AT)
    step(platform, caseworker, carer, "GMC", "pathway_closed", {"reason": "moved_away"}, "2020-05-01" + AT)
    step(platform, caseworker, early, "GMC", "route_changed", {"regulator": "NMC", "profession": "nurse"},
         "2020-05-04" + AT)
    expected = {"employment_started": 2, "nhs_employment_started": 1, "clients_offered_placements": 3,
                "placements_offered_by_kind.observership": 1, "placements_offered_by_kind.job": 1,
                "placements_offered_by_kind.social_care": 1, "pathways_closed_by_reason.moved_away": 1,
                "pathways_closed_by_reason.route_changed": 1, f"outcomes_by_contract.{BOND}.nhs_job_start": 1}

    def moved(found: dict) -> dict:
        now = flat(found)
        return {name: now.get(name, 0) - before.get(name, 0) for name in expected}

    found = wait_for(lambda: kpis(platform, reader), lambda k: moved(k) == expected, timeout=60,
                     what="the KPIs to count the four clients")
    assert set(found["definitions"]) >= {k for k in found if k not in ("as_of", "definitions")}
    served = get(platform.url("reporting", "/reports/kpis/definitions"), reader).json()["definitions"]
    assert "16 hours" in served["nhs_employment_started"] and "enrolment" in served["nhs_employment_started"]
    exported = get(platform.url("reporting", "/reports/kpis"), reader, params={"as_of": AS_OF, "format": "csv"}).text
    assert "placements_offered_by_kind.social_care" in exported and "pathways_closed_by_reason.moved_away" in exported
