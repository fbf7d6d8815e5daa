"""Nothing cut on Teams: an agenda of 200 replies is more than one Teams message holds.
Through the real botbuilder stack, its first card goes where the agenda belongs and the
rest follow in that post's thread (in a personal chat, one after the other), every
reply shown once and every message within Teams' size."""

from __future__ import annotations

import json

from adapters.teams.attachments import MAX_MESSAGE_BYTES
from scheduler.rounds import RoundJobs
from tests.rounds.harness import long_reply_numbers, many_replies
from tests.teams.conftest import ANOUK, Teams
from tests.teams.fake_connector import Call
from tests.teams.scenario import DATATEAM, Ids, messengers, move_to, personal_chat, said
from tests.teams.test_round_scenarios import (
    CLOSES_AT,
    POSTS_AT,
    QUESTION,
    create_round,
    school_with_a_plg,
)

REPLIES = 200


def assert_whole(calls: list[Call]) -> None:
    assert len(calls) > 1, "more than one message"
    for call in calls:
        assert len(json.dumps(call.body, separators=(",", ":")).encode()) <= MAX_MESSAGE_BYTES
    shown = "\n".join(c.card_text for c in calls)
    assert sorted(long_reply_numbers(shown)) == list(range(1, REPLIES + 1)), "each, once"
    assert "…" not in shown


async def test_a_200_reply_agenda_goes_on_in_the_thread_of_its_first_card(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    bot, registered = messengers(teams)
    jobs = RoundJobs(bot, registered)
    await jobs.run_due("1", move_to(teams, POSTS_AT))
    await many_replies(teams.db, REPLIES, at=POSTS_AT, sentences=2)
    teams.connector.clear()

    await jobs.run_due("1", move_to(teams, CLOSES_AT))
    first, *rest = teams.connector.sent_to(DATATEAM)
    assert first.reply_to_id is None and first.response_id
    in_thread = teams.connector.sent_to(f"{DATATEAM};messageid={first.response_id}")
    assert not rest and in_thread
    assert first.card_text.upper().startswith("AGENDA PLG-BIJEENKOMST DATATEAM HAVO-3")
    assert_whole([first, *in_thread])
    # Anouk reads English: her copy, in her personal chat.
    to_lead = teams.connector.sent_to(personal_chat(ANOUK))
    assert to_lead[0].card_text.startswith("Meeting agenda Datateam havo-3")
    assert QUESTION in to_lead[0].card_text
    assert_whole(to_lead)


async def test_a_long_agenda_asked_for_in_chat_comes_whole(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    bot, registered = messengers(teams)
    await RoundJobs(bot, registered).run_due("1", move_to(teams, POSTS_AT))
    await many_replies(teams.db, REPLIES, at=POSTS_AT, sentences=2)
    teams.connector.clear()

    # Anouk chose English; the command may be written in either language.
    asked = await teams.post(said("ronde agenda 1", author=ANOUK, activity_id=ids()))
    assert asked.status_code == 200
    answer = teams.connector.sent_to(personal_chat(ANOUK))
    assert answer[0].card_text.startswith("Meeting agenda Datateam havo-3")
    assert_whole(answer)
