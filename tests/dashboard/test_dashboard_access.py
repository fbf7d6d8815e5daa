"""Signing in to the dashboard and what each page shows, over real HTTP on loopback
(the browser tests are in test_dashboard_browser.py): who gets a link, what is stored
of it, replays and expiry, sessions, the audit log, other schools, privacy rules."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from adapters.cli import make_bot
from adapters.console import ConsoleSession
from adapters.dashboard.pages import COOKIE
from adapters.server import build_app
from adapters.settings import Settings
from bot.clock import FixedClock
from bot.demo.names import STAFF
from bot.staff import school_year
from storage import Database, audit, digest_history, directory
from storage.models import DashboardLink, DashboardSession, Person
from storage.school_settings import set_school_config
from tests.conftest import NOW
from tests.dashboard.conftest import PUBLIC_URL, Dashboard
from tests.dashboard.school_data import OTHER_PREFIX, other_school, posted_round
from tests.live_server import serving

_FIGURE = re.compile(r'<script type="application/json" data-figure="network">(.*?)</script>', re.S)


def client(dashboard: Dashboard) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=dashboard.url, headers={"Accept-Language": "en"})


@asynccontextmanager
async def signed_in(dashboard: Dashboard, who: str = "noor") -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as ``who``. The cookie is Secure (the public URL is https)
    and httpx keeps Secure cookies off plain http, so it is sent by hand."""
    link = await dashboard.link(who)
    async with client(dashboard) as web:
        response = await web.post(link.removeprefix(dashboard.url))
        assert response.status_code == 303 and response.headers["location"] == "/dashboard"
        web.headers["Cookie"] = f"{COOKIE}={response.cookies[COOKIE]}"
        yield web


def network_of(html: str) -> dict[str, object]:
    found = _FIGURE.search(html)
    assert found is not None
    figure: dict[str, object] = json.loads(found[1])
    return figure


async def test_a_coordinator_gets_a_private_link_and_only_its_hash_is_stored(
    dashboard: Dashboard,
) -> None:
    answer = await dashboard.ask("noor")
    found = re.search(re.escape(PUBLIC_URL) + r"/dashboard/signin/([\w\-]+)", answer)
    assert found is not None and "15 minuten" in answer
    token = found[1]
    # 256 random bits in hex: no "_" or "-" that chat markdown could mangle.
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    async with dashboard.db.session() as session:
        links = (await session.scalars(select(DashboardLink))).all()
    assert [link.token_hash for link in links] == [hashlib.sha256(token.encode()).hexdigest()]
    assert links[0].expires_at == dashboard.clock.now() + timedelta(minutes=15)
    # A school leader may ask too, in English.
    await dashboard.ask("gerard", "language en")
    answer = await dashboard.ask("gerard", "dashboard")
    assert "valid for 15 minutes" in answer and PUBLIC_URL in answer


@pytest.mark.parametrize(
    ("who", "line", "expected"),
    [
        ("bram", "dashboard", "voor coördinatoren en schoolleiders"),
        ("anouk", "overzichtspagina", "voor coördinatoren en schoolleiders"),
        ("dirk", "dashboard", "voor coördinatoren en schoolleiders"),
    ],
)
async def test_everyone_else_is_refused_in_chat_and_nothing_is_stored(
    dashboard: Dashboard, who: str, line: str, expected: str
) -> None:
    answer = await dashboard.ask(who, line)
    assert expected in answer and "/dashboard/signin/" not in answer
    async with dashboard.db.session() as session:
        assert (await session.scalars(select(DashboardLink))).all() == []


async def test_english_refusal(dashboard: Dashboard) -> None:
    await dashboard.ask("bram", "language en")
    assert "for coordinators and school leaders" in await dashboard.ask("bram", "dashboard")


async def test_opening_the_link_does_not_use_it_up_signing_in_does(
    dashboard: Dashboard,
) -> None:
    link = (await dashboard.link()).removeprefix(dashboard.url)
    async with client(dashboard) as web:
        # A link preview (Slack unfurl, a mail scanner) only GETs: the link still works.
        for _ in range(2):
            page = await web.get(link)
            assert page.status_code == 200 and 'id="sign-in"' in page.text
        signed = await web.post(link)
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
        assert "Path=/dashboard" in cookie and "Max-Age=28800" in cookie
        session_id = signed.cookies[COOKIE]
        web.headers["Cookie"] = f"{COOKIE}={session_id}"
        assert (await web.get("/dashboard")).status_code == 200
        # Replayed: by GET or by POST, with or without the session.
        again = await web.post(link)
        assert again.status_code == 403 and "already been used" in again.text
        assert (await web.get(link)).status_code == 403
    async with dashboard.db.session() as session:
        stored = (await session.scalars(select(DashboardSession))).all()
    assert [s.session_hash for s in stored] == [hashlib.sha256(session_id.encode()).hexdigest()]


