"""The dashboard in a real headless Chromium: a coordinator signs in with the link the
bot sent, sees the network and the charts drawn by plotly.js, and hovers a dot; a used
or expired link, another school's pages and a missing session are refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.async_api import BrowserContext, Page

from bot.demo.names import STAFF
from bot.staff import school_year
from storage import digest_history, directory
from tests.conftest import NOW
from tests.dashboard.conftest import Dashboard
from tests.dashboard.school_data import OTHER_PREFIX, other_school, posted_round


async def store_digest_weeks(dashboard: Dashboard) -> None:
    """Three weekly digests, as the digest job stores them."""
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        for number in (45, 46, 47):
            week = digest_history.WeekFigures(
                school_id=school.id,
                week=f"2026-W{number}",
                week_start=NOW - timedelta(weeks=48 - number),
                staff=40,
                active=number - 25,
                interactions=3 * number,
                new_ties=number - 40,
                ties=50,
                reciprocal_ties=number - 35,
                knowledge=(1, 2, 3, 4, 5),
                nudges_sent=3,
                nudges_followed=1,
                holiday=False,
            )
            await digest_history.save_week(session, week, [], now=NOW)


async def sign_in(page: Page, link: str) -> None:
    await page.goto(link)
    await page.click("#sign-in")
    await page.wait_for_url("**/dashboard")


async def drawn(page: Page, figure: str) -> None:
    await page.wait_for_selector(f"#{figure}[data-drawn=true]", timeout=30_000)


async def test_coordinator_signs_in_by_link_and_sees_network_and_charts(
    dashboard: Dashboard, browser: BrowserContext, artifacts: Path
) -> None:
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(page, await dashboard.link("noor"))

    assert "Noor Hendriks" in await page.inner_text("#signed-in")
    for figure in ("network", "chart-knowledge", "chart-participation", "chart-departments"):
        await drawn(page, figure)
    network = page.locator("#network")
    nodes = int(await network.get_attribute("data-nodes") or 0)
    edges = int(await network.get_attribute("data-edges") or 0)
    # The demo school: most of its 40 staff talk about a PLG, along many ties.
    assert nodes >= 25 and edges >= 50
    assert await page.locator("#network .scatterlayer .point").count() == nodes
    assert await page.locator("#network .annotation-arrow-g").count() == edges
    assert await page.locator("#chart-knowledge .barlayer .point").count() > 0
    assert await page.locator("#chart-participation .scatterlayer .point").count() > 0
    assert await page.locator("#chart-departments .barlayer .point").count() > 0
    assert "Anouk de Vries" in await page.inner_text("#key-figures")

    # Hovering the largest dot (the best-connected colleague) shows who, role and ties.
    points = page.locator("#network .scatterlayer .point")
    sizes = []
    for index in range(nodes):
        box = await points.nth(index).bounding_box()
        assert box is not None
        sizes.append((box["width"], index, box))
    _, _, box = max(sizes)
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hover = page.locator("#network .hoverlayer .hovertext")
    await hover.first.wait_for(timeout=10_000)
    said = await hover.first.text_content() or ""
    assert "Anouk de Vries" in said and "wederzijds" in said and "sleutelfiguur 1" in said

    cookie = next(c for c in await browser.cookies() if c["name"] == "plgbot_dashboard")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["secure"]
    assert cookie["path"] == "/dashboard"
    shot = artifacts / "dashboard-overview.png"
    await page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert not errors


async def test_filtering_by_plg_and_weeks_redraws_the_network(
    dashboard: Dashboard, browser: BrowserContext
) -> None:
    page = await browser.new_page()
    await sign_in(page, await dashboard.link("noor"))
    await drawn(page, "network")
    everyone = int(await page.locator("#network").get_attribute("data-nodes") or 0)
    await page.select_option("#filter-plg", label="Datateam havo-3")
    await page.fill("#filter-weeks", "4")
    await page.click("form.filters button")
    await page.wait_for_url("**/dashboard?plg=*&weeks=4")
    await drawn(page, "network")
    assert "Datateam havo-3" in await page.inner_text("h2")
    some = int(await page.locator("#network").get_attribute("data-nodes") or 0)
    assert 0 < some < everyone
    assert await page.locator("#network .scatterlayer .point").count() == some
    assert "de laatste 4 weken" in await page.inner_text("#network-caption")


async def test_a_used_link_is_refused(dashboard: Dashboard, browser: BrowserContext) -> None:
    link = await dashboard.link("noor")
    page = await browser.new_page()
    await sign_in(page, link)
    # The same link again, in a browser without the session: refused, stays refused.
    await browser.clear_cookies()
    visitor = await browser.new_page()
    response = await visitor.goto(link)
    # Before sign-in the page speaks the browser's language (en-GB here).
    assert response is not None and response.status == 403
    assert "already been used" in await visitor.inner_text("#message")
    assert await visitor.locator("#sign-in").count() == 0
    response = await visitor.goto(dashboard.url + "/dashboard")
    assert response is not None and response.status == 401


async def test_an_expired_link_is_refused(dashboard: Dashboard, browser: BrowserContext) -> None:
    link = await dashboard.link("noor")
    page = await browser.new_page()
    await page.goto(link)
    assert await page.locator("#sign-in").count() == 1
    # The page with the button was opened in time, but the button is pressed too late.
    dashboard.clock.advance(timedelta(minutes=15, seconds=1))
    await page.click("#sign-in")
    await page.wait_for_selector("#message")
    assert "has expired" in await page.inner_text("#message")
    response = await page.goto(dashboard.url + "/dashboard")
    assert response is not None and response.status == 401
    assert "type dashboard to the bot" in await page.inner_text("#message")


async def test_another_schools_pages_are_refused(
    dashboard: Dashboard, browser: BrowserContext
) -> None:
    other_id = await other_school(dashboard.db)
    _, their_posting = await posted_round(
        dashboard.db, tenant="other", question="Wat werkt bij havo-3?", replies={"bram": "Ja."}
    )
    page = await browser.new_page()
    await sign_in(page, await dashboard.link("noor"))
    await drawn(page, "network")
    html = await page.content()
    assert OTHER_PREFIX not in html

    response = await page.goto(f"{dashboard.url}/dashboard?school={other_id}")
    assert response is not None and response.status == 403
    assert "eigen school" in await page.inner_text("#message")
    for path in (
        f"/dashboard/rounds/{their_posting}",
        f"/dashboard/rounds/{their_posting}/agenda.md",
    ):
        response = await page.goto(dashboard.url + path)
        assert response is not None and response.status == 404
    response = await page.goto(dashboard.url + "/dashboard/rounds")
    assert response is not None and response.status == 200
    assert "havo-3" not in await page.content()

    # Their coordinator sees their school, and nothing of the demo school's people.
    await browser.clear_cookies()
    their_page = await browser.new_page()
    await sign_in(their_page, await dashboard.link("noor", school="other"))
    await drawn(their_page, "network")
    text = await their_page.content()
    assert f"{OTHER_PREFIX} Noor Hendriks" in text
    assert not any(f">{m.name}<" in text for m in STAFF)


async def test_without_a_session_the_pages_say_how_to_sign_in(
    dashboard: Dashboard, browser: BrowserContext
) -> None:
    page = await browser.new_page()
    for path in ("/dashboard", "/dashboard/rounds", "/dashboard/history", "/dashboard/rounds/1"):
        response = await page.goto(dashboard.url + path)
        assert response is not None and response.status == 401
        # The browser asks in English (locale en-GB), so the page answers in English.
        assert "type dashboard to the bot" in await page.inner_text("#message")


async def test_rounds_agendas_and_history_through_the_menu(
    dashboard: Dashboard, browser: BrowserContext, artifacts: Path
) -> None:
    await posted_round(
        dashboard.db,
        tenant="demo",
        question="Waarom blijven havo-3-leerlingen zitten?",
        replies={"bram": "Huiswerk wordt niet nagekeken.", "chantal": "Kijken we naar de data?"},
    )
    page = await browser.new_page()
    await sign_in(page, await dashboard.link("noor"))
    await page.click("text=Vragenrondes")
    await page.wait_for_selector("#rounds")
    row = page.locator("#rounds tbody tr").first
    assert "Waarom blijven havo-3-leerlingen zitten?" in await row.inner_text()
    await row.locator("text=agenda").click()
    await page.wait_for_selector("#agenda")
    agenda = await page.inner_text("#agenda")
    assert "Huiswerk wordt niet nagekeken." in agenda and "Bram Jansen" in agenda
    await page.screenshot(path=str(artifacts / "dashboard-agenda.png"), full_page=True)
    await page.click("text=Eerdere overzichten")
    await page.wait_for_selector("#history-empty")
    await store_digest_weeks(dashboard)
    await page.reload()
    await drawn(page, "chart-history")
    assert await page.locator("#chart-history .scatterlayer .point").count() == 2 * 3
    assert await page.locator("#history tbody tr").count() == 3
    async with dashboard.db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        await school_year.close(session, school, dashboard.clock.now(), actor_id=None)
    await page.reload()
    await page.wait_for_selector("#school-years")
    year = await page.inner_text("#school-years tbody tr")
    assert "2026-2027" in year and "Datateam havo-3" in year
    await page.screenshot(path=str(artifacts / "dashboard-history.png"), full_page=True)
    await page.click("text=Afmelden")
    await page.wait_for_selector("#message")
    response = await page.goto(dashboard.url + "/dashboard")
    assert response is not None and response.status == 401
