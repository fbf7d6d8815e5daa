"""Turning a page's values into an HTML response: Jinja2 templates (autoescaped), the
catalogue's texts in the reader's language, and headers that keep pages private."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.catalogue import Language, as_language, text

HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Scripts only from the dashboard itself (plotly.js included): the figures travel as
# JSON data, never as inline script. plotly.js sets styles inline, so styles may be.
# Referrer-Policy "same-origin", not "no-referrer": no other site learns a dashboard
# address (a sign-in link carries its token) either way, but under "no-referrer" the
# browser also sends "Origin: null" with the dashboard's own form posts, which the
# cross-site check (same_origin.py) cannot tell from a forged one.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def reader_language(request: Request, default: Language) -> Language:
    """Before sign-in nobody is known: the browser's first supported language."""
    for part in request.headers.get("accept-language", "").split(","):
        found = as_language(part.split(";")[0])
        if found is not None:
            return found
    return default


def page(
    template: str, language: Language, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    body = TEMPLATES.get_template(template).render(
        t=partial(text, language), language=language, **values
    )
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


def notice(
    language: Language, key: str, *, status_code: int, viewer: object = None, **values: object
) -> HTMLResponse:
    """A page with one message (a refusal, a bad filter, signed out)."""
    return page(
        "notice.html",
        language,
        status_code=status_code,
        message=text(language, key, **values),
        viewer=viewer,
    )