async def test_unknown_and_expired_links_are_refused(dashboard: Dashboard) -> None:
    link = (await dashboard.link()).removeprefix(dashboard.url)
    async with client(dashboard) as web:
        unknown = await web.post("/dashboard/signin/not-a-token")
        assert unknown.status_code == 403 and "not valid" in unknown.text
        dashboard.clock.advance(timedelta(minutes=14, seconds=59))
        assert (await web.get(link)).status_code == 200
        dashboard.clock.advance(timedelta(seconds=1))
        expired = await web.post(link)
        assert expired.status_code == 403 and "expired" in expired.text
        assert "plgbot_dashboard" not in expired.cookies


async def test_sessions_expire_after_eight_hours_and_end_on_sign_out(
    dashboard: Dashboard,
) -> None:
    async with signed_in(dashboard) as web:
        dashboard.clock.advance(timedelta(hours=7, minutes=59))
        assert (await web.get("/dashboard/rounds")).status_code == 200
        dashboard.clock.advance(timedelta(minutes=1))
        gone = await web.get("/dashboard/rounds")
        assert gone.status_code == 401 and "type dashboard to the bot" in gone.text
    async with signed_in(dashboard) as web:
        out = await web.post("/dashboard/signout")
        assert out.status_code == 200 and "signed out" in out.text
        # Signed out: its row is gone; the expired one went when the link was made.
        async with dashboard.db.session() as session:
            assert (await session.scalars(select(DashboardSession))).all() == []
        assert (await web.get("/dashboard/rounds")).status_code == 401


async def test_a_coordinator_who_is_no_longer_one_loses_access(dashboard: Dashboard) -> None:
    async with signed_in(dashboard) as web:
        async with dashboard.db.session() as session:
            await session.execute(
                update(Person).where(Person.handle == "noor").values(role="teacher")
            )
        assert (await web.get("/dashboard")).status_code == 401


async def test_every_page_view_is_in_the_audit_log(dashboard: Dashboard) -> None:
    async with signed_in(dashboard) as web:
        assert (await web.get("/dashboard?weeks=4")).status_code == 200
        assert (await web.get("/dashboard/rounds")).status_code == 200
        assert (await web.get("/dashboard/history")).status_code == 200
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        entries = await audit.entries(session, school.id)
    views = [(e.actor_name, e.action, e.subject) for e in reversed(entries)]
    assert views == [
        ("Noor Hendriks", "dashboard.signin", "/dashboard/signin"),
        ("Noor Hendriks", "dashboard.view", "/dashboard?weeks=4"),
        ("Noor Hendriks", "dashboard.view", "/dashboard/rounds"),
        ("Noor Hendriks", "dashboard.view", "/dashboard/history"),
    ]


async def test_another_schools_data_is_never_shown(dashboard: Dashboard) -> None:
    other_id = await other_school(dashboard.db)
    _, theirs = await posted_round(
        dashboard.db, tenant="other", question="Their question", replies={"bram": "theirs"}
    )
    _, ours = await posted_round(
        dashboard.db, tenant="demo", question="Our question", replies={"bram": "ours"}
    )
    async with dashboard.db.session() as session:
        other_plg = (await directory.plgs_of_school(session, other_id))[0]
    async with signed_in(dashboard) as web:
        assert (await web.get(f"/dashboard?school={other_id}")).status_code == 403
        assert (await web.get(f"/dashboard/rounds/{theirs}")).status_code == 404
        assert (await web.get(f"/dashboard/rounds/{theirs}/agenda.md")).status_code == 404
        wrong_plg = await web.get(f"/dashboard?plg={other_plg.id}")
        # Signed-in pages speak the coordinator's language (the demo school's Dutch).
        assert wrong_plg.status_code == 400 and "hoort niet bij je school" in wrong_plg.text
        rounds = await web.get("/dashboard/rounds")
        assert "Our question" in rounds.text and "Their question" not in rounds.text
        agenda = await web.get(f"/dashboard/rounds/{ours}")
        assert agenda.status_code == 200 and "ours" in agenda.text
        for path in ("/dashboard", "/dashboard/rounds", f"/dashboard/rounds/{ours}"):
            assert OTHER_PREFIX not in (await web.get(path)).text


