"""English requirements per regulator, test and date: most recent sitting, combined sittings, expiry, rule changes."""
from __future__ import annotations

from pathways.domain.pathway import Pathway
from tests.unit.pathways.support import at, ielts, oet, pathway, refused


def sit(given: Pathway, day: str, scores: dict, test: str = "IELTS_ACADEMIC") -> bool:
    given.record_english_sitting(test, scores, at(day))
    return given.english_met


def test_the_most_recent_english_sitting_decides():
    given = pathway()
    assert sit(given, "2019-01-01", ielts(7.5, 7.0))
    assert not sit(given, "2019-03-01", ielts(7.5, 7.0, writing=6.5))  # a later, worse sitting undoes the pass (GMC)


def test_nursing_allows_a_lower_writing_score_than_medicine():
    scores = ielts(7.0, 7.0, writing=6.5)
    assert (sit(pathway("NMC"), "2019-01-01", scores), sit(pathway("GMC"), "2019-01-01", scores)) == (True, False)


def test_the_nmc_combines_two_sittings_within_six_months_but_the_gmc_does_not():
    first, second = ielts(7.0, 7.0, writing=6.0), {**ielts(7.0, 6.5, writing=7.0), "overall": 7.0}
    nurse, doctor = pathway("NMC"), pathway("GMC")
    for given in (nurse, doctor):
        sit(given, "2019-01-10", first)
        sit(given, "2019-05-10", second)
    assert nurse.english_met and nurse.english_expires_on == "2021-01-10"  # valid from the earlier sitting
    assert not doctor.english_met
    late = pathway("NMC")
    sit(late, "2019-01-10", first)
    assert not sit(late, "2019-09-10", second)  # eight months apart: too far to combine under the 2018 rule


def test_the_nmc_combining_window_widened_in_2023():
    given = pathway("NMC")
    sit(given, "2023-03-01", ielts(7.0, 7.0, writing=6.0))
    assert sit(given, "2023-12-01", {**ielts(7.0, 6.5, writing=7.0), "overall": 7.0})  # nine months: allowed now


def test_a_sitting_too_far_below_the_target_cannot_be_combined():
    given = pathway("NMC")
    sit(given, "2019-01-10", ielts(7.0, 7.0, writing=5.5))
    assert not sit(given, "2019-03-10", ielts(7.0, 7.0, writing=5.5))


def test_nmc_oet_writing_at_c_plus_counts_from_28_january_2020():
    before, after = pathway("NMC"), pathway("NMC")
    assert not sit(before, "2020-01-27", oet("B", "C+"), "OET")
    assert sit(after, "2020-01-28", oet("B", "C+"), "OET")


def test_the_hcpc_accepts_oet_from_29_january_2025_only():
    before = pathway("HCPC", profession="physiotherapist")
    assert refused(lambda: before.record_english_sitting("OET", oet("B"), at("2025-01-28"))) == \
        "english_test_accepted"
    assert sit(pathway("HCPC", profession="physiotherapist"), "2025-01-29", oet("B"), "OET")


def test_speech_and_language_therapists_need_higher_scores_at_the_hcpc():
    scores = ielts(7.5, 7.0)
    assert sit(pathway("HCPC", profession="physiotherapist"), "2020-01-01", scores)
    assert not sit(pathway("HCPC", profession="speech_and_language_therapist"), "2020-01-01", scores)
    assert sit(pathway("HCPC", profession="speech_and_language_therapist"), "2020-01-01", ielts(8.0, 7.5))


def test_an_oet_pass_after_a_failed_ielts_counts_for_the_gmc():
    given = pathway("GMC")
    sit(given, "2019-01-01", ielts(7.0, 7.0))
    assert sit(given, "2019-04-01", oet("B"), "OET") and given.english_test == "OET"


def test_the_first_time_the_requirement_is_met_is_marked_once():
    given = pathway()
    sit(given, "2019-01-01", ielts(7.5, 7.5))
    sit(given, "2019-03-01", ielts(8.0, 8.0))
    assert [e.first_met for e in given.collect_events()[1:]] == [True, False]
