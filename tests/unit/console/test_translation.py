"""The services' answers in the pages' words: money, ids, the timeline, small numbers, the funnel's order."""
from __future__ import annotations

from console import translation
from console.domain.navigation import start_page
from console.pages.programme import ProgrammePages, _funnel_order


def test_money_is_shown_from_integer_pence_to_the_penny() -> None:
    assert translation.pounds(1350000) == "£13,500.00"
    assert translation.pounds(-5) == "-£0.05"
    assert translation.pounds(None) == ""


def test_the_timeline_keeps_ids_as_they_are_and_words_as_words() -> None:
    [row] = translation.timeline([{"source": "referrals", "event_type": "client_referred_v1",
                                   "occurred_at": "2018-02-09T10:00:00+00:00", "organisation": "smethwick-faith-centre",
                                   "partner_id": "smethwick-faith-centre", "profession": "radiographer"}])
    assert row["what"] == "Client referred" and row["by"] == "smethwick-faith-centre"
    assert row["details"] == "Partner id: smethwick-faith-centre, Profession: Radiographer"


def test_downloads_suppress_small_counts_but_not_zero_nor_money() -> None:
    text = translation.csv_of([{"indicator": "a", "count": 3}, {"indicator": "b", "count": 0},
                               {"indicator": "c", "count": 12}, {"indicator": "d", "amount": "£6,000.00"}],
                              ("indicator", "count", "amount"), suppressed=("count",))
    assert text.splitlines() == ["indicator,count,amount", "a,<5,", "b,0,", "c,12,", 'd,,"£6,000.00"']


def test_erdf_money_is_an_amount_in_pounds_not_a_count() -> None:
    rows = ProgrammePages._indicator_rows(None, {"indicators": {"grant_pence": 600000, "enterprises_registered": 4}})
    assert {"indicator": "ERDF Grant", "amount": "£6,000.00"} in rows
    assert {"indicator": "ERDF Enterprises registered", "count": 4} in rows


def test_the_funnel_runs_in_the_order_a_pathway_reaches_its_milestones() -> None:
    found = ["employment_started", "placement_offered", "zz_new_milestone", "english_requirement_met"]
    assert sorted(found, key=_funnel_order) == ["english_requirement_met", "placement_offered",
                                                "employment_started", "zz_new_milestone"]


def test_each_role_lands_on_its_main_page() -> None:
    assert [start_page(r) for r in ("caseworker", "referrer", "finance", "auditor", "enterprise_staff", "trust")] \
        == ["/queue", "/refer", "/contracts", "/audit", "/programme", "/no-pages"]