async def test_agenda_download_is_the_markdown_agenda(dashboard: Dashboard) -> None:
    _, ours = await posted_round(
        dashboard.db,
        tenant="demo",
        question="Why do havo-3 pupils repeat the year?",
        replies={"bram": "Homework is not checked.", "chantal": "Do we look at the data?"},
    )
    async with signed_in(dashboard) as web:
        page = await web.get(f"/dashboard/rounds/{ours}")
        assert "Homework is not checked." in page.text and "Bram Jansen" in page.text
        download = await web.get(f"/dashboard/rounds/{ours}/agenda.md")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    assert download.text.startswith("# ") and "Homework is not checked." in download.text


async def test_aggregate_only_schools_show_no_names(dashboard: Dashboard) -> None:
    _, ours = await posted_round(
        dashboard.db, tenant="demo", question="What helps?", replies={"bram": "Data helps."}
    )
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        await set_school_config(session, school.id, {"aggregate_only": "true"})
    async with signed_in(dashboard) as web:
        overview = (await web.get("/dashboard")).text
        agenda = (await web.get(f"/dashboard/rounds/{ours}")).text
    assert 'id="aggregate-note"' in overview
    named = [m.name for m in STAFF if m.name != "Noor Hendriks"]
    # Only the signed-in coordinator's own name, in the page header.
    for page in (overview, agenda):
        assert not [name for name in named if name in page]
    assert "Data helps." in agenda
    hover = json.dumps(network_of(overview)["data"])
    assert "Noor Hendriks" not in hover and "<b>" in hover


async def test_a_school_leader_sees_totals_only_unless_the_school_decides_otherwise(
    dashboard: Dashboard,
) -> None:
    """Leaders appraise staff: by default they see no names (design.md, Privacy)."""
    named = [m.name for m in STAFF if m.name != "Gerard Bos"]
    async with signed_in(dashboard, "gerard") as web:
        overview = (await web.get("/dashboard")).text
    assert 'id="aggregate-note"' in overview
    assert not [name for name in named if name in overview]
    digest = await dashboard.ask("gerard", "overzicht")
    assert not [name for name in named if name in digest]
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        await set_school_config(session, school.id, {"leaders_see_names": "on"})
    async with signed_in(dashboard, "gerard") as web:
        overview = (await web.get("/dashboard")).text
    assert 'id="aggregate-note"' not in overview
    assert [name for name in named if name in overview]
    # The coordinator sees names either way.
    async with signed_in(dashboard, "noor") as web:
        assert 'id="aggregate-note"' not in (await web.get("/dashboard")).text


async def test_small_departments_are_never_shown_apart(dashboard: Dashboard) -> None:
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        people = await directory.people_of_school(session, school.id)
    sizes: dict[str, int] = {}
    for person in people:
        sizes[person.department or ""] = sizes.get(person.department or "", 0) + 1
    small = {d for d, n in sizes.items() if d and n < 5}
    assert small, "the demo school has small departments (Directie, Zorg...)"
    async with signed_in(dashboard) as web:
        html = (await web.get("/dashboard")).text
    figure = network_of(html)
    traces = figure["data"]
    assert isinstance(traces, list)
    shown = {trace["name"] for trace in traces}
    assert "overige secties" in shown
    assert all(sizes.get(name, 5) >= 5 for name in shown if name != "overige secties")
    hover = json.dumps(traces)
    assert not [d for d in small if d in hover]


async def test_filters_by_plg_and_window_and_bad_values(dashboard: Dashboard) -> None:
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        plg = (await directory.plgs_of_school(session, school.id))[0]
    async with signed_in(dashboard) as web:
        whole = await web.get("/dashboard")
        one = await web.get(f"/dashboard?plg={plg.id}&weeks=4")
        assert whole.status_code == one.status_code == 200
        assert f'<option value="{plg.id}" selected>' in one.text
        nodes = [int(re.search(r'data-nodes="(\d+)"', p.text)[1]) for p in (whole, one)]  # type: ignore[index]
        assert 0 < nodes[1] < nodes[0]
        for query, message in [
            ("weeks=0", "van 1 tot 52"),
            ("weeks=53", "van 1 tot 52"),
            ("weeks=x", "van 1 tot 52"),
            ("plg=abc", "hoort niet bij je school"),
            ("plg=999999", "hoort niet bij je school"),
        ]:
            bad = await web.get(f"/dashboard?{query}")
            assert bad.status_code == 400 and message in bad.text, query


