"""Nudges and the network survey on Teams, end to end: the weekly and monthly jobs send
private cards through the real TeamsMessenger (opening personal chats where needed),
people press the cards' buttons, and what they answer is stored.

The server's clock starts on Saturday 2026-11-21 13:00 in Amsterdam: nudges go out on
Monday 23 November at 09:00, the survey on Monday 7 December at 09:30."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from scheduler.nudges import NudgeJobs
from scheduler.surveys import SurveyJobs
from storage import directory
from storage import nudges as nudge_store
from storage.models import Nudge, Person, SurveyInvite
from tests.helpers import edges
from tests.teams.conftest import ANOUK, BRAM, CHANTAL, DIRK, TENANT, Teams
from tests.teams.fake_connector import Call, Member
from tests.teams.scenario import (
    Ids,
    inputs,
    messengers,
    move_to,
    personal_chat,
    said,
    submits,
    submitted,
    team_with_channels,
)

EVA = Member("29:1eva", "Eva Smit", "aaaa0005-0000-4000-8000-000000000005")
FLEUR = Member("29:1fleur", "Fleur Kok", "aaaa0006-0000-4000-8000-000000000006")
NUDGES_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SURVEY_AT = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
WEEK = timedelta(days=7)


def mention(person: Member) -> str:
    return f"<at>{person.name}</at>"


async def school_id(teams: Teams) -> str:
    async with teams.db.session() as session:
        school = await directory.find_school(session, TENANT)
        assert school is not None
        return str(school.id)


async def key_figures(teams: Teams, ids: Ids) -> None:
    """As in the console's nudge tests: Dirk told four colleagues results, and only
    results (a key figure who gets a tip); Anouk talked focus, process and benefits
    through with Bram and Chantal (key figures who need none); Eva, results only, is no
    key figure."""
    await team_with_channels(teams, ids)
    lines: list[tuple[Member, str, list[Member]]] = [
        (ANOUK, "language en", []),
        (ANOUK, "plg new Datateam havo-3 focus Many havo-3 pupils repeat the year", []),
        (
            ANOUK,
            f"discussed {mention(BRAM)} {mention(CHANTAL)} what we look into, how, and what "
            "it brings #focus #process #benefits",
            [BRAM, CHANTAL],
        ),
        (DIRK, "language en", []),
        (DIRK, "plg join Datateam havo-3", []),
        (
            DIRK,
            f"told {mention(BRAM)} {mention(CHANTAL)} {mention(EVA)} {mention(FLEUR)} pupils "
            "who missed homework scored 1.2 lower #results",
            [BRAM, CHANTAL, EVA, FLEUR],
        ),
        (EVA, "language en", []),
        (EVA, f"told {mention(FLEUR)} the results are in #results", [FLEUR]),
    ]
    for author, line, people in lines:
        response = await teams.post(said(line, author=author, activity_id=ids(), mentions=people))
        assert response.status_code == 200, response.text
    teams.connector.clear()


async def nudges(teams: Teams) -> list[tuple[str, str | None, bool]]:
    async with teams.db.session() as session:
        rows = await session.execute(
            select(Person.platform_user_id, Nudge.answer, Nudge.followed_at)
            .join(Person, Person.id == Nudge.person_id)
            .order_by(Nudge.sent_at)
        )
        return [(who, answer, followed is not None) for who, answer, followed in rows]


def tips(teams: Teams) -> list[Call]:
    return [c for c in teams.connector.sent if "A TIP FOR SHARING" in c.card_text.upper()]


def press(call: Call, n: int, author: Member, ids: Ids, **inputs_: str) -> dict[str, Any]:
    """``author`` presses the ``n``th button of the card ``call`` sent to them."""
    data = submits(call.card)[n]["data"] | inputs_
    assert call.response_id
    return submitted(data, author=author, activity_id=ids(), card_id=call.response_id)


async def test_a_key_figure_gets_one_tip_a_week_and_sharing_it_is_counted(teams: Teams) -> None:
    ids = Ids()
    await key_figures(teams, ids)
    bot, registered = messengers(teams)
    jobs = NudgeJobs(bot, registered)
    school = await school_id(teams)

    await jobs.run_due(school, move_to(teams, NUDGES_AT))
    [tip] = tips(teams)
    assert tip.conversation_id == personal_chat(DIRK)
    assert "In the last 4 weeks you shared results of Datateam havo-3" in tip.card_text
    buttons = submits(tip.card)
    assert [b["title"] for b in buttons] == [
        "Shared it",
        "Remind me next week",
        "Stop these nudges",
    ]
    assert [b["data"]["action"] for b in buttons] == ["nudge.shared", "nudge.later", "nudge.stop"]
    assert await nudges(teams) == [("29:1dirk", None, False)]

    # The job runs again that week (a restart, a second scheduler): no second tip.
    teams.connector.clear()
    await jobs.run_due(school, move_to(teams, NUDGES_AT + timedelta(hours=2)))
    assert tips(teams) == []

    assert (await teams.post(press(tip, 0, DIRK, ids))).status_code == 200
    [thanks] = teams.connector.sent
    assert "Thanks for passing it on!" in thanks.card_text
    # Someone else pressing Dirk's button changes nothing.
    assert (await teams.post(press(tip, 1, ANOUK, ids))).status_code == 200
    assert "That tip is no longer open." in teams.connector.sent[-1].card_text
    assert await nudges(teams) == [("29:1dirk", "shared", False)]

    # Dirk shares the process within two weeks: the tip was followed.
    process = f"told {mention(FLEUR)} we go step by step, first the data #process"
    told = said(process, author=DIRK, activity_id=ids(), mentions=[FLEUR], at=teams.clock.now())
    await teams.post(told)
    teams.connector.clear()
    await jobs.run_due(school, move_to(teams, NUDGES_AT + WEEK))
    assert tips(teams) == [], "no tip for weeks after 'shared it'"
    assert await nudges(teams) == [("29:1dirk", "shared", True)]
    async with teams.db.session() as session:
        stats = await nudge_store.nudge_stats(
            session, school_id=int(school), since=NUDGES_AT, until=NUDGES_AT + 2 * WEEK
        )
    assert (stats.sent, stats.followed) == (1, 1)


async def test_remind_me_next_week_and_stop_these_nudges(teams: Teams) -> None:
    ids = Ids()
    await key_figures(teams, ids)
    bot, registered = messengers(teams)
    jobs = NudgeJobs(bot, registered)
    school = await school_id(teams)

    await jobs.run_due(school, move_to(teams, NUDGES_AT))
    [tip] = tips(teams)
    await teams.post(press(tip, 1, DIRK, ids))
    assert "Fine, I'll remind you next week." in teams.connector.sent[-1].card_text
    teams.connector.clear()

    await jobs.run_due(school, move_to(teams, NUDGES_AT + WEEK))
    [again] = tips(teams)
    assert again.conversation_id == personal_chat(DIRK)
    await teams.post(press(again, 2, DIRK, ids))
    assert "No more tips from me." in teams.connector.sent[-1].card_text
    teams.connector.clear()

    await jobs.run_due(school, move_to(teams, NUDGES_AT + 2 * WEEK))
    assert tips(teams) == []
    assert [answer for _, answer, _ in await nudges(teams)] == ["later", None]
    teams.connector.clear()
    await teams.post(said("tips on", author=DIRK, activity_id=ids()))
    assert "Tips are back on" in teams.connector.sent[0].card_text
    await jobs.run_due(school, move_to(teams, NUDGES_AT + 3 * WEEK))
    assert len(tips(teams)) == 1
    await teams.post(said("stop tips", author=DIRK, activity_id=ids()))
    async with teams.db.session() as session:
        dirk = await directory.person_by_platform_id(
            session, platform="teams", tenant_id=TENANT, platform_user_id=DIRK.id
        )
        assert dirk is not None
        assert await nudge_store.is_stopped(session, dirk.id)


async def staff_who_speak_english(teams: Teams, ids: Ids) -> None:
    await team_with_channels(teams, ids)
    for person in (ANOUK, BRAM, CHANTAL):
        await teams.post(said("language en", author=person, activity_id=ids()))
    # Dirk never wrote to plgbot: it knows him because Anouk told him about her PLG.
    told = said(
        f"told {mention(DIRK)} about our focus", author=ANOUK, activity_id=ids(), mentions=[DIRK]
    )
    await teams.post(told)
    teams.connector.clear()


async def survey_edges(teams: Teams) -> list[tuple[str, str, str, int]]:
    return sorted(e for e in await edges(teams.db) if e[2] == "survey")


def invitation(teams: Teams, person: Member) -> Call:
    [sent] = [
        c
        for c in teams.connector.sent_to(personal_chat(person))
        if "NETWORK SURVEY" in c.card_text.upper()
    ]
    return sent


async def invites(teams: Teams) -> dict[str, tuple[bool, bool, bool]]:
    """Per person: (answered, skipped, reminded)."""
    async with teams.db.session() as session:
        rows = await session.execute(
            select(Person.platform_user_id, SurveyInvite).join(
                Person, Person.id == SurveyInvite.person_id
            )
        )
        return {
            who: (i.answered_at is not None, i.skipped_at is not None, i.reminded_at is not None)
            for who, i in rows
        }


async def test_the_survey_picks_colleagues_from_the_team_roster_then_asks_who_shared(
    teams: Teams,
) -> None:
    ids = Ids()
    await staff_who_speak_english(teams, ids)
    bot, registered = messengers(teams)
    await SurveyJobs(bot, registered).run_due(await school_id(teams), move_to(teams, SURVEY_AT))

    card = invitation(teams, BRAM)
    assert "With whom did you talk about the PLG this month?" in card.card_text
    picker = inputs(card.card)["people"]
    assert picker["type"] == "Input.ChoiceSet" and picker["isMultiSelect"] is True
    # The team's roster (read from the connector once for everyone), not Bram himself.
    assert [c["title"] for c in picker["choices"]] == [
        "Anouk de Vries",
        "Chantal Bakker",
        "Dirk Visser",
    ]
    roster_reads = [c for c in teams.connector.calls if c.kind == "members"]
    assert [c.path for c in roster_reads] == [
        "/v3/conversations/19:staff@thread.tacv2/pagedmembers"
    ]
    # Dirk never wrote to plgbot: a chat was opened for his survey (in Dutch, the
    # school's language, as he chose none).
    [to_dirk] = teams.connector.sent_to(teams.connector.chat_opened_with(DIRK.id))
    assert "NETWERKVRAGENLIJST" in to_dirk.card_text.upper()
    pick, skip = submits(card.card)
    assert (pick["data"]["action"], skip["data"]["action"]) == ("survey.pick", "survey.skip")
    teams.connector.clear()

    picked = press(card, 0, BRAM, ids, people="29:1anouk,29:1dirk")
    assert (await teams.post(picked)).status_code == 200
    thanks, to_anouk, to_dirk = teams.connector.sent
    assert "Thanks! Noted: Anouk de Vries and Dirk Visser." in thanks.card_text
    assert "You and Anouk de Vries: who shared with whom?" in to_anouk.card_text
    assert [b["title"] for b in submits(to_anouk.card)] == ["I shared", "Anouk shared", "Both"]
    assert await survey_edges(teams) == [
        ("29:1anouk", "29:1bram", "survey", 0),
        ("29:1bram", "29:1anouk", "survey", 0),
        ("29:1bram", "29:1dirk", "survey", 0),
        ("29:1dirk", "29:1bram", "survey", 0),
    ]

    await teams.post(press(to_anouk, 0, BRAM, ids))  # I shared
    await teams.post(press(to_dirk, 1, BRAM, ids))  # Dirk shared
    assert "Noted: you shared with Anouk de Vries." in teams.connector.sent[-2].card_text
    assert await survey_edges(teams) == [
        ("29:1bram", "29:1anouk", "survey", 0),
        ("29:1dirk", "29:1bram", "survey", 0),
    ]
    assert (await invites(teams))["29:1bram"] == (True, False, False)


async def test_skip_picking_yourself_and_one_reminder(teams: Teams) -> None:
    ids = Ids()
    await staff_who_speak_english(teams, ids)
    bot, registered = messengers(teams)
    jobs = SurveyJobs(bot, registered)
    school = await school_id(teams)
    await jobs.run_due(school, move_to(teams, SURVEY_AT))
    cards = {p.id: invitation(teams, p) for p in (ANOUK, BRAM, CHANTAL)}
    dirk_chat = teams.connector.chat_opened_with(DIRK.id)
    teams.connector.clear()

    # A stale or forged card with Bram himself on it: refused, nothing stored.
    await teams.post(press(cards[BRAM.id], 0, BRAM, ids, people="29:1bram,29:1anouk"))
    [refused] = teams.connector.sent
    assert "You picked yourself: pick only colleagues. Nothing was saved" in refused.card_text
    assert await survey_edges(teams) == []
    await teams.post(press(cards[BRAM.id], 0, BRAM, ids, people="29:1anouk"))
    await teams.post(press(cards[CHANTAL.id], 1, CHANTAL, ids))
    assert "Skipped for this month. See you next time!" in teams.connector.sent[-1].card_text
    teams.connector.clear()

    await jobs.run_due(school, move_to(teams, SURVEY_AT + WEEK))
    reminded = {c.conversation_id for c in teams.connector.sent}
    assert reminded == {personal_chat(ANOUK), dirk_chat}
    assert "A reminder, in case it slipped by" in invitation(teams, ANOUK).card_text
    teams.connector.clear()
    await jobs.run_due(school, move_to(teams, SURVEY_AT + 2 * WEEK))
    assert teams.connector.sent == [], "one reminder at most"
    assert await invites(teams) == {
        "29:1anouk": (False, False, True),
        "29:1bram": (True, False, False),
        "29:1chantal": (False, True, False),
        "29:1dirk": (False, False, True),
    }
