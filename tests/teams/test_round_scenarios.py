"""Question rounds on Teams, end to end through the real botbuilder stack: a lead
creates a round with the Adaptive Card (refusals come back on the card, under their
field), the scheduler posts it as a card with a reply field, colleagues answer in the
thread, on the card and by command, edit and withdraw, the halfway nudge lands in the
thread, and the closing posts the agenda to the PLG channel and to the lead.

The server's clock starts on Saturday 2026-11-21 13:00 in Amsterdam."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from scheduler.rounds import RoundJobs
from storage.models import QuestionRound, RoundReply
from tests.helpers import edges
from tests.teams.conftest import ANOUK, BRAM, CHANTAL, DIRK, Teams
from tests.teams.scenario import (
    DATATEAM,
    STAFFROOM,
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

QUESTION = "Relatively many havo-3 pupils repeat the year. What could be causes?"
# Monday 08:00, Wednesday 12:30 (halfway), Friday 17:00 in Amsterdam.
POSTS_AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
HALFWAY_AT = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
CLOSES_AT = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


async def school_with_a_plg(teams: Teams, ids: Ids) -> None:
    """Anouk leads Datateam havo-3, linked to its channel, meeting on 3 December."""
    await team_with_channels(teams, ids)
    for line in (
        "language en",
        "plg new Datateam havo-3 focus Many havo-3 pupils repeat the year",
        "plg meeting Datateam havo-3 2026-12-03",
    ):
        assert (await teams.post(said(line, author=ANOUK, activity_id=ids()))).status_code == 200
    link = said("plg link Datateam havo-3", author=ANOUK, activity_id=ids(), channel=DATATEAM)
    assert (await teams.post(link)).status_code == 200
    for person in (BRAM, CHANTAL):
        await teams.post(said("language en", author=person, activity_id=ids()))
    teams.connector.clear()


async def ask_for_the_form(teams: Teams, ids: Ids, text_: str = "round form") -> dict[str, Any]:
    response = await teams.post(said(text_, author=ANOUK, activity_id=ids()))
    assert response.status_code == 200, response.text
    [sent] = teams.connector.sent_to(personal_chat(ANOUK))
    teams.connector.clear()
    assert sent.response_id
    return {"id": sent.response_id, "card": sent.card}


def form_values(card: dict[str, Any], **changes: str) -> dict[str, Any]:
    """What Teams sends when the lead presses Schedule: every input's value (as the
    card shows it) with ``changes`` made, and the submit's data."""
    values: dict[str, Any] = {
        key: str(field.get("value", "")) for key, field in inputs(card).items()
    }
    [submit] = submits(card)
    data: dict[str, Any] = submit["data"]
    return values | changes | data


