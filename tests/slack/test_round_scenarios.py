"""Question rounds on Slack end to end: the lead's modal (real signed view_submission
payloads, errors next to their fields), the scheduler's post with its Reply button,
replies from the thread, the button's modal and ``/plg answer``, editing and withdrawing,
anonymous rounds, the halfway note in the thread, and the agenda at closing.

The bot's clock stands on Friday 2025-11-21 13:00 in Amsterdam. The data team meets on
Thursday 27 November, so a weekly round posted on Monday 24 November at 08:00 closes on
Wednesday 26 November at 17:00 (the day before the meeting), halfway on Tuesday."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.clock import FixedClock
from storage.models import Person, QuestionRound, RoundReply
from tests.resilience.test_database_outage import out_of_reach
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    ANOUK,
    BRAM,
    CHANTAL,
    DIRK,
    FIXTURE_NOW,
    Plgbot,
    Scheduled,
    button_press,
    link_plg_channel,
    start_plgbot,
    view_submission,
)

STAFFROOM, PLG_CHANNEL = "C0STAFFRM1", "C0PLGDATA1"
POSTED = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
CLOSES = datetime(2025, 11, 26, 16, 0, tzinfo=UTC)  # Wednesday 17:00
QUESTION = "Relatief veel havo-3-leerlingen blijven zitten. Wat zouden oorzaken kunnen zijn?"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXTURE_NOW)


@pytest.fixture
async def plgbot(database_url: str, slack: FakeSlack, clock: FixedClock) -> AsyncIterator[Plgbot]:
    async with start_plgbot(database_url, slack, clock=clock) as bot:
        yield bot


@pytest.fixture
async def jobs(plgbot: Plgbot, clock: FixedClock) -> AsyncIterator[Scheduled]:
    scheduled = Scheduled(plgbot.fake, plgbot.db, clock)
    yield scheduled
    await scheduled.close()


async def school(plgbot: Plgbot) -> None:
    """Anouk leads the data team (its channel #plg-datateam-havo3, meeting Thursday
    27 November); plgbot has also seen #lerarenkamer, where the whole staff reads."""
    await link_plg_channel(plgbot)
    meeting = await plgbot.expect(
        "response_url", plgbot.command("overleg Datateam havo-3 2025-11-27", user=ANOUK)
    )
    assert "27" in meeting.args["text"]
    seen = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.mention("help", user=DIRK, channel=STAFFROOM, event_id="Ev0STAFFRM01"),
    )
    assert seen.args["channel"] == STAFFROOM


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def round_values(
    *,
    plg: str | None = "Datateam havo-3",
    question: str | None = QUESTION,
    channels: tuple[str, ...] = (STAFFROOM,),
    schedule: str = "weekly",
    weekday: str | None = "mon",
    date: str | None = None,
    time: str | None = "08:00",
    closes_date: str | None = None,
    closes_time: str | None = None,
    anonymous: bool = False,
) -> dict[str, Any]:
    """The modal's state.values, shaped as Slack sends each element's value."""

    def select(block: str, value: str | None) -> dict[str, Any]:
        chosen = option(value) if value else None
        return {f"{block}_input": {"type": "static_select", "selected_option": chosen}}

    return {
        "plg": select("plg", plg),
        "question": {"question_input": {"type": "plain_text_input", "value": question}},
        "channels": {
            "channels_input": {
                "type": "multi_static_select",
                "selected_options": [option(c) for c in channels],
            }
        },
        "schedule": select("schedule", schedule),
        "weekday": select("weekday", weekday),
        "date": {"date_input": {"type": "datepicker", "selected_date": date}},
        "time": {"time_input": {"type": "timepicker", "selected_time": time}},
        "closes_date": {"closes_date_input": {"type": "datepicker", "selected_date": closes_date}},
        "closes_time": {"closes_time_input": {"type": "timepicker", "selected_time": closes_time}},
        "anonymous": {
            "anonymous_input": {
                "type": "checkboxes",
                "selected_options": [option("anonymous")] if anonymous else [],
            }
        },
    }


