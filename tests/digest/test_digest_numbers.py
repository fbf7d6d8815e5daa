"""The digest's numbers on the hand-made school (tests/digest/conftest.py), each worked
out by hand from the weeks written there, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.digest.document import as_markdown
from bot.digest.history import store_digest
from bot.digest.messages import digest_document
from bot.digest.network import KeyFigureLine, NetworkEdge
from bot.digest.participation import GroupShare, merge_small
from bot.digest.week import IsoWeek
from bot.digest.weekly import Digest, RoundLine, WeekNotStartedError, compute
from storage import digest_history as history
from tests.digest.conftest import NOW, WEEK, School


async def _digest(school: School, week: IsoWeek = WEEK) -> Digest:
    async with school.db.session() as session:
        return await compute(session, school.school_id, week, now=NOW)


async def test_participation_overall_by_role_and_by_department(school: School) -> None:
    digest = await _digest(school)
    # W47: wa wb wc ta td te ba su co took part; W46: wa wb ta tb we co.
    assert (digest.staff, digest.active) == (16, 9)
    assert (digest.previous_staff, digest.previous_active) == (16, 6)
    # Teachers: wa wb wc ta ba of 9. Other roles (4 PLG leads, 2 coordinators, 1
    # support; the leads join because coordinators + support alone are under 5):
    # td te co of 7... and su.
    assert digest.by_role == (GroupShare("teacher", 9, 5), GroupShare(None, 7, 4))
    # Wiskunde wa wb wc of 6, Talen ta td te of 5, other (Bèta 3 + none 2): ba su co.
    assert digest.by_department == (
        GroupShare("Wiskunde", 6, 3),
        GroupShare("Talen", 5, 3),
        GroupShare(None, 5, 3),
    )


async def test_new_ties_ties_and_reciprocity(school: School) -> None:
    digest = await _digest(school)
    # First contact in W47: wa-wc, wa-ta, td-te, ba-wa, su-co (wa-wb is from W44).
    assert digest.new_ties == 5
    # 12 weeks to the end of W47: 8 pairs, wa-wb and td-te both ways.
    assert (digest.ties, digest.reciprocal_ties) == (8, 2)
    # 12 weeks to the end of W46: wa-wb, ta-tb, we-co, all one way.
    assert (digest.previous_ties, digest.previous_reciprocal_ties) == (3, 0)
    assert digest.reciprocity == 0.25
    ids = school.ids
    assert NetworkEdge(min(ids["wa"], ids["wb"]), max(ids["wa"], ids["wb"]), True) in digest.edges
    assert NetworkEdge(ids["ba"], ids["wa"], False) in digest.edges
    assert len(digest.edges) == 8
    assert {n.person_id for n in digest.nodes} == {
        ids[h] for h in ("wa", "wb", "wc", "ta", "tb", "td", "te", "we", "co", "ba", "su")
    }


async def test_key_figures_with_profile_and_change_since_last_week(school: School) -> None:
    digest = await _digest(school)
    ids = school.ids
    # wa: 4 colleagues (wb both ways), sends to 3, hears from 2: a sender, up from 1.
    # co (2, both incoming, receiver) is level with ta (2, sender) in degree,
    # reciprocity and interactions: the name decides. Last week everyone had one
    # colleague: wa and wb (two interactions each), then co by name. wb dropped out.
    assert digest.key_figures == (
        KeyFigureLine(1, ids["wa"], "Wilma Aalbers", "sender", 4, 1, 1, 1),
        KeyFigureLine(2, ids["co"], "Corinne Olsthoorn", "receiver", 2, 0, 3, 1),
        KeyFigureLine(3, ids["ta"], "Tamara Assink", "sender", 2, 0, None, None),
    )
    assert digest.left_key_figures == 1


async def test_knowledge_balance_and_its_eight_week_trend(school: School) -> None:
    digest = await _digest(school)
    assert [str(b.week) for b in digest.trend] == [f"2026-W{n}" for n in range(40, 48)]
    # Order: focus, process, outcomes, benefits, organisation.
    assert digest.balance.counts == (1, 1, 4, 1, 1)
    assert digest.balance.interactions == 8
    assert digest.balance.shares == (0.125, 0.125, 0.5, 0.125, 0.125)
    assert [b.counts for b in digest.trend[:-1]] == [
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (0, 0, 1, 0, 0),  # W44
        (0, 0, 0, 0, 0),
        (1, 1, 1, 0, 0),  # W46
    ]
    assert [b.interactions for b in digest.trend] == [0, 0, 0, 0, 1, 0, 3, 8]


async def test_rounds_with_reply_counts_and_nudges(school: School) -> None:
    digest = await _digest(school)
    assert digest.rounds == (
        RoundLine("Datateam havo-3", "Wat zei Wilma Aalbers over havo-3?", False, 3, 2),
        RoundLine("Datateam havo-3", "Wat werkt bij jou?", True, 2, 0),
    )
    # Sent in W47: wa's. Followed in W47: wb's (sent in W46). wc's (W45) never.
    assert (digest.nudges_sent, digest.nudges_followed) == (1, 1)


async def test_the_text_says_what_the_numbers_mean_in_english_and_dutch(school: School) -> None:
    digest = await _digest(school)
    en = as_markdown(digest_document(digest, "en")).replace("\\", "")
    assert "9 of 16 staff (56%) talked about a PLG this week, up from 38% last week." in en
    assert "- teacher: 5 of 9 (56%)" in en
    assert "- other roles: 4 of 7 (57%)" in en
    assert "- Talen: 3 of 5 (60%)" in en
    assert "- other departments: 3 of 5 (60%)" in en
    assert "Bèta" not in en, "a department of 3 is never shown apart"
    assert "New ties this week: 5 pairs of colleagues" in en
    # Last week's base is 3 ties: counts, not "0%".
    assert (
        "Reciprocity: 2 of 8 ties (25%) went both ways in the last 12 weeks, up from 0 of 3"
        " last week." in en
    )
    assert (
        "1. Wilma Aalbers: sender, 4 colleagues (1 both ways); +3 colleagues since last week" in en
    )
    assert "2. Corinne Olsthoorn: receiver, 2 colleagues (0 both ways); no. 3 last week, +1" in en
    assert "3. Tamara Assink: sender, 2 colleagues (0 both ways); new this week" in en
    assert "1 of last week's key figures are no longer among them." in en
    # Eight type mentions: too few for percentages ("50% results" would rest on 4).
    assert (
        "Knowledge types were shared 8 times this week (too few for percentages): results 4,"
        " focus 1, process 1, benefits 1, organisation 1." in en
    )
    assert "Share of results: 4 of 8 this week, 2 of 4 over the 7 weeks before." in en
    assert "Datateam havo-3: “Wat werkt bij jou?”, 2 replies (anonymous)" in en
    assert "3 replies from 2 colleagues" in en
    assert "1 tip sent this week; 1 followed up" in en

    nl = as_markdown(digest_document(digest, "nl")).replace("\\", "")
    assert "9 van de 16 medewerkers (56%) spraken deze week over een PLG" in nl
    assert "meer dan vorige week (38%)." in nl
    assert "Wederkerigheid: 2 van de 8 contacten (25%)" in nl
    assert "nieuw deze week" in nl
    assert "resultaten 4, focus 1, aanpak 1, meerwaarde 1, organisatie 1." in nl
    assert "week 2026-W47 (16-11-2026 t/m 22-11-2026)" in nl


async def test_stored_history_for_the_dashboard_and_erasure(school: School) -> None:
    async with school.db.session() as session:
        for week in (WEEK.shifted(-1), WEEK):
            await store_digest(
                session, await compute(session, school.school_id, week, now=NOW), now=NOW
            )
    async with school.db.session() as session:
        weeks = await history.history(session, school.school_id)
        figures = await history.key_figures_of_week(session, school.school_id, str(WEEK))
    assert [w.week for w in weeks] == ["2026-W46", "2026-W47"]
    assert [(w.staff, w.active, w.new_ties, w.ties, w.reciprocal_ties) for w in weeks] == [
        (16, 6, 2, 3, 0),  # W46: ta-tb and we-co are new, wa-wb is not
        (16, 9, 5, 8, 2),
    ]
    assert weeks[1].knowledge == (1, 1, 4, 1, 1)
    assert (weeks[1].nudges_sent, weeks[1].nudges_followed) == (1, 1)
    assert [(k.rank, k.person_id, k.profile) for k in figures] == [
        (1, school.ids["wa"], "sender"),
        (2, school.ids["co"], "receiver"),
        (3, school.ids["ta"], "sender"),
    ]
    # Recomputing a week replaces it; erasing a person removes them from history.
    async with school.db.session() as session:
        await store_digest(
            session, await compute(session, school.school_id, WEEK, now=NOW), now=NOW
        )
        await history.forget_person(session, school.ids["co"])
    async with school.db.session() as session:
        assert len(await history.history(session, school.school_id)) == 2
        figures = await history.key_figures_of_week(session, school.school_id, str(WEEK))
    assert [k.person_id for k in figures] == [school.ids["wa"], school.ids["ta"]]


async def test_a_week_still_running_counts_up_to_now_and_a_future_week_is_refused(
    school: School,
) -> None:
    async with school.db.session() as session:
        wednesday = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # before the W47 edges
        running = await compute(session, school.school_id, WEEK, now=wednesday)
        assert (running.active, running.until) == (0, wednesday)
        with pytest.raises(WeekNotStartedError):
            await compute(session, school.school_id, WEEK.shifted(2), now=NOW)


def test_small_groups_merge_until_the_merged_group_is_large_enough() -> None:
    groups = [GroupShare("a", 9, 1), GroupShare("b", 5, 2), GroupShare("c", 2, 1)]
    # "c" alone would be a group of 2: the smallest shown group joins it.
    assert merge_small(groups) == (GroupShare("a", 9, 1), GroupShare(None, 7, 3))
    # Nothing small: no merged group; a single group would only repeat the total.
    assert merge_small([GroupShare("a", 9, 1), GroupShare("b", 5, 2)]) == (
        GroupShare("a", 9, 1),
        GroupShare("b", 5, 2),
    )
    assert merge_small([GroupShare("a", 9, 1), GroupShare("c", 2, 1)]) == ()
    assert merge_small([GroupShare(None, 6, 1), GroupShare("a", 5, 2)]) == (
        GroupShare("a", 5, 2),
        GroupShare(None, 6, 1),
    )


def test_iso_weeks() -> None:
    assert str(IsoWeek.parse("2026-W47")) == "2026-W47"
    assert IsoWeek.parse("2026w5") == IsoWeek(2026, 5)
    assert IsoWeek(2026, 1).shifted(-1) == IsoWeek(2025, 52)
    assert IsoWeek(2026, 53).monday.isoformat() == "2026-12-28"  # 2026 has a week 53
    for bad in ("2026-47", "W47", "2025-W53", "2026-W00", "next week"):
        with pytest.raises(ValueError, match="ISO week"):
            IsoWeek.parse(bad)