async def test_a_lead_creates_a_round_with_the_card_and_fixes_a_refused_field(
    teams: Teams,
) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    # A channel message names only the channel's id: the card asks Teams for names.
    teams.connector.channels = {STAFFROOM: "Staff room", DATATEAM: "Datateam havo-3"}
    form = await ask_for_the_form(teams, ids)
    card = form["card"]
    fields = inputs(card)
    assert fields["plg"]["choices"] == [{"title": "Datateam havo-3", "value": "Datateam havo-3"}]
    assert fields["question"]["isMultiline"] is True
    assert fields["question"]["maxLength"] == 500
    channels = {c["title"]: c["value"] for c in fields["channels"]["choices"]}
    assert channels == {"#Staff room": STAFFROOM, "#Datateam havo-3": DATATEAM}
    assert fields["channels"]["isMultiSelect"] is True
    assert [c["value"] for c in fields["schedule"]["choices"]] == [
        "now",
        "once",
        "weekly",
        "fortnightly",
    ]
    assert fields["weekday"]["choices"][0] == {"title": "Monday", "value": "mon"}
    assert fields["date"]["type"] == "Input.Date" and fields["time"]["type"] == "Input.Time"
    assert fields["closes_date"]["type"] == "Input.Date"
    assert fields["anonymous"]["type"] == "Input.Toggle"

    # Scheduled without a channel: the card comes back in place, as it was filled in,
    # with the core's message right under the channels.
    refused = form_values(card, question=QUESTION, schedule="once", date="2026-11-23")
    submit = submitted(refused, author=ANOUK, activity_id=ids(), card_id=form["id"])
    assert (await teams.post(submit)).status_code == 200
    [update] = teams.connector.updated
    assert update.conversation_id == personal_chat(ANOUK)
    assert update.reply_to_id == form["id"]
    assert teams.connector.sent == []
    again = update.card
    assert inputs(again)["question"]["value"] == QUESTION
    assert inputs(again)["schedule"]["value"] == "once"
    assert inputs(again)["date"]["value"] == "2026-11-23"
    ids_in_order = [e.get("id") for e in again["body"]]
    warning = again["body"][ids_in_order.index("channels") + 1]
    assert warning["inlines"][0]["color"] == "Attention"
    assert "Choose at least one channel" in warning["inlines"][0]["text"]
    async with teams.db.session() as session:
        assert (await session.scalars(select(QuestionRound))).all() == []
    teams.connector.clear()

    # Fixed: scheduled, and the card becomes the confirmation (no second submit).
    fixed = refused | {
        "channels": f"{STAFFROOM}",
        "closes_date": "2026-11-27",
        "closes_time": "17:00",
    }
    submit = submitted(fixed, author=ANOUK, activity_id=ids(), card_id=form["id"])
    assert (await teams.post(submit)).status_code == 200
    [update] = teams.connector.updated
    assert "Round 1 for Datateam havo-3 is scheduled" in update.card_text
    assert "Replies close: Friday 2026-11-27 at 17:00." in update.card_text
    # Teams delivers the same submit again: nothing new.
    assert (await teams.post(submit)).status_code == 200
    assert len(teams.connector.updated) == 1 and teams.connector.sent == []
    async with teams.db.session() as session:
        [stored] = (await session.scalars(select(QuestionRound))).all()
    assert (stored.question, stored.anonymous, stored.channel_ids) == (
        QUESTION,
        False,
        stored.channel_ids,
    )
    print(stored.recurrence, stored.channel_ids)


def once_round(card: dict[str, Any], **changes: str) -> dict[str, Any]:
    """The card's values for round 1: once, Monday 08:00 in #staffroom, closing Friday 17:00."""
    once = {
        "question": QUESTION,
        "channels": STAFFROOM,
        "schedule": "once",
        "date": "2026-11-23",
        "closes_date": "2026-11-27",
        "closes_time": "17:00",
    }
    return form_values(card, **(once | changes))


async def create_round(teams: Teams, ids: Ids, **changes: str) -> None:
    """Round 1: once, Monday 08:00 in #staffroom, closing Friday 17:00."""
    form = await ask_for_the_form(teams, ids)
    values = once_round(form["card"], **changes)
    submit = submitted(values, author=ANOUK, activity_id=ids(), card_id=form["id"])
    assert (await teams.post(submit)).status_code == 200
    assert "is scheduled" in teams.connector.updated[0].card_text
    teams.connector.clear()


async def replies(teams: Teams) -> list[tuple[int | None, str]]:
    async with teams.db.session() as session:
        rows = await session.scalars(select(RoundReply).order_by(RoundReply.id))
        return [(r.author_id, r.text) for r in rows]


