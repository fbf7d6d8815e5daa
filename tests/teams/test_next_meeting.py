"""After a PLG's meeting, on Teams: the lead gets the question as a private card through
the real TeamsMessenger, and a submitted date sets the next meeting; asked once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from scheduler.meetings import MeetingJobs
from storage import directory
from storage.models import PLG
from tests.teams.conftest import ANOUK, TENANT, Teams
from tests.teams.scenario import (
    Ids,
    messengers,
    move_to,
    personal_chat,
    said,
    submits,
    submitted,
    team_with_channels,
)

# Thursday 3 December 2026, 08:00 in Amsterdam: the morning after a Wednesday meeting.
ASKED = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


async def test_the_lead_gets_a_card_and_a_submitted_date_sets_the_meeting(teams: Teams) -> None:
    ids = Ids()
    await team_with_channels(teams, ids)
    for line in (
        "language en",
        "plg new Datateam havo-3 focus Many havo-3 pupils repeat the year",
        "plg meeting Datateam havo-3 2026-12-02",
    ):
        response = await teams.post(said(line, author=ANOUK, activity_id=ids()))
        assert response.status_code == 200, response.text
    teams.connector.clear()
    bot, registered = messengers(teams)
    jobs = MeetingJobs(bot, registered)
    async with teams.db.session() as session:
        school = await directory.find_school(session, TENANT)
        assert school is not None
        key = str(school.id)

    await jobs.run_due(key, move_to(teams, ASKED))
    [card] = [c for c in teams.connector.sent if "has taken place" in c.card_text]
    assert card.conversation_id == personal_chat(ANOUK)
    assert (
        "The Datateam havo-3 meeting on Wednesday 2 December 2026 has taken place."
        in card.card_text
    )
    dates = submits(card.card)
    assert [d["title"] for d in dates] == [
        "Wednesday 9 December 2026",
        "Wednesday 16 December 2026",
        "Wednesday 23 December 2026",
        "Wednesday 30 December 2026",
    ]
    # A second run that day (a restart, another scheduler) asks nothing more.
    teams.connector.clear()
    await jobs.run_due(key, move_to(teams, ASKED + timedelta(hours=3)))
    assert [c for c in teams.connector.sent if "has taken place" in c.card_text] == []

    assert card.response_id
    press = submitted(dates[1]["data"], author=ANOUK, activity_id=ids(), card_id=card.response_id)
    assert (await teams.post(press)).status_code == 200
    answered = teams.connector.sent + teams.connector.updated
    assert any(
        "Next meeting of Datateam havo-3: Wednesday 16 December 2026." in c.card_text
        for c in answered
    )
    async with teams.db.session() as session:
        assert await session.scalar(select(PLG.next_meeting)) == date(2026, 12, 16)
