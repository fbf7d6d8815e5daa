"""Regression: the dashboard's agenda page and its ``agenda.md`` named a colleague who
replied and then opted out. They show "een collega" / "a colleague" now, in the
coordinator's language, and their reply still counts (design.md, Privacy)."""

from __future__ import annotations

import html
import re

from tests.dashboard.conftest import Dashboard
from tests.dashboard.school_data import posted_round
from tests.dashboard.test_dashboard_access import signed_in

_CELLS = re.compile(r"<t[hd]>(.*?)</t[hd]>", re.S)


def facts_of(page: str) -> dict[str, str]:
    """The agenda's facts table (label → value), unescaped."""
    cells = [html.unescape(cell) for cell in _CELLS.findall(page)]
    return dict(zip(cells[::2], cells[1::2], strict=True))


async def test_agenda_page_and_download_name_nobody_who_opted_out(dashboard: Dashboard) -> None:
    _, ours = await posted_round(
        dashboard.db,
        tenant="demo",
        question="Why do havo-3 pupils repeat the year?",
        replies={"bram": "Homework is not checked.", "chantal": "Do we look at the data?"},
    )
    assert "Gedaan: vanaf nu leg ik niets meer over je vast" in await dashboard.ask(
        "bram", "afmelden"
    )
    async with signed_in(dashboard) as web:
        page = await web.get(f"/dashboard/rounds/{ours}")
        download = await web.get(f"/dashboard/rounds/{ours}/agenda.md")
        # The same agenda for a coordinator who reads English.
        await dashboard.ask("noor", "language en")
        english = await web.get(f"/dashboard/rounds/{ours}")
    assert page.status_code == download.status_code == english.status_code == 200
    dutch = html.unescape(page.text)
    assert "1. Homework is not checked. — een collega" in dutch
    assert "2. Do we look at the data? — Chantal Bakker" in dutch
    assert "Homework is not checked. — een collega" in download.text
    assert "1. Homework is not checked. — a colleague" in html.unescape(english.text)
    for shown in (page.text, download.text, english.text):
        assert "Bram Jansen" not in shown
    # Bram's reply counts all the same: two colleagues, two teachers, both departments.
    facts = facts_of(page.text)
    assert facts["Antwoorden"] == "2 (collega's: 2)"
    assert facts["Rollen"] == "docent: 2"
    assert facts["Secties"] == "Exacte vakken: 1, Wiskunde: 1"
