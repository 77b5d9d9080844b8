"""The USE-IT! journal's headline figures, generated through the HTTP APIs of referrals and pathways and read back
from reporting: 161 clients on the database, 94 offered placements against a three-year target of 60."""
from __future__ import annotations

from launcher.programme_demo import JOURNAL, load
from tests.support.waiting import get, wait_for

AS_OF = "2018-09-30"  # the journal covers February to September 2018


def test_the_journals_161_clients_and_94_placements_offered_are_read_back_from_reporting(platform, credentials,
                                                                                            caseworker):
    reader = credentials("programme-office", "auditor")

    def kpis(as_of: str = AS_OF) -> dict:
        return get(platform.url("reporting", "/reports/kpis"), reader, params={"as_of": as_of}).json()

    before = kpis()
    partners = {p: credentials(p, "referrer") for p in JOURNAL.partners}
    urls = {name: platform.url(name) for name in ("referrals", "pathways")}
    loaded = load(urls, {**partners, "hub": caseworker}, JOURNAL, prefix="journal-test")
    assert loaded == {"referrals": 161, "accepted": 120, "placements_offered": 94, "nhs_jobs": 22}
    after = wait_for(kpis, lambda k: k["clients_offered_placements"] == before["clients_offered_placements"] + 94,
                     timeout=60, what="the 94 placements in reporting")
    assert after["clients_on_database"] - before["clients_on_database"] == 161
    assert (after["target"], after["against_target"] > 1) == (60, True)
    by_partner = get(platform.url("reporting", "/reports/referrals-by-partner"), reader,
                     params={"as_of": AS_OF}).json()["rows"]
    ours = [r for r in by_partner if r["partner_id"] in partners]
    assert sum(r["referred"] for r in ours) == 161 and sum(r["accepted"] for r in ours) == 120
    assert sum(sum(r["accepted_by_entry_point"].values()) for r in ours) == 120
    # as of the day before the first referral, none of it was there yet
    assert kpis("2018-01-31")["clients_offered_placements"] <= before["clients_offered_placements"]