async def open_round_form(
    plgbot: Plgbot, *, user: str = ANOUK, channel: str = STAFFROOM, number: int | None = None
) -> dict[str, Any]:
    words = "ronde formulier" if number is None else f"round form {number}"
    opened = await plgbot.expect("views.open", plgbot.command(words, user=user, channel=channel))
    view = opened.args["view"]
    assert isinstance(view, dict)
    return view


async def rounds(plgbot: Plgbot) -> list[QuestionRound]:
    async with plgbot.db.session() as session:
        return list((await session.scalars(select(QuestionRound))).all())


async def replies(plgbot: Plgbot) -> list[RoundReply]:
    async with plgbot.db.session() as session:
        return list((await session.scalars(select(RoundReply).order_by(RoundReply.id))).all())


async def person_id(plgbot: Plgbot, user: str) -> int:
    async with plgbot.db.session() as session:
        found = await session.scalar(select(Person.id).where(Person.platform_user_id == user))
    assert found is not None
    return found


async def create_round(plgbot: Plgbot, **values: Any) -> dict[str, Any]:
    """Anouk schedules a round through the modal; the confirmation (ephemeral, through
    the command's response URL) is returned."""
    view = await open_round_form(plgbot)
    seen = len(plgbot.fake.of("response_url"))
    answer = await plgbot.interactive(
        view_submission(view, round_values(**values), user=ANOUK, view_id="V0ROUND0001")
    )
    assert answer.status_code == 200 and answer.text == "", answer.text  # the modal closes
    confirmation = (await plgbot.fake.wait_for("response_url", seen + 1))[seen]
    assert confirmation.args["response_type"] == "ephemeral"
    return confirmation.args


def posted_question(fake: FakeSlack, channel: str = STAFFROOM) -> dict[str, Any]:
    """The scheduler's post of the question (the message with the Reply button)."""
    found = [
        c.args
        for c in fake.of("chat.postMessage")
        if c.args["channel"] == channel and any(b["type"] == "actions" for b in c.args["blocks"])
    ]
    assert found, [c.args.get("text") for c in fake.of("chat.postMessage")]
    return found[-1]


def reply_button(post: dict[str, Any]) -> dict[str, Any]:
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    button = actions["elements"][0]
    assert isinstance(button, dict)
    return button


def ts_of(fake: FakeSlack, post: dict[str, Any]) -> str:
    """The ts Slack gave the post (the thread replies go under)."""
    channel = fake.messages[post["channel"]]
    return str(next(m["ts"] for m in channel if m.get("metadata") == post.get("metadata")))


# The modal.


async def test_the_round_modal_offers_the_leads_plgs_known_channels_and_the_schedule(
    plgbot: Plgbot,
) -> None:
    await school(plgbot)
    view = await open_round_form(plgbot)
    assert view["callback_id"] == "plgbot_round_form"
    assert view["title"]["text"] == "Nieuwe vraagronde"
    assert view["submit"]["text"] == "Inplannen"
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert list(elements) == [
        "plg",
        "question",
        "channels",
        "schedule",
        "weekday",
        "date",
        "time",
        "closes_date",
        "closes_time",
        "anonymous",
    ]
    assert elements["plg"]["type"] == "static_select"
    assert [o["value"] for o in elements["plg"]["options"]] == ["Datateam havo-3"]
    assert elements["plg"]["initial_option"]["value"] == "Datateam havo-3"
    assert elements["question"]["type"] == "plain_text_input"
    assert elements["question"]["multiline"] is True
    assert elements["question"]["max_length"] == 500
    channels = elements["channels"]
    assert channels["type"] == "multi_static_select"
    assert sorted((o["value"], o["text"]["text"]) for o in channels["options"]) == [
        (PLG_CHANNEL, "#plg-datateam-havo3"),
        (STAFFROOM, "#lerarenkamer"),
    ]
    # Typed in #lerarenkamer, which plgbot knows: already picked.
    assert [o["value"] for o in channels["initial_options"]] == [STAFFROOM]
    assert [o["value"] for o in elements["schedule"]["options"]] == [
        "now",
        "once",
        "weekly",
        "fortnightly",
    ]
    assert elements["schedule"]["initial_option"]["value"] == "weekly"
    weekdays = elements["weekday"]["options"]
    assert [o["value"] for o in weekdays] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert weekdays[0]["text"]["text"].lower() == "maandag"
    assert elements["date"]["type"] == "datepicker"
    assert elements["time"] == {
        "type": "timepicker",
        "initial_time": "08:00",
        "action_id": "time_input",
    }
    assert elements["closes_date"]["type"] == "datepicker"
    assert elements["closes_time"]["type"] == "timepicker"
    closes = next(b for b in view["blocks"] if b["block_id"] == "closes_date")
    assert closes["optional"] is True
    assert "volgende PLG-bijeenkomst" in closes["hint"]["text"]
    assert elements["anonymous"]["type"] == "checkboxes"
    assert json.loads(view["private_metadata"])["channel"] == STAFFROOM


