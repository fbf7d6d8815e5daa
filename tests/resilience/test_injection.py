"""Markup injection through what plgbot re-posts: replies to a question round and the
names of the people who wrote them end up in the meeting agenda, which plgbot posts in
the PLG's channel. Whatever they contain (Slack's ``<!channel>``, ``<@U…>``,
``<#C…|x>``, Teams' ``<at>…</at>``, HTML, entities, Markdown links) must arrive as
text: no broadcast, no mention, no link, no markup. Checked on the exact JSON the fake
Slack and the fake Bot Connector received."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.console import ConsoleSession
from adapters.server import AppContext
from adapters.settings import Settings
from adapters.slack.messenger import SlackMessenger
from adapters.teams import TeamsApp
from bot.clock import FixedClock
from bot.digest.messages import school_message
from bot.digest.week import IsoWeek
from bot.digest.weekly import compute
from bot.events import SchoolRef
from bot.messages import File, OutboundMessage
from bot.rounds.agenda import agenda_message, compile_agenda
from bot.school_time import zone_of
from bot.service import Bot
from scheduler.rounds import RoundJobs
from storage import Database
from storage.models import QuestionRound, RoundOccurrence, School
from tests.helpers import run_script
from tests.rounds.harness import WEEKLY, RecordingMessenger, round_jobs, school
from tests.slack.fake_slack import FakeSlack
from tests.teams.conftest import NOW as TEAMS_NOW
from tests.teams.conftest import TENANT, Teams, fixture

FIRST = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
CLOSES = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Friday 17:00

HOSTILE_NAME = "Mallory <!channel> <@U0ANOUK01> <at>Anouk</at> <b>x</b> &amp;"
HOSTILE_REPLY = (
    "<!here> <!channel> <@U0BRAM002> <#C0PLGDATA1|x> *bold* _it_ "
    "<at>Bram Jansen</at> <script>alert(1)</script> &lt;b&gt; &amp; "
    "[klik](https://evil.example) <https://evil.example|klik> #focus"
)
# What a person may not do through the agenda: broadcast, mention, link a channel,
# make a link, or smuggle in HTML.
ACTIVE_SLACK = re.compile(r"<[!@#]|<https?:|<script|<b>|<at>")


async def round_with_hostile_replies(console: ConsoleSession, db: Database) -> int:
    await school(console, db)
    await console.send("/as anouk")
    out = await console.send(WEEKLY)
    assert any("is scheduled" in line for line in out), out
    async with db.session() as session:
        found = await session.scalar(select(QuestionRound.id))
    assert found is not None
    return int(found)


async def answer(console: ConsoleSession, round_id: int) -> None:
    for line in (f"/as {HOSTILE_NAME}", f"answer {round_id} {HOSTILE_REPLY}"):
        out = await console.send(line)
        assert not any("error" in o.lower() for o in out), out


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


async def test_the_slack_agenda_shows_hostile_replies_and_names_as_text(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_rounds: RoundJobs,
) -> None:
    round_id = await round_with_hostile_replies(console, db)
    clock.advance(FIRST - clock.now())
    await slack_rounds.run_due(str(round_id), clock.now())
    await answer(console, round_id)
    clock.advance(CLOSES - clock.now())
    await slack_rounds.run_due(str(round_id), clock.now())

    agendas = [c for c in slack.of("chat.postMessage") if "Mallory" in json.dumps(c.args["blocks"])]
    assert agendas, [c.args.get("text") for c in slack.calls]
    for call in agendas:
        blocks: list[dict[str, Any]] = call.args["blocks"]
        shown = [*strings(blocks), call.args["text"]]
        joined = "\n".join(shown)
        # The reply and the name are there, every control character as an entity.
        assert "&lt;!here&gt; &lt;!channel&gt;" in joined
        assert "Mallory &lt;!channel&gt; &lt;@U0ANOUK01&gt;" in joined
        assert "&lt;#C0PLGDATA1|x&gt;" in joined
        assert "&lt;at&gt;Bram Jansen&lt;/at&gt;" in joined
        assert "&lt;script&gt;" in joined
        # An entity someone typed stays what they typed.
        assert "&amp;lt;b&amp;gt;" in joined and "&amp;amp;" in joined
        for text in shown:
            assert not ACTIVE_SLACK.search(text), text
        # Headers are plain_text (never parsed); everything else is escaped mrkdwn.
        for block in blocks:
            if block["type"] == "header":
                assert block["text"]["type"] == "plain_text"
        assert call.args["unfurl_links"] is False


async def test_the_teams_agenda_shows_hostile_replies_and_names_as_text(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    teams: Teams,
) -> None:
    round_id = await round_with_hostile_replies(console, db)
    # The console school's round posts through a recording messenger; its agenda is
    # then posted in Teams through the real TeamsMessenger.
    bot = Bot(db, clock=clock)
    jobs = round_jobs(bot, RecordingMessenger())
    clock.advance(FIRST - clock.now())
    await jobs.run_due(str(round_id), clock.now())
    await answer(console, round_id)
    clock.advance(CLOSES - clock.now())
    await jobs.run_due(str(round_id), clock.now())
    async with db.session() as session:
        question_round = await session.get(QuestionRound, round_id)
        assert question_round is not None
        occurrence = (await session.scalars(select(RoundOccurrence))).one()
        home = await session.get(School, question_round.school_id)
        assert home is not None
        agenda = await compile_agenda(session, question_round, occurrence, now=clock.now())
    posted = agenda_message("en", agenda, zone_of(home))

    await teams.post(fixture("conversation_update_bot_added"))
    teams.connector.clear()
    settings = Settings.model_validate({"database_url": teams.db.url, "teams_local_mode": True})
    app = TeamsApp(AppContext(settings, Bot(teams.db, clock=FixedClock(TEAMS_NOW)), teams.db))
    await app.messenger.post_to_channel(
        school=SchoolRef("teams", TENANT), channel_id="19:staff@thread.tacv2", message=posted
    )

    [sent] = teams.connector.sent
    elements = _flatten(sent.card)
    # Only literal text elements: a TextBlock would read Markdown, and no mention
    # entity turns an <at> into a mention.
    assert {e["type"] for e in elements} <= {
        "AdaptiveCard",
        "RichTextBlock",
        "TextRun",
        "ColumnSet",
        "Column",
        "ActionSet",
    }
    assert not sent.body.get("entities")
    runs = "\n".join(e["text"] for e in elements if e["type"] == "TextRun")
    assert f"— {HOSTILE_NAME}" in runs
    for typed in (
        "<at>Bram Jansen</at>",
        "<script>alert(1)</script>",
        "[klik](https://evil.example)",
    ):
        assert typed in runs  # shown as the characters typed
    # The notification summary is plain text, and there is no HTML or Markdown body.
    assert sent.body.get("textFormat") in (None, "plain")
    assert not sent.body.get("text")


def _flatten(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "type" in node else []
        for value in node.values():
            found += _flatten(value)
        return found
    if isinstance(node, list):
        return [e for value in node for e in _flatten(value)]
    return []


# The weekly digest names the school's key figures.

DIGEST_SCRIPT = f"""
/as {HOSTILE_NAME}
/as Bram Jansen
/as Chantal Bakker
/as Dirk Visser
/as mallory
told @bram we looked at why pupils repeat the year #focus
told @chantal how we check hypotheses #proces
told @dirk what it brought us #meerwaarde
heard from @bram about the first results #resultaat
/as bram
told @chantal about our results #resultaat
"""


async def digest_of(console: ConsoleSession, db: Database, clock: FixedClock) -> OutboundMessage:
    out = await run_script(console, DIGEST_SCRIPT)
    assert out.count("Logged:") == 5, out
    clock.advance(timedelta(hours=1))  # the week so far counts up to now, exclusive
    async with db.session() as session:
        school_id = await session.scalar(select(School.id))
        assert school_id is not None
        week = IsoWeek.of(clock.now().date())
        digest = await compute(session, school_id, week, now=clock.now())
    message = await school_message(digest, "en")
    # Pictures are files (uploaded, named by week only); what names people is text.
    return OutboundMessage(blocks=tuple(b for b in message.blocks if not isinstance(b, File)))


async def test_the_digest_names_hostile_key_figures_as_text_on_slack_and_teams(
    console: ConsoleSession,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
    teams: Teams,
) -> None:
    digest = await digest_of(console, db, clock)
    assert HOSTILE_NAME in digest.plain_text, digest.plain_text

    await SlackMessenger(slack_client).post_to_channel(
        school=SchoolRef("slack", "T0SCHOOL01"), channel_id="C0STAFFRM1", message=digest
    )
    [call] = slack.of("chat.postMessage")
    shown = [*strings(call.args["blocks"]), call.args["text"]]
    joined = "\n".join(shown)
    assert "Mallory &lt;!channel&gt; &lt;@U0ANOUK01&gt; &lt;at&gt;Anouk&lt;/at&gt;" in joined
    for text_ in shown:
        assert not ACTIVE_SLACK.search(text_), text_

    await teams.post(fixture("conversation_update_bot_added"))
    teams.connector.clear()
    settings = Settings.model_validate({"database_url": teams.db.url, "teams_local_mode": True})
    app = TeamsApp(AppContext(settings, Bot(teams.db, clock=FixedClock(TEAMS_NOW)), teams.db))
    await app.messenger.post_to_channel(
        school=SchoolRef("teams", TENANT), channel_id="19:staff@thread.tacv2", message=digest
    )
    [sent] = teams.connector.sent
    elements = _flatten(sent.card)
    assert "TextBlock" not in {e["type"] for e in elements}
    assert not sent.body.get("entities")
    runs = "\n".join(e["text"] for e in elements if e["type"] == "TextRun")
    assert HOSTILE_NAME in runs
