"""Nudges and the network survey on Slack end to end: the weekly and monthly jobs send
DMs through the real Slack messenger to the fake Slack, and people answer with signed
block_actions and view_submission payloads (the survey's people picker is a modal with
a ``multi_users_select``).

The bot's clock stands on Friday 2025-11-21 13:00 in Amsterdam. Nudges go out on
Mondays at 09:00, the survey on the first Monday of the month at 09:30 (1 December)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from storage.models import Nudge, Person, SurveyInvite
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    ANOUK,
    BRAM,
    CHANTAL,
    DIRK,
    EVA,
    FIXTURE_NOW,
    FLEUR,
    Plgbot,
    Scheduled,
    button_press,
    start_plgbot,
    view_submission,
)

NUDGE_DAY = datetime(2025, 11, 24, 8, 0, tzinfo=UTC)  # Monday 09:00 in Amsterdam
SURVEY_DAY = datetime(2025, 12, 1, 8, 30, tzinfo=UTC)  # first Monday of December, 09:30
WEEK = timedelta(weeks=1)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXTURE_NOW)


@pytest.fixture
async def plgbot(database_url: str, slack: FakeSlack, clock: FixedClock) -> AsyncIterator[Plgbot]:
    async with start_plgbot(database_url, slack, clock=clock) as bot:
        yield bot


async def jobs_of(plgbot: Plgbot, clock: FixedClock, kind: str) -> Scheduled:
    return Scheduled(plgbot.fake, plgbot.db, clock, kinds=(kind,))


_said = 0


async def say(plgbot: Plgbot, user: str, text: str, *, at: datetime | None = None) -> str:
    """``user`` writes to plgbot in their DM; plgbot's answer."""
    global _said
    _said += 1
    answer = await plgbot.expect(
        "chat.postMessage", plgbot.dm(text, user=user, event_id=f"Ev0SAY{_said:06d}", at=at)
    )
    assert answer.args["channel"] == f"D{user[1:]}"
    return str(answer.args["text"])


def dms_to(fake: FakeSlack, user: str, heading: str) -> list[dict[str, Any]]:
    """What plgbot sent ``user`` on its own initiative (posted to the user id) whose
    first block is a header ``heading``."""
    return [
        c.args
        for c in fake.of("chat.postMessage")
        if c.args["channel"] == user
        and c.args["blocks"]
        and c.args["blocks"][0]["type"] == "header"
        and c.args["blocks"][0]["text"]["text"] == heading
    ]


def buttons_of(post: dict[str, Any]) -> list[dict[str, Any]]:
    actions = [b for b in post["blocks"] if b["type"] == "actions"]
    assert len(actions) == 1, post["blocks"]
    elements = actions[0]["elements"]
    assert isinstance(elements, list)
    return elements


def core_action(button: dict[str, Any]) -> tuple[str, str | None]:
    """The core action behind a rendered button, and its people-picker prompt."""
    value = json.loads(button["value"])
    return value["a"], value["p"]


async def press(
    plgbot: Plgbot, button: dict[str, Any], *, user: str, method: str = "response_url"
) -> dict[str, Any]:
    """``user`` presses ``button`` in their DM; plgbot's answer (through the press's
    response URL, or the modal it opens)."""
    payload = button_press(
        button,
        user=user,
        channel=f"D{user[1:]}",
        response_url=plgbot.fake.hook_url(f"actions/{user}"),
    )
    answer = await plgbot.expect(method, plgbot.interactive(payload))
    return answer.args


# Nudges.