async def test_a_colleague_who_leads_no_plg_gets_a_clear_refusal_and_no_modal(
    plgbot: Plgbot,
) -> None:
    await school(plgbot)
    refused = await plgbot.expect(
        "response_url", plgbot.command("round form", user=BRAM, channel=STAFFROOM)
    )
    assert "Only PLG leads can schedule question rounds" in refused.args["text"]
    assert refused.args["response_type"] == "ephemeral"
    assert plgbot.fake.of("views.open") == []


async def test_refusals_are_shown_next_to_their_field_and_nothing_is_scheduled(
    plgbot: Plgbot,
) -> None:
    await school(plgbot)
    view = await open_round_form(plgbot)

    async def errors(**values: Any) -> dict[str, str]:
        answer = await plgbot.interactive(
            view_submission(view, round_values(**values), user=ANOUK, view_id="V0ROUND0001")
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["response_action"] == "errors"
        found = body["errors"]
        assert isinstance(found, dict)
        return found

    no_channel = await errors(channels=())
    assert list(no_channel) == ["channels"]
    assert "Kies minstens één kanaal" in no_channel["channels"]
    past = await errors(schedule="once", date="2025-11-20", weekday=None)
    assert list(past) == ["date"]
    assert "voorbij" in past["date"]
    early = await errors(closes_date="2025-11-23", closes_time="17:00")
    assert list(early) == ["closes_date"]
    long = await errors(question="W" * 600)
    assert list(long) == ["question"] and "600" in long["question"]
    assert await rounds(plgbot) == []
    # Fixed and sent again (Slack gives the updated view a new hash), it is scheduled.
    answer = await plgbot.interactive(
        view_submission(
            view, round_values(), user=ANOUK, view_id="V0ROUND0001", view_hash="1763722500.x"
        )
    )
    assert answer.text == ""
    await plgbot.stop()
    [scheduled] = await rounds(plgbot)
    assert scheduled.recurrence == "weekly mon 08:00"


async def test_with_the_database_out_of_reach_the_modal_stays_open_with_a_clear_message(
    plgbot: Plgbot, database_url: str
) -> None:
    await school(plgbot)
    view = await open_round_form(plgbot)
    payload = view_submission(view, round_values(), user=ANOUK, view_id="V0ROUND0001")
    async with out_of_reach(database_url):
        answer = await plgbot.interactive(payload)
    # Answered within Slack's 3 seconds, though SQLite waits 5 for its lock.
    assert answer.status_code == 200
    assert answer.json() == {
        "response_action": "errors",
        "errors": {
            "plg": "plgbot kon dit formulier nu even niet verwerken. Probeer het over "
            "een minuut opnieuw; wat je invulde staat er nog."
        },
    }
    # Sent again once the database is back, it is scheduled, once.
    assert (await plgbot.interactive(payload)).text == ""
    assert len(await rounds(plgbot)) == 1


# The whole round.


async def test_a_round_from_the_modal_to_the_agenda(
    plgbot: Plgbot, jobs: Scheduled, clock: FixedClock
) -> None:
    await school(plgbot)
    confirmation = await create_round(plgbot)
    assert confirmation["text"].startswith(
        f"Ronde 1 van Datateam havo-3 is gepland: “{QUESTION}” in #lerarenkamer"
    )
    [question_round] = await rounds(plgbot)
    assert (question_round.recurrence, question_round.anonymous) == ("weekly mon 08:00", False)
    # The same submission delivered again schedules nothing more and says nothing more.
    again = await plgbot.interactive(
        view_submission(
            await open_round_form(plgbot), round_values(), user=ANOUK, view_id="V0ROUND0001"
        )
    )
    assert again.text == ""
    assert len(await rounds(plgbot)) == 1

    # Monday 08:00: the scheduler posts the question with its Reply button.
    await jobs.until(POSTED + timedelta(minutes=1))
    post = posted_question(plgbot.fake)
    assert post["blocks"][0]["text"]["text"] == "Whiteboardvraag van Datateam havo-3 (ronde 1)"
    assert QUESTION in json.dumps(post["blocks"], ensure_ascii=False)
    button = reply_button(post)
    assert button["text"]["text"] == "Antwoorden"
    question_ts = ts_of(plgbot.fake, post)

    # A reply in the thread.
    saved = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.in_thread(
            "Ze plannen hun huiswerk niet, we zouden het stap voor stap kunnen oefenen #proces",
            user=CHANTAL,
            channel=STAFFROOM,
            thread_ts=question_ts,
            event_id="Ev0THREADRE1",
        ),
    )
    assert "Dank je! Je antwoord op ronde 1 is binnen" in saved.args["text"]
    assert (saved.args["user"], saved.args["thread_ts"]) == (CHANTAL, question_ts)

    # The Reply button opens a modal; its submission is Bram's reply.
    opened = await plgbot.expect(
        "views.open",
        plgbot.interactive(
            button_press(button, user=BRAM, channel=STAFFROOM, message_ts=question_ts)
        ),
    )
    modal = opened.args["view"]
    assert modal["blocks"][0]["label"]["text"].startswith("Jouw antwoord op: Relatief veel")
    values = {
        "answer": {
            "answer_input": {
                "type": "plain_text_input",
                "value": "The step from havo-2 is big: more homework, less guidance.",
            }
        }
    }
    thanked = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.interactive(view_submission(modal, values, user=BRAM, view_id="V0REPLY0001")),
    )
    assert thanked.args["user"] == BRAM and "Your reply to round 1 is in" in thanked.args["text"]

    # A reply with the command, changed, then taken back.
    said = await plgbot.expect(
        "response_url", plgbot.command("antwoord 1 Te weinig uitdaging?", user=DIRK)
    )
    assert "Je antwoord op ronde 1 is binnen" in said.args["text"]
    said = await plgbot.expect(
        "response_url", plgbot.command("antwoord 1 wijzig Te weinig begeleiding?", user=DIRK)
    )
    assert "Je antwoord op ronde 1 is gewijzigd." in said.args["text"]
    stored = await replies(plgbot)
    assert [r.text for r in stored] == [
        "Ze plannen hun huiswerk niet, we zouden het stap voor stap kunnen oefenen #proces",
        "The step from havo-2 is big: more homework, less guidance.",
        "Te weinig begeleiding?",
    ]
    ids = [await person_id(plgbot, u) for u in (CHANTAL, BRAM, DIRK)]
    assert [r.author_id for r in stored] == ids
    said = await plgbot.expect("response_url", plgbot.command("antwoord 1 intrekken", user=DIRK))
    assert "ingetrokken" in said.args["text"]
    assert len(await replies(plgbot)) == 2

    # Halfway, once, in the thread: how many and from how many departments, no names.
    async with plgbot.db.session() as session:
        for user, department in ((CHANTAL, "Nederlands"), (BRAM, "Wiskunde")):
            await session.execute(
                update(Person).where(Person.platform_user_id == user).values(department=department)
            )
    before = len(plgbot.fake.of("chat.postMessage"))
    await jobs.until(CLOSES - timedelta(hours=1))
    notes = [c.args for c in plgbot.fake.of("chat.postMessage")[before:] if c.args.get("thread_ts")]
    assert len(notes) == 1
    assert notes[0]["channel"] == STAFFROOM and notes[0]["thread_ts"] == question_ts
    assert "Halverwege: 2 collega's uit 2 secties hebben al geantwoord." in notes[0]["text"]
    for name in ("Chantal", "Bram", "Dirk", "Anouk"):
        assert name not in notes[0]["text"]

    # Closing: the agenda in the PLG's channel and privately to the lead.
    await jobs.until(CLOSES + timedelta(minutes=1))
    agendas = [
        c.args
        for c in plgbot.fake.of("chat.postMessage")
        if c.args["text"].startswith("Agenda PLG-bijeenkomst Datateam havo-3")
    ]
    assert sorted(a["channel"] for a in agendas) == sorted([PLG_CHANNEL, ANOUK])
    agenda = agendas[0]["text"]
    assert QUESTION in agenda
    assert "we zouden het stap voor stap kunnen oefenen" in agenda
    assert "The step from havo-2 is big" in agenda
    assert "Te weinig begeleiding?" not in agenda  # withdrawn
    assert "aanpak" in agenda  # the thread reply's #proces, under its knowledge type
    assert "Nederlands" in agenda and "Wiskunde" in agenda
    # After closing, a reply is refused.
    late = await plgbot.expect("response_url", plgbot.command("antwoord 1 Nog iets", user=DIRK))
    assert "staat nu niet open" in late.args["text"]


