"""Regression (login CSRF): a page on another site could make a visitor's browser post
an attacker's sign-in link and so sign the visitor in as the attacker. A dashboard POST
from another site is refused now, with a page in the reader's language, no cookie, and
the link left unused for the person it was sent to. Over HTTP on loopback, then the
attack itself in Chromium."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, Route
from sqlalchemy import select

from adapters.dashboard.pages import COOKIE
from adapters.dashboard.same_origin import origin_of
from storage.models import DashboardSession
from tests.dashboard.conftest import PUBLIC_URL, Dashboard
from tests.dashboard.test_dashboard_access import client, signed_in

CROSS_SITE = [
    pytest.param({"Origin": "https://evil.example"}, id="origin-evil"),
    pytest.param({"Origin": "null"}, id="origin-null"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="fetch-cross-site"),
    # A sibling host of the same school's site is another origin all the same.
    pytest.param({"Sec-Fetch-Site": "same-site"}, id="fetch-same-site"),
    pytest.param({"Origin": PUBLIC_URL.replace("https:", "http:")}, id="origin-other-scheme"),
]


async def sessions(dashboard: Dashboard) -> int:
    async with dashboard.db.session() as session:
        return len((await session.scalars(select(DashboardSession))).all())


@pytest.mark.parametrize("headers", CROSS_SITE)
async def test_a_cross_site_sign_in_is_refused_and_leaves_the_link_unused(
    dashboard: Dashboard, headers: dict[str, str]
) -> None:
    link = (await dashboard.link()).removeprefix(dashboard.url)
    async with client(dashboard) as web:
        forged = await web.post(link, headers=headers)
        assert forged.status_code == 403
        assert "came from another website" in forged.text
        assert "set-cookie" not in forged.headers
        assert await sessions(dashboard) == 0
        # The real coordinator's own press still works.
        own = await web.post(link, headers={"Origin": dashboard.url})
        assert own.status_code == 303 and COOKIE in own.cookies
    assert await sessions(dashboard) == 1


async def test_the_refusal_speaks_the_readers_language(dashboard: Dashboard) -> None:
    link = (await dashboard.link()).removeprefix(dashboard.url)
    async with client(dashboard) as web:
        forged = await web.post(
            link, headers={"Origin": "https://evil.example", "Accept-Language": "nl-NL"}
        )
    assert forged.status_code == 403 and "kwam van een andere website" in forged.text
    assert forged.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "headers",
    [
        # "{own}": the test server's own origin, as a browser on its page writes it.
        pytest.param({"Origin": "{own}", "Sec-Fetch-Site": "same-origin"}, id="same-origin"),
        # Typed into the address bar or from a bookmark (no browser posts so today).
        pytest.param({"Sec-Fetch-Site": "none"}, id="fetch-none"),
        # curl, or a browser that sends neither header: no other site can make it post.
        pytest.param({}, id="no-headers"),
        # Behind an HTTPS reverse proxy the server sees http, the browser the public URL.
        pytest.param({"Origin": PUBLIC_URL, "Sec-Fetch-Site": "same-origin"}, id="public-url"),
    ],
)
async def test_a_same_origin_sign_in_works(dashboard: Dashboard, headers: dict[str, str]) -> None:
    link = (await dashboard.link()).removeprefix(dashboard.url)
    sent = {name: value.format(own=dashboard.url) for name, value in headers.items()}
    async with client(dashboard) as web:
        signed = await web.post(link, headers=sent)
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard"
    assert COOKIE in signed.cookies


async def test_a_cross_site_sign_out_is_refused_too(dashboard: Dashboard) -> None:
    async with signed_in(dashboard) as web:
        forged = await web.post("/dashboard/signout", headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403 and "came from another website" in forged.text
        assert (await web.get("/dashboard/rounds")).status_code == 200
        own = await web.post("/dashboard/signout", headers={"Sec-Fetch-Site": "same-origin"})
        assert own.status_code == 200 and "signed out" in own.text


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Plgbot.School.nl:443/dashboard", "https://plgbot.school.nl"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:80/", "http://[::1]"),
        ("https://plgbot.school.nl@evil.example", "https://evil.example"),
        ("null", None),
        ("file:///etc/passwd", None),
        ("https://host:99999", None),
    ],
)
def test_origins_are_compared_as_browsers_write_them(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


async def test_a_page_on_another_site_cannot_sign_chromium_in(
    dashboard: Dashboard, browser: BrowserContext
) -> None:
    """The attack itself: a page elsewhere auto-submits a form to a sign-in link."""
    link = await dashboard.link()
    attack = (
        f'<form id="f" method="post" action="{link}"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )

    async def evil_site(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html", body=attack)

    # Served by Playwright itself: the browser believes it is on another site.
    await browser.route("http://evil.example/**", evil_site)
    page = await browser.new_page()
    async with page.expect_navigation(url=link) as navigation:
        await page.goto("http://evil.example/prize")
    response = await navigation.value
    assert response is not None and response.status == 403
    assert "came from another website" in await page.inner_text("#message")
    assert not [c for c in await browser.cookies() if c["name"] == COOKIE]
    # The coordinator opens their link themselves afterwards: it was not used up.
    await page.goto(link)
    await page.click("#sign-in")
    await page.wait_for_url("**/dashboard")
    assert [c for c in await browser.cookies() if c["name"] == COOKIE]