async def network(plgbot: Plgbot) -> None:
    """Dirk tells four colleagues results, and only results: the most connected, a key
    figure. Anouk talks focus, process and benefits through with Bram and Chantal; Eva
    shares results with Fleur but is no key figure."""
    assert "Datateam havo-3" in await say(
        plgbot, ANOUK, "plg nieuw Datateam havo-3 focus Veel havo-3-leerlingen blijven zitten"
    )
    await say(
        plgbot,
        ANOUK,
        "besproken met <@U0BRAM002> <@U0CHANT03> wat we onderzoeken, hoe, en wat het "
        "oplevert #focus #proces #meerwaarde",
    )
    await say(plgbot, DIRK, "plg lid Datateam havo-3")
    await say(
        plgbot,
        DIRK,
        "verteld <@U0BRAM002> <@U0CHANT03> <@U0EVA0005> <@U0FLEUR06> leerlingen die "
        "huiswerk misten scoorden 1,2 lager #resultaat",
    )
    await say(plgbot, EVA, "verteld <@U0FLEUR06> de resultaten zijn binnen #resultaat")


async def nudges(plgbot: Plgbot) -> list[tuple[str, str | None, bool]]:
    async with plgbot.db.session() as session:
        rows = await session.execute(
            select(Person.platform_user_id, Nudge.answer, Nudge.followed_at)
            .join(Person, Person.id == Nudge.person_id)
            .order_by(Nudge.sent_at)
        )
        return [(user, answer, followed is not None) for user, answer, followed in rows]


TIP = "Een tip om je PLG te delen"


async def test_only_the_key_figure_who_shared_only_results_gets_a_tip_with_three_buttons(
    plgbot: Plgbot, clock: FixedClock
) -> None:
    await network(plgbot)
    jobs = await jobs_of(plgbot, clock, "nudge")
    try:
        await jobs.until(NUDGE_DAY + timedelta(minutes=5))
        [tip] = dms_to(plgbot.fake, DIRK, TIP)
        for other in (ANOUK, BRAM, CHANTAL, EVA, FLEUR):
            assert dms_to(plgbot.fake, other, TIP) == []
        text = json.dumps(tip["blocks"], ensure_ascii=False)
        assert "Veel havo-3-leerlingen blijven zitten." in text
        assert "focus, aanpak en meerwaarde" in text
        buttons = buttons_of(tip)
        assert [b["text"]["text"] for b in buttons][1] == "Volgende week herinneren"
        assert [core_action(b)[0] for b in buttons] == ["nudge.shared", "nudge.later", "nudge.stop"]
        assert await nudges(plgbot) == [(DIRK, None, False)]

        # The weekly job running again in the same week (a restart): nothing new.
        school = await _school_id(plgbot)
        await jobs.sources[0].run_due(str(school), clock.now() + timedelta(hours=2))
        assert len(dms_to(plgbot.fake, DIRK, TIP)) == 1

        # "Shared it"; then he logs the process within two weeks: followed through.
        thanks = await press(plgbot, buttons[0], user=DIRK)
        assert "Dank je voor het doorgeven!" in thanks["text"]
        assert thanks["response_type"] == "ephemeral"
        assert await nudges(plgbot) == [(DIRK, "shared", False)]
        await say(
            plgbot,
            DIRK,
            "verteld <@U0FLEUR06> we gaan stap voor stap, eerst de data #proces",
            at=clock.now() + timedelta(days=2),
        )
        clock.advance(timedelta(days=2))
        await jobs.until(NUDGE_DAY + WEEK + timedelta(minutes=5))
        assert await nudges(plgbot) == [(DIRK, "shared", True)]
        # "Shared it" pauses the tips for four weeks.
        assert len(dms_to(plgbot.fake, DIRK, TIP)) == 1
        # Someone else pressing Dirk's tip changes nothing.
        gone = await press(plgbot, buttons[1], user=ANOUK)
        assert "Die tip staat niet meer open." in gone["text"]
        assert await nudges(plgbot) == [(DIRK, "shared", True)]
    finally:
        await jobs.close()