async def test_an_anonymous_round_stores_no_author(plgbot: Plgbot, jobs: Scheduled) -> None:
    await school(plgbot)
    await create_round(plgbot, anonymous=True)
    [question_round] = await rounds(plgbot)
    assert question_round.anonymous is True
    await jobs.until(POSTED + timedelta(minutes=1))
    post = posted_question(plgbot.fake)
    assert "Antwoorden zijn anoniem" in post["text"]
    opened = await plgbot.expect(
        "views.open",
        plgbot.interactive(
            button_press(
                reply_button(post),
                user=BRAM,
                channel=STAFFROOM,
                message_ts=ts_of(plgbot.fake, post),
            )
        ),
    )
    values = {"answer": {"answer_input": {"type": "plain_text_input", "value": "Less guidance"}}}
    thanked = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.interactive(
            view_submission(opened.args["view"], values, user=BRAM, view_id="V0ANON00001")
        ),
    )
    code = re.findall(r"answer 1 edit (\w+) new text", thanked.args["text"])
    assert code and "Your reply is anonymous" in thanked.args["text"]
    # Only the code lets Bram change it: no name is kept that could.
    changed = await plgbot.expect(
        "response_url",
        plgbot.command(f"answer 1 edit {code[0]} Less guidance, more homework", user=BRAM),
    )
    assert "Your reply to round 1 is changed." in changed.args["text"], changed.args["text"]
    # In the thread, the name shows on Slack: plgbot stores none and says so.
    warned = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.in_thread(
            "Minder begeleiding",
            user=CHANTAL,
            channel=STAFFROOM,
            thread_ts=ts_of(plgbot.fake, post),
            event_id="Ev0ANONTHR01",
        ),
    )
    assert "toont je naam" in warned.args["text"]
    await plgbot.stop()
    stored = await replies(plgbot)
    assert [r.text for r in stored] == ["Less guidance, more homework", "Minder begeleiding"]
    assert [r.author_id for r in stored] == [None, None]
    assert all(r.edit_code_hash for r in stored)