async def test_history_shows_stored_digest_weeks(dashboard: Dashboard) -> None:
    async with signed_in(dashboard) as web:
        empty = await web.get("/dashboard/history")
        assert empty.status_code == 200 and 'id="history-empty"' in empty.text
        async with dashboard.db.session() as session:
            school = await directory.find_school(session, "demo")
            assert school is not None
            for number, active in ((46, 12), (47, 20)):
                week = digest_history.WeekFigures(
                    school_id=school.id,
                    week=f"2026-W{number}",
                    week_start=NOW - timedelta(weeks=48 - number),
                    staff=40,
                    active=active,
                    interactions=3 * active,
                    new_ties=number - 40,
                    ties=50,
                    reciprocal_ties=10,
                    knowledge=(1, 2, 3, 4, 5),
                    nudges_sent=3,
                    nudges_followed=1,
                    holiday=False,
                )
                await digest_history.save_week(session, week, [], now=NOW)
        page = await web.get("/dashboard/history")
    assert page.status_code == 200 and 'data-figure="chart-history"' in page.text
    rows = re.findall(r"<td>(2026-W\d+)</td>\s*<td>(\d+)% \((\d+)/40\)", page.text)
    # Newest first; participation 20/40 and 12/40.
    assert rows == [("2026-W47", "50", "20"), ("2026-W46", "30", "12")]


def test_public_url_must_be_a_web_address() -> None:
    assert Settings(PLGBOT_PUBLIC_URL="https://plgbot.school.nl/").public_url == (
        "https://plgbot.school.nl"
    )
    with pytest.raises(ValueError, match="http"):
        Settings(PLGBOT_PUBLIC_URL="ftp://plgbot.school.nl")


async def test_asked_in_a_channel_the_link_is_shown_to_the_coordinator_only(
    dashboard: Dashboard,
) -> None:
    console = ConsoleSession(dashboard.bot, dashboard.db, school="demo", clock=dashboard.clock)
    await console.become("noor")
    await console.send("/in #teamkamer")
    answer = "\n".join(await console.send("@plgbot dashboard"))
    assert "plgbot (only you): " in answer and "/dashboard/signin/" in answer


async def test_two_presses_of_one_link_sign_in_once(dashboard: Dashboard) -> None:
    link = (await dashboard.link()).removeprefix(dashboard.url)
    async with client(dashboard) as first, client(dashboard) as second:
        presses = await asyncio.gather(first.post(link), second.post(link))
    assert sorted(p.status_code for p in presses) == [303, 403]
    async with dashboard.db.session() as session:
        assert len((await session.scalars(select(DashboardSession))).all()) == 1


async def test_names_and_questions_cannot_add_markup_to_a_page(dashboard: Dashboard) -> None:
    evil = '<img src=x onerror="alert(1)">'
    async with dashboard.db.session() as session:
        await session.execute(
            update(Person).where(Person.handle == "anouk").values(display_name=f"Anouk {evil}")
        )
    _, ours = await posted_round(
        dashboard.db, tenant="demo", question=f"Why {evil}?", replies={"anouk": evil}
    )
    async with signed_in(dashboard) as web:
        pages = [
            (await web.get(path)).text
            for path in ("/dashboard", "/dashboard/rounds", f"/dashboard/rounds/{ours}")
        ]
    for html in pages:
        assert "<img" not in html
    assert "Anouk &lt;img" in pages[0] and "Why &lt;img" in pages[1]
    hover = json.dumps(network_of(pages[0])["data"])
    assert "Anouk &lt;img src=x" in hover


async def test_plotly_js_is_served_by_the_dashboard_itself(dashboard: Dashboard) -> None:
    async with client(dashboard) as web:
        zipped = await web.get("/dashboard/static/plotly.min.js")
        plain = await web.get(
            "/dashboard/static/plotly.min.js", headers={"Accept-Encoding": "identity"}
        )
    assert zipped.status_code == plain.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"]) / 2
    assert zipped.content == plain.content and b"plotly" in plain.content[:2000]


async def test_serve_mounts_the_dashboard_and_links_use_the_public_url(
    db: Database, database_url: str, clock: FixedClock
) -> None:
    """The wiring ``plgbot serve`` and ``plgbot console`` use, from the settings."""
    settings = Settings(database_url=database_url, PLGBOT_PUBLIC_URL="https://dash.school.nl/")
    assert make_bot(settings, db, clock).config.public_url == "https://dash.school.nl"
    async with serving(build_app(settings, clock=clock)) as url, httpx.AsyncClient() as web:
        page = await web.get(f"{url}/dashboard")
        script = await web.get(f"{url}/dashboard/static/dashboard.js")
    assert page.status_code == 401 and page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert script.status_code == 200 and "Plotly.newPlot" in script.text


async def test_a_closed_school_year_stays_on_the_history_page(dashboard: Dashboard) -> None:
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        summary = await school_year.close(session, school, dashboard.clock.now(), actor_id=None)
    async with signed_in(dashboard) as web:
        page = (await web.get("/dashboard/history")).text
    table = page.split('id="school-years"')[1].split("</table>")[0]
    assert "<td>2026-2027</td>" in table
    assert f"({summary.active}/{summary.staff})" in table
    assert "Datateam havo-3: " in table
