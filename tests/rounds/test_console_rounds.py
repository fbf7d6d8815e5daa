"""A whole question round in the console: created by a lead, posted by the scheduler
(``/wait``), answered in the thread, by command and by button, nudged halfway, closed
into the meeting agenda; and the same in Dutch, and anonymously."""

from __future__ import annotations

from sqlalchemy import select

from adapters.console import ConsoleSession
from storage import Database
from storage.models import Interaction, QuestionRound, RoundReply
from tests.helpers import edges, run_script
from tests.rounds.harness import WEEKLY, post_number, school

REPLIES = """
/as bram
/reply {n} I think homework is often missed, and motivation drops after the autumn holiday.
/as chantal
answer 1 Homework is rarely checked.
answer 1 edit Homework is rarely checked in havo-3. Do we know which steps pupils skip?
/as dirk
/press {n} The step from havo-2 to havo-3 is big: more homework and less guidance.
/as eva
answer 1 Pupils lose motivation when they fail their first tests #focus
"""


async def test_a_whole_round_from_creation_to_agenda(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    out = await run_script(console, f"/as anouk\n{WEEKLY}")
    assert "Round 1 for Datateam havo-3 is scheduled" in out
    assert "in #staffroom, every Monday at 08:00." in out
    assert (
        "First posting: Monday 2026-11-23 at 08:00. Replies close: Friday 2026-11-27 at 17:00."
        in out
    )

    out = await run_script(console, "/wait 3d")
    n = post_number(out)
    assert "WHITEBOARDVRAAG VAN DATATEAM HAVO-3 (RONDE 1)" in out
    assert "Relatively many havo-3 pupils repeat the year. What could be causes?" in out
    assert f"[Antwoorden: /press {n} …]" in out
    assert "… it is now Monday 2026-11-23 at 11:00." in out

    out = await run_script(console, REPLIES.format(n=n))
    # Each in their own language: Bram and Chantal chose English, Eva typed it; Dirk
    # pressed the button on a Dutch post and has no language of his own.
    assert out.count("Your reply to round 1 is in") == 3
    assert "plgbot (only you): Thanks! Your reply to round 1 is in" in out  # Bram's thread
    assert "plgbot (only you): Dank je! Je antwoord op ronde 1 is binnen" in out  # Dirk's press
    assert "Your reply to round 1 is changed." in out
    assert "dirk ▸ [Antwoorden] on" in out

    out = await run_script(console, "/wait 2d\n/wait 4h")
    nudge = next(line for line in out.splitlines() if "Halverwege" in line)
    assert nudge.endswith(
        f"#staffroom ↳[{n}] plgbot: Halverwege: 4 collega's uit 3 secties hebben al geantwoord."
    )
    for name in ("Anouk", "Bram", "Chantal", "Dirk", "Eva"):
        assert name not in out, "the nudge names nobody, least of all who did not reply"

    out = await run_script(console, "/wait 3d")
    agenda = out[out.index("dm @anouk plgbot:") :]
    assert "MEETING AGENDA DATATEAM HAVO-3" in agenda
    assert "Replies       4 (colleagues: 4)" in agenda
    assert "Roles         teacher: 3, team leader: 1" in agenda
    assert "Departments   Dutch: 2, Mathematics: 1, Science: 1" in agenda
    # Causes of the PLG's problem are its focus, said in so many words or not.
    assert "focus (3)" in agenda
    assert "4. Pupils lose motivation when they fail their first tests #focus — Eva Smit" in agenda
    assert "homework: 3 replies (1, 2, 3)" in agenda
    assert "motivation: 2 replies (1, 4)" in agenda
    assert "• Do we know which steps pupils skip?" in agenda
    assert "3 replies mention “homework”: what do our data say about it?" in agenda
    assert "#datateam plgbot: AGENDA PLG-BIJEENKOMST DATATEAM HAVO-3" in out

    # The replies count in the network: each replier shared with the PLG's lead.
    stored = [(s, t, o) for s, t, o, _ in await edges(db)]
    assert sorted(stored) == sorted(
        (who, "anouk", "round_reply") for who in ("bram", "chantal", "dirk", "eva")
    )

    # The next Monday the question is asked again, after the agenda of the last week.
    out = await run_script(console, "/wait 3d")
    assert "WHITEBOARDVRAAG VAN DATATEAM HAVO-3 (RONDE 1)" in out
    out = await run_script(console, "/as bram\nanswer 1 edit too late")
    assert "You have no reply in this round to change." in out


async def test_withdrawing_a_reply_takes_it_and_its_edge_away(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    await run_script(console, f"/as anouk\n{WEEKLY}\n/wait 3d")
    out = await run_script(console, "/as bram\nanswer 1 Homework\nanswer withdraw")
    assert "Your reply to round 1 is withdrawn." in out
    async with db.session() as session:
        assert (await session.scalars(select(RoundReply))).all() == []
    assert await edges(db) == []


async def test_a_thread_reply_in_a_plg_channel_is_a_round_reply_only(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(
        console,
        "/as anouk\nround new Datateam havo-3 | What could be causes? | #datateam\n/wait 1m",
    )
    n = post_number(out, "datateam")
    await run_script(console, f"/as bram\n/reply {n} Homework @chantal")
    origins = {(s, t, o) for s, t, o, _ in await edges(db)}
    # An answer in the question's thread is a round reply to the lead and nothing else:
    # not a thread reply to plgbot's post, and not a PLG-channel mention either.
    assert origins == {("bram", "anouk", "round_reply")}


async def test_an_anonymous_round_stores_no_author_and_no_edges(
    console: ConsoleSession, db: Database
) -> None:
    await school(console, db)
    out = await run_script(console, f"/as anouk\n{WEEKLY} | anonymous\n/wait 3d")
    assert "Replies are anonymous: plgbot stores no author" in out
    assert "Antwoorden zijn anoniem" in out  # on the posted question
    n = post_number(out)
    out = await run_script(console, "/as bram\nanswer 1 Homework is often missed.")
    code = out.split("answer 1 edit ")[1].split(" ")[0]
    out = await run_script(
        console,
        f"""
        answer 1 edit WRONG1 something else
        answer 1 edit {code} Homework is often missed in havo-3.
        /as chantal
        /reply {n} Motivation drops after the first tests.
        /press {n} Homework is not checked.
        """,
    )
    assert "That code doesn't match a reply in this round." in out
    assert "Your reply to round 1 is changed." in out
    assert "a reply in the thread shows your name to everyone in the channel" in out
    async with db.session() as session:
        replies = (await session.scalars(select(RoundReply).order_by(RoundReply.id))).all()
        assert [r.text for r in replies] == [
            "Homework is often missed in havo-3.",
            "Motivation drops after the first tests.",
            "Homework is not checked.",
        ]
        assert all(r.author_id is None for r in replies)
        assert (await session.scalars(select(Interaction))).all() == []
    out = await run_script(console, "/wait 5d")
    agenda = out[out.index("dm @anouk plgbot:") :]
    assert "Replies       3 (anonymous: one colleague may have replied more than once)" in agenda
    assert "Roles" not in agenda and "Departments" not in agenda
    for name in ("Bram", "Chantal"):
        assert name not in agenda


DUTCH = (
    "ronde nieuw Datateam havo-3 | Wat kunnen oorzaken zijn? | #staffroom"
    " | tweewekelijks dinsdag 8 uur | sluit donderdag 16:00 | anoniem"
)


async def test_a_round_in_dutch(console: ConsoleSession, db: Database) -> None:
    await school(console, db)
    out = await run_script(
        console,
        f"""
        /as dirk
        /as anouk
        taal nl
        {DUTCH}
        ronde lijst
        """,
    )
    assert (
        "Ronde 1 van Datateam havo-3 is gepland: “Wat kunnen oorzaken zijn?” in #staffroom,"
        " om de week op dinsdag om 08:00." in out
    )
    assert (
        "Eerste keer: dinsdag 2026-11-24 om 08:00."
        " Antwoorden sluiten: donderdag 2026-11-26 om 16:00." in out
    )
    assert (
        "gepland, om de week op dinsdag om 08:00; volgende keer: dinsdag 2026-11-24 om 08:00" in out
    )
    out = await run_script(
        console, "/wait 4d\n/as dirk\nantwoord 1 Te weinig begeleiding bij huiswerk."
    )
    assert "Dank je! Je antwoord op ronde 1 is binnen." in out
    code = out.split("antwoord 1 intrekken ")[1].split()[0]
    out = await run_script(console, f"antwoord 1 intrekken {code}\nronde pauzeer 1")
    assert "Je antwoord op ronde 1 is ingetrokken." in out
    assert "Alleen een trekker van Datateam havo-3 kan dat. Trekkers: Anouk de Vries." in out
    async with db.session() as session:
        question_round = (await session.scalars(select(QuestionRound))).one()
        assert question_round.recurrence == "fortnightly tue 08:00"
        assert question_round.status == "scheduled"