# Opening the modal from elsewhere, and editing.


async def test_a_mention_offers_the_modal_button_and_the_home_tab_has_it_for_leads(
    plgbot: Plgbot,
) -> None:
    await school(plgbot)
    offered = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.mention("ronde formulier", user=ANOUK, channel=STAFFROOM, event_id="Ev0OFFER0001"),
    )
    assert offered.args["user"] == ANOUK
    [button] = offered.args["blocks"][0]["elements"]
    assert (button["action_id"], button["text"]["text"]) == ("open_round_form", "Nieuwe vraagronde")
    opened = await plgbot.expect(
        "views.open", plgbot.interactive(button_press(button, user=ANOUK, channel=STAFFROOM))
    )
    assert opened.args["view"]["callback_id"] == "plgbot_round_form"
    # Bram leads nothing: the mention gets the refusal, privately.
    refused = await plgbot.expect(
        "chat.postEphemeral",
        plgbot.mention("round form", user=BRAM, channel=STAFFROOM, event_id="Ev0OFFER0002"),
    )
    assert "Only PLG leads" in refused.args["text"]
    # In her DM with plgbot: the button too; for a round that does not exist, no button.
    in_dm = await plgbot.expect(
        "chat.postMessage", plgbot.dm("ronde formulier", user=ANOUK, event_id="Ev0OFFER0003")
    )
    assert in_dm.args["channel"] == "D0ANOUK01"
    [again] = in_dm.args["blocks"][0]["elements"]
    assert again["action_id"] == "open_round_form" and again["value"] == ""
    no_round = await plgbot.expect(
        "chat.postMessage", plgbot.dm("ronde formulier 3", user=ANOUK, event_id="Ev0OFFER0004")
    )
    assert no_round.args["text"] == "Er is hier geen ronde 3. Zie: ronde lijst"

    async def home(user: str, event_id: str) -> list[dict[str, Any]]:
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": f"D{user[1:]}",
            "tab": "home",
            "event_ts": "1763723000.000100",
        }
        payload = {
            "type": "event_callback",
            "team_id": "T0SCHOOL01",
            "event_id": event_id,
            "event": event,
        }
        published = await plgbot.expect("views.publish", plgbot.event(payload))
        elements = published.args["view"]["blocks"][-1]["elements"]
        assert isinstance(elements, list)
        return elements

    anouk = await home(ANOUK, "Ev0HOMEANOUK")
    assert [e["action_id"] for e in anouk] == ["open_log_form", "open_round_form"]
    assert [e["action_id"] for e in await home(BRAM, "Ev0HOMEBRAM1")] == ["open_log_form"]
    from_home = await plgbot.expect(
        "views.open", plgbot.interactive(button_press(anouk[1], user=ANOUK, channel=None))
    )
    assert json.loads(from_home.args["view"]["private_metadata"])["channel"] is None