async def test_a_round_is_posted_answered_three_ways_nudged_and_closed_into_the_agenda(
    teams: Teams,
) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    bot, registered = messengers(teams)
    jobs = RoundJobs(bot, registered)

    await jobs.run_due("1", move_to(teams, POSTS_AT))
    [post] = teams.connector.sent
    assert post.conversation_id == STAFFROOM and post.reply_to_id is None
    assert QUESTION in post.card_text
    reply_field = inputs(post.card)["text"]
    assert reply_field["type"] == "Input.Text" and reply_field["isMultiline"] is True
    [reply_button] = submits(post.card)
    assert reply_button["data"]["action"] == "round.reply"
    post_id = post.response_id
    assert post_id
    teams.connector.clear()

    # In the thread (Teams delivers it because it mentions plgbot).
    thread_reply = said(
        "I think homework is often missed.",
        author=BRAM,
        activity_id=ids(),
        channel=STAFFROOM,
        thread=post_id,
    )
    assert (await teams.post(thread_reply)).status_code == 200
    # With the card's reply field.
    on_card = reply_button["data"] | {"text": "Homework is rarely checked."}
    press = submitted(
        on_card, author=CHANTAL, activity_id=ids(), card_id=post_id, channel=STAFFROOM
    )
    assert (await teams.post(press)).status_code == 200
    # By command, in the channel.
    command = said(
        "answer 1 The step from havo-2 to havo-3 is big: more homework and less guidance.",
        author=DIRK,
        activity_id=ids(),
        channel=STAFFROOM,
    )
    assert (await teams.post(command)).status_code == 200
    confirmations = {c.conversation_id: c.card_text for c in teams.connector.sent}
    assert "Your reply to round 1 is in" in confirmations[personal_chat(BRAM)]
    assert "Your reply to round 1 is in" in confirmations[personal_chat(CHANTAL)]
    assert "Your reply to round 1 is in" in confirmations[teams.connector.chat_opened_with(DIRK.id)]
    assert not teams.connector.sent_to(STAFFROOM), "confirmations are private"
    teams.connector.clear()

    # Edited and withdrawn by their authors, in their personal chats.
    edit = "answer 1 edit Homework is rarely checked in havo-3. Do we know which steps pupils skip?"
    await teams.post(said(edit, author=CHANTAL, activity_id=ids()))
    await teams.post(said("answer 1 withdraw", author=BRAM, activity_id=ids()))
    texts = {c.conversation_id: c.card_text for c in teams.connector.sent}
    assert "Your reply to round 1 is changed." in texts[personal_chat(CHANTAL)]
    assert "Your reply to round 1 is withdrawn." in texts[personal_chat(BRAM)]
    assert [text for _, text in await replies(teams)] == [
        "Homework is rarely checked in havo-3. Do we know which steps pupils skip?",
        "The step from havo-2 to havo-3 is big: more homework and less guidance.",
    ]
    teams.connector.clear()

    await jobs.run_due("1", move_to(teams, HALFWAY_AT))
    [nudge] = teams.connector.sent
    assert nudge.conversation_id == f"{STAFFROOM};messageid={post_id}"
    assert "Halverwege: 2 collega's" in nudge.card_text
    for name in ("Anouk", "Bram", "Chantal", "Dirk"):
        assert name not in nudge.card_text
    teams.connector.clear()

    await jobs.run_due("1", move_to(teams, CLOSES_AT))
    in_channel = "\n".join(c.card_text for c in teams.connector.sent_to(DATATEAM))
    to_lead = "\n".join(c.card_text for c in teams.connector.sent_to(personal_chat(ANOUK)))
    assert "AGENDA PLG-BIJEENKOMST DATATEAM HAVO-3" in in_channel.upper()
    assert "Meeting agenda Datateam havo-3" in to_lead
    assert f"Question\n{QUESTION}" in to_lead
    assert "Replies\n2 (colleagues: 2)" in to_lead
    assert (
        "• 1. Homework is rarely checked in havo-3. Do we know which steps pupils skip?"
        " — Chantal Bakker"
    ) in to_lead
    assert "— Dirk Visser" in to_lead
    assert "Questions to follow up\n• Do we know which steps pupils skip?" in to_lead
    assert "Bram" not in to_lead, "a withdrawn reply is not on the agenda"
    assert sorted((s, t, o) for s, t, o, _ in await edges(teams.db)) == [
        ("29:1chantal", "29:1anouk", "round_reply"),
        ("29:1dirk", "29:1anouk", "round_reply"),
    ]


