"""The third journal's enterprise figures, loaded through the HTTP API and read back from reporting."""
from __future__ import annotations

import uuid

from launcher import enterprise_demo
from tests.support.waiting import get, wait_for


def test_the_journals_enterprise_figures_load_through_the_api_and_read_back_from_reporting(platform, credentials):
    organisation = f"ise-{uuid.uuid4().hex[:6]}"
    staff = credentials(organisation, "enterprise_staff")
    loaded = enterprise_demo.load(platform.url("enterprises"), staff, enterprise_demo.JOURNAL, prefix=organisation)
    url = platform.url("reporting", f"/reports/enterprises?organisation={organisation}")
    report = wait_for(lambda: get(url, staff).json(),
                      lambda r: sum(r["research"]["introductions"].values()) == 4,  # the last posted: all in
                      timeout=60, what="the journal's figures in reporting")

    (fuse_round,) = report["fuse"]["rounds"]
    assert (fuse_round["round_id"], fuse_round["applications"]) == (loaded["round_id"], 30)
    assert (fuse_round["applicants"], fuse_round["enterprises"]) == (30, 28)  # two enterprises applied for twice
    assert fuse_round["by_status"] == {"accepted": 12, "waitlisted": 3, "rejected": 15}
    assert report["fuse"]["start_up"] == {"organisations_supported": 10, "individuals_supported": 12}
    assert report["fuse"]["short_programmes"] == {"organisations": 0, "individuals": 7}
    assert report["mentors"]["active_specialists"] == 15
    (supply_chain,) = report["network"]["supply_chain_events"]
    assert (supply_chain["network_event_id"], supply_chain["enterprises_attending"]) == \
        (loaded["supply_chain_event_id"], 27)
    assert (supply_chain["pitches"], supply_chain["buyers_present"]) == (27, 9)
    research = report["research"]
    assert (research["recruited"], research["active"], research["lapsed"]) == (49, 10, 6)

    indicators = report["indicators"]
    assert indicators["CO01_enterprises_supported"] == 10  # each once, whatever its sessions and applicants
    assert indicators["CO04_enterprises_receiving_non_financial_support"] == 10
    assert indicators["CO02_enterprises_receiving_grants"] == 3
    assert indicators["CO05_new_enterprises_supported"] == 6  # those registered 2014 are not new

    trend = get(platform.url("reporting", f"/reports/events/attendance-trend?series=soho_network"
                                          f"&organisation={organisation}"), staff).json()
    assert [e["attendance"] for e in trend["events"]] == [26, 22, 19, 17, 13, 11]
    assert trend["direction"] == "falling"