async def test_remind_me_next_week_then_stop_means_stop_until_tips_on(
    plgbot: Plgbot, clock: FixedClock
) -> None:
    await network(plgbot)
    jobs = await jobs_of(plgbot, clock, "nudge")
    try:
        await jobs.until(NUDGE_DAY + timedelta(minutes=5))
        [tip] = dms_to(plgbot.fake, DIRK, TIP)
        later = await press(plgbot, buttons_of(tip)[1], user=DIRK)
        assert "Goed, ik herinner je er volgende week aan." in later["text"]
        await jobs.until(NUDGE_DAY + WEEK + timedelta(minutes=5))
        _, second = dms_to(plgbot.fake, DIRK, TIP)
        stopped = await press(plgbot, buttons_of(second)[2], user=DIRK)
        assert "Geen tips meer van mij." in stopped["text"]
        assert [a for _, a, _ in await nudges(plgbot)] == ["later", None]
        await jobs.until(NUDGE_DAY + 2 * WEEK + timedelta(minutes=5))
        assert len(dms_to(plgbot.fake, DIRK, TIP)) == 2, "stopped: no tips"
        assert "Tips staan weer aan" in await say(plgbot, DIRK, "tips aan")
        # Two weeks after an unanswered one, within four weeks of his results: a tip.
        await jobs.until(NUDGE_DAY + 3 * WEEK + timedelta(minutes=5))
        assert len(dms_to(plgbot.fake, DIRK, TIP)) == 3
    finally:
        await jobs.close()


# The survey.


async def staff(plgbot: Plgbot) -> None:
    """Four colleagues who have talked to plgbot (so it knows them as staff)."""
    for user in (ANOUK, BRAM, CHANTAL, DIRK):
        await say(plgbot, user, "help")


async def invites(plgbot: Plgbot) -> dict[str, tuple[bool, bool, bool]]:
    """Per person: (answered, skipped, reminded)."""
    async with plgbot.db.session() as session:
        rows = await session.execute(
            select(Person.platform_user_id, SurveyInvite).join(
                Person, Person.id == SurveyInvite.person_id
            )
        )
        return {
            user: (i.answered_at is not None, i.skipped_at is not None, i.reminded_at is not None)
            for user, i in rows
        }


def people_values(users: list[str]) -> dict[str, Any]:
    return {"people": {"people_input": {"type": "multi_users_select", "selected_users": users}}}


async def pick(
    plgbot: Plgbot, invitation: dict[str, Any], *, user: str, picked: list[str], view_id: str
) -> list[dict[str, Any]]:
    """``user`` presses "Pick colleagues", picks ``picked`` in the modal and submits;
    the DMs plgbot answers with."""
    button = buttons_of(invitation)[0]
    opened = await press(plgbot, button, user=user, method="views.open")
    view = opened["view"]
    [block] = view["blocks"]
    assert block["element"]["type"] == "multi_users_select"
    seen = len(plgbot.fake.of("chat.postMessage"))
    answer = await plgbot.interactive(
        view_submission(view, people_values(picked), user=user, view_id=view_id)
    )
    assert answer.status_code == 200 and answer.text == ""
    # The thanks, and then one question per colleague.
    expected = 1 + len(picked)
    calls = await plgbot.fake.wait_for("chat.postMessage", seen + expected)
    return [c.args for c in calls[seen:]]


async def edges(plgbot: Plgbot) -> list[tuple[str, str, str]]:
    return sorted((s, t, o) for s, t, o, _ in await plgbot.edges() if o == "survey")