async def test_an_anonymous_round_made_on_the_card_stores_no_author(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids, anonymous="true")
    bot, registered = messengers(teams)
    await RoundJobs(bot, registered).run_due("1", move_to(teams, POSTS_AT))
    [post] = teams.connector.sent
    assert "Antwoorden zijn anoniem" in post.card_text
    [reply_button] = submits(post.card)
    teams.connector.clear()

    on_card = reply_button["data"] | {"text": "Homework is rarely checked."}
    assert post.response_id
    press = submitted(
        on_card, author=CHANTAL, activity_id=ids(), card_id=post.response_id, channel=STAFFROOM
    )
    assert (await teams.post(press)).status_code == 200
    # A thread reply that does not mention plgbot (the team granted it the channel's
    # messages) is a reply all the same.
    thread = said(
        "Motivation drops after the first tests.",
        author=BRAM,
        activity_id=ids(),
        channel=STAFFROOM,
        thread=post.response_id,
        mention_bot=False,
    )
    assert (await teams.post(thread)).status_code == 200

    assert await replies(teams) == [
        (None, "Homework is rarely checked."),
        (None, "Motivation drops after the first tests."),
    ]
    assert await edges(teams.db) == []
    to_bram = teams.connector.sent_to(personal_chat(BRAM))[0].card_text
    assert "a reply in the thread shows your name to everyone in the channel" in to_bram
    # The code shown only to Chantal lets her change her reply; nobody else can.
    to_chantal = teams.connector.sent_to(personal_chat(CHANTAL))[0].card_text
    code = to_chantal.split("answer 1 edit ")[1].split(" ")[0]
    teams.connector.clear()
    edit = f"answer 1 edit {code} Homework is rarely checked in havo-3."
    await teams.post(said(edit, author=CHANTAL, activity_id=ids()))
    assert "Your reply to round 1 is changed." in teams.connector.sent[0].card_text
    assert (None, "Homework is rarely checked in havo-3.") in await replies(teams)