async def test_the_edit_modal_shows_the_round_and_saves_a_change(plgbot: Plgbot) -> None:
    await school(plgbot)
    await create_round(plgbot)
    view = await open_round_form(plgbot, number=1, channel="D0ANOUK01")
    assert view["title"]["text"] == "Ronde 1 wijzigen"
    assert view["submit"]["text"] == "Opslaan"
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["question"]["initial_value"] == QUESTION
    assert [o["value"] for o in elements["channels"]["initial_options"]] == [STAFFROOM]
    assert elements["schedule"]["initial_option"]["value"] == "weekly"
    assert elements["weekday"]["initial_option"]["value"] == "mon"
    assert elements["closes_date"]["initial_date"] == "2025-11-26"
    assert elements["closes_time"]["initial_time"] == "17:00"
    values = round_values(
        question="Wat zouden oorzaken kunnen zijn?",
        closes_date="2025-11-26",
        closes_time="17:00",
    )
    confirmation = await plgbot.expect(
        "chat.postMessage",
        plgbot.interactive(view_submission(view, values, user=ANOUK, view_id="V0EDIT00001")),
    )
    assert confirmation.args["channel"] == ANOUK  # opened in her DM: confirmed there
    assert confirmation.args["text"].startswith("Ronde 1 is gewijzigd")
    [changed] = await rounds(plgbot)
    assert changed.question == "Wat zouden oorzaken kunnen zijn?"
    # Another colleague cannot edit it: refused, no modal.
    refused = await plgbot.expect(
        "response_url", plgbot.command("round form 1", user=BRAM, channel=STAFFROOM)
    )
    assert "Only a lead of Datateam havo-3" in refused.args["text"]
    assert plgbot.fake.of("views.open")[-1].args["trigger_id"].endswith(ANOUK)

    # Pause, resume, cancel with /plg: the lead may, a colleague is refused.
    async def command(text: str, user: str) -> str:
        said = await plgbot.expect("response_url", plgbot.command(text, user=user))
        return str(said.args["text"])

    assert "Only a lead of Datateam havo-3" in await command("round cancel 1", BRAM)
    assert (await command("ronde pauzeer 1", ANOUK)).startswith("Ronde 1 is gepauzeerd")
    assert (await command("ronde hervat 1", ANOUK)).startswith("Ronde 1 gaat verder")
    assert "Ronde 1" in await command("ronde lijst", ANOUK)
    assert (await command("ronde stop 1", ANOUK)).startswith("Ronde 1 is gestopt")
    [cancelled] = await rounds(plgbot)
    assert cancelled.status == "cancelled"