async def test_the_survey_picker_direction_buttons_skip_and_one_reminder(
    plgbot: Plgbot, clock: FixedClock
) -> None:
    await staff(plgbot)
    jobs = await jobs_of(plgbot, clock, "survey")
    try:
        await jobs.until(SURVEY_DAY - timedelta(minutes=5))
        assert not dms_to(plgbot.fake, BRAM, "Network survey")
        await jobs.until(SURVEY_DAY + timedelta(minutes=5))
        [invitation] = dms_to(plgbot.fake, BRAM, "Network survey")
        assert "With whom did you talk about the PLG this month?" in invitation["text"]
        pick_button, skip_button = buttons_of(invitation)
        assert pick_button["text"]["text"] == "Pick colleagues"
        assert core_action(pick_button) == (
            "survey.pick",
            "Colleagues you talked with about the PLG",
        )
        assert core_action(skip_button) == ("survey.skip", None)
        assert dms_to(plgbot.fake, ANOUK, "Netwerkvragenlijst")  # in her language
        assert len(await invites(plgbot)) == 4

        # Bram picks two colleagues in the modal: survey ties both ways to start with.
        opened = await press(plgbot, pick_button, user=BRAM, method="views.open")
        label = opened["view"]["blocks"][0]["label"]["text"]
        assert label == "Colleagues you talked with about the PLG"
        answers = await pick(
            plgbot, invitation, user=BRAM, picked=[ANOUK, CHANTAL], view_id="V0SURVEY001"
        )
        assert answers[0]["channel"] == "D0BRAM002"
        assert "Thanks! Noted: Anouk de Vries and Chantal Bakker." in answers[0]["text"]
        to_anouk = answers[1]
        assert "You and Anouk de Vries: who shared with whom?" in to_anouk["text"]
        directions = buttons_of(to_anouk)
        assert [b["text"]["text"] for b in directions] == ["I shared", "Anouk shared", "Both"]
        assert await edges(plgbot) == [
            (ANOUK, BRAM, "survey"),
            (BRAM, ANOUK, "survey"),
            (BRAM, CHANTAL, "survey"),
            (CHANTAL, BRAM, "survey"),
        ]
        noted = await press(plgbot, directions[0], user=BRAM)
        assert "Noted: you shared with Anouk de Vries." in noted["text"]
        assert (ANOUK, BRAM, "survey") not in await edges(plgbot)
        assert (BRAM, ANOUK, "survey") in await edges(plgbot)

        # Chantal picks herself: refused next to the picker, in her language, the modal
        # stays open with her choice; nothing is stored.
        [chantal_invite] = dms_to(plgbot.fake, CHANTAL, "Netwerkvragenlijst")
        opened = await press(
            plgbot, buttons_of(chantal_invite)[0], user=CHANTAL, method="views.open"
        )
        myself = view_submission(
            opened["view"], people_values([CHANTAL, DIRK]), user=CHANTAL, view_id="V0SURVEY002"
        )
        refused = await plgbot.interactive(myself)
        assert refused.json() == {
            "response_action": "errors",
            "errors": {"people": "Kies collega's, niet jezelf."},
        }
        assert (CHANTAL, DIRK, "survey") not in await edges(plgbot)
        assert (await invites(plgbot))[CHANTAL] == (False, False, False)

        # Dirk skips.
        [dirk_invite] = dms_to(plgbot.fake, DIRK, "Netwerkvragenlijst")
        skipped = await press(plgbot, buttons_of(dirk_invite)[1], user=DIRK)
        assert "Overgeslagen" in skipped["text"], skipped["text"]

        # A week on, one reminder for who neither answered nor skipped; never a second.
        await jobs.until(SURVEY_DAY + WEEK + timedelta(minutes=5))
        await jobs.until(SURVEY_DAY + 3 * WEEK)
        assert len(dms_to(plgbot.fake, ANOUK, "Netwerkvragenlijst")) == 2
        assert len(dms_to(plgbot.fake, CHANTAL, "Netwerkvragenlijst")) == 2
        assert len(dms_to(plgbot.fake, BRAM, "Network survey")) == 1
        assert len(dms_to(plgbot.fake, DIRK, "Netwerkvragenlijst")) == 1
        assert await invites(plgbot) == {
            ANOUK: (False, False, True),
            BRAM: (True, False, False),
            CHANTAL: (False, False, True),
            DIRK: (False, True, False),
        }
    finally:
        await jobs.close()


async def _school_id(plgbot: Plgbot) -> int:
    async with plgbot.db.session() as session:
        found = await session.scalar(select(Person.school_id).limit(1))
    assert found is not None
    return found