async def test_only_a_lead_gets_the_form_and_a_forged_submit_is_refused(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await teams.post(said("ronde formulier", author=BRAM, activity_id=ids(), locale="nl-NL"))
    [refusal] = teams.connector.sent
    assert "Only PLG leads can schedule question rounds" in refusal.card_text  # Bram: en
    assert not inputs(refusal.card)
    teams.connector.clear()

    form = await ask_for_the_form(teams, ids)
    values = form_values(form["card"], question=QUESTION, channels=STAFFROOM, schedule="now")
    forged = submitted(values, author=BRAM, activity_id=ids(), card_id=form["id"])
    assert (await teams.post(forged)).status_code == 200
    [answer] = teams.connector.sent
    assert answer.conversation_id == personal_chat(BRAM)
    assert "Only a lead of Datateam havo-3" in answer.card_text
    async with teams.db.session() as session:
        assert (await session.scalars(select(QuestionRound))).all() == []


async def test_the_edit_card_shows_the_round_and_saves_only_changes(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    await teams.post(said("round form 1", author=BRAM, activity_id=ids()))
    assert "Only a lead of Datateam havo-3 can do that" in teams.connector.sent[0].card_text
    assert not inputs(teams.connector.sent[0].card), "Bram leads no round: no card"
    teams.connector.clear()

    form = await ask_for_the_form(teams, ids, "round form 1")
    card = form["card"]
    assert "Edit round 1" in card["body"][0]["inlines"][0]["text"]
    fields = inputs(card)
    assert fields["question"]["value"] == QUESTION
    assert fields["channels"]["value"] == STAFFROOM
    assert (fields["date"]["value"], fields["time"]["value"]) == ("2026-11-23", "08:00")
    assert (fields["closes_date"]["value"], fields["closes_time"]["value"]) == (
        "2026-11-27",
        "17:00",
    )
    [save] = submits(card)
    assert save["data"] == {"plgbot": "round_form", "round": "1"}

    # A closing before the posting is refused under the closing fields.
    early = form_values(card, closes_date="2026-11-22")
    submit = submitted(early, author=ANOUK, activity_id=ids(), card_id=form["id"])
    await teams.post(submit)
    [update] = teams.connector.updated
    ids_in_order = [e.get("id") for e in update.card["body"]]
    warning = update.card["body"][ids_in_order.index("closes_time") + 1]
    assert warning["inlines"][0]["color"] == "Attention"
    teams.connector.clear()

    changed = form_values(card, question="What could be causes, in your classes?")
    submit = submitted(changed, author=ANOUK, activity_id=ids(), card_id=form["id"])
    await teams.post(submit)
    [update] = teams.connector.updated
    async with teams.db.session() as session:
        [stored] = (await session.scalars(select(QuestionRound))).all()
    assert stored.question == "What could be causes, in your classes?"
    assert "round 1" in update.card_text.lower()


async def status(teams: Teams) -> str:
    async with teams.db.session() as session:
        [stored] = (await session.scalars(select(QuestionRound))).all()
        return stored.status


async def test_leads_manage_their_rounds_by_command_and_others_are_refused(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    for command in ("round pause 1", "round cancel 1", "round edit 1 | Another question?"):
        await teams.post(said(command, author=BRAM, activity_id=ids(), channel=STAFFROOM))
        [refusal] = teams.connector.sent
        assert refusal.conversation_id == personal_chat(BRAM)
        assert "Only a lead of Datateam havo-3 can do that" in refusal.card_text
        teams.connector.clear()
    assert await status(teams) == "scheduled"

    await teams.post(said("round list", author=ANOUK, activity_id=ids()))
    assert QUESTION[:40] in teams.connector.sent[-1].card_text
    for command, expected in (
        ("round pause 1", "paused"),
        ("round resume 1", "scheduled"),
        ("round cancel 1", "cancelled"),
    ):
        await teams.post(said(command, author=ANOUK, activity_id=ids()))
        assert await status(teams) == expected, command


async def test_a_card_teams_will_not_update_is_answered_with_a_new_one(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    form = await ask_for_the_form(teams, ids)
    teams.connector.refuse_updates = True
    values = form_values(form["card"], question="", channels=STAFFROOM, schedule="now")
    submit = submitted(values, author=ANOUK, activity_id=ids(), card_id=form["id"])
    assert (await teams.post(submit)).status_code == 200
    assert len(teams.connector.updated) == 1
    [again] = teams.connector.sent
    assert again.conversation_id == personal_chat(ANOUK)
    assert "question" in inputs(again.card)
    assert "needs a question" in again.card_text


async def test_a_second_answer_asks_on_the_card_to_replace_or_add(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    bot, registered = messengers(teams)
    await RoundJobs(bot, registered).run_due("1", move_to(teams, POSTS_AT))
    teams.connector.clear()
    for text_ in ("answer 1 Homework is often missed.", "answer 1 Nobody checks the homework."):
        assert (await teams.post(said(text_, author=BRAM, activity_id=ids()))).status_code == 200
    first, second = teams.connector.sent
    assert "Your reply to round 1 is in" in first.card_text
    assert "You had already answered round 1." in second.card_text
    replace, _add = submits(second.card)
    assert replace["title"] == "Replace my first answer"
    teams.connector.clear()
    press = submitted(
        replace["data"], author=BRAM, activity_id=ids(), card_id=second.response_id or "card"
    )
    assert (await teams.post(press)).status_code == 200
    answered = teams.connector.sent + teams.connector.updated
    assert any("Done: this is now your answer to round 1." in c.card_text for c in answered)
    assert [text for _, text in await replies(teams)] == ["Nobody checks the homework."]
    assert [(s, t, o) for s, t, o, _ in await edges(teams.db)] == [
        ("29:1bram", "29:1anouk", "round_reply")
    ]


async def test_the_same_question_on_the_card_again_is_refused(teams: Teams) -> None:
    ids = Ids()
    await school_with_a_plg(teams, ids)
    await create_round(teams, ids)
    form = await ask_for_the_form(teams, ids)
    values = once_round(form["card"], question=QUESTION.lower().rstrip("?"))
    submit = submitted(values, author=ANOUK, activity_id=ids(), card_id=form["id"])
    assert (await teams.post(submit)).status_code == 200
    shown = "\n".join(c.card_text for c in teams.connector.updated + teams.connector.sent)
    assert "Round 1 of Datateam havo-3 already asks this question" in shown
    async with teams.db.session() as session:
        assert len((await session.scalars(select(QuestionRound))).all()) == 1