async def test_a_second_answer_asks_to_replace_or_add_with_buttons(
    plgbot: Plgbot, jobs: Scheduled
) -> None:
    await school(plgbot)
    await create_round(plgbot)
    await jobs.until(POSTED + timedelta(minutes=1))
    await plgbot.expect(
        "response_url", plgbot.command("antwoord 1 Huiswerk wordt niet gemaakt", user=DIRK)
    )
    asked = await plgbot.expect(
        "response_url",
        plgbot.command("antwoord 1 Huiswerk wordt niet gemaakt, plannen is lastig", user=DIRK),
    )
    assert "Je had ronde 1 al beantwoord." in asked.args["text"]
    [actions] = [b for b in asked.args["blocks"] if b["type"] == "actions"]
    replace, add = actions["elements"]
    assert (replace["text"]["text"], add["text"]["text"]) == (
        "Vervang mijn eerste antwoord",
        "Voeg toe aan mijn antwoord",
    )
    done = await plgbot.expect(
        "response_url",
        plgbot.interactive(
            button_press(add, user=DIRK, channel=PLG_CHANNEL, response_url=plgbot.fake.hook_url())
        ),
    )
    assert "Klaar: samen zijn ze nu je ene antwoord op ronde 1." in done.args["text"]
    assert [r.text for r in await replies(plgbot)] == [
        "Huiswerk wordt niet gemaakt\nHuiswerk wordt niet gemaakt, plannen is lastig"
    ]
    # Bram cannot settle Dirk's answer with Dirk's button.
    other = await plgbot.expect(
        "response_url",
        plgbot.interactive(
            button_press(
                replace, user=BRAM, channel=PLG_CHANNEL, response_url=plgbot.fake.hook_url()
            )
        ),
    )
    assert "already" in other.args["text"] or "al geregeld" in other.args["text"]
    assert len(await replies(plgbot)) == 1


async def test_the_same_question_from_the_modal_again_is_refused(plgbot: Plgbot) -> None:
    await school(plgbot)
    await create_round(plgbot)
    view = await open_round_form(plgbot)
    seen = len(plgbot.fake.of("response_url"))
    answer = await plgbot.interactive(
        view_submission(view, round_values(), user=ANOUK, view_id="V0ROUND0002")
    )
    assert answer.status_code == 200
    refusal = (await plgbot.fake.wait_for("response_url", seen + 1))[seen]
    assert "Ronde 1 van Datateam havo-3 stelt deze vraag al" in refusal.args["text"]
    assert "ronde wijzig 1 |" in refusal.args["text"]
    assert len(await rounds(plgbot)) == 1
