"""The coordinators' web dashboard at ``/dashboard`` (``plgbot serve`` always mounts it).

A coordinator or school leader types ``dashboard`` to the bot and gets a one-time
sign-in link (:mod:`bot.dashboard.access`); the link starts a browser session in an
HttpOnly cookie. The pages: the network picture with trend charts (filter by PLG and
window), the question rounds with their agendas, and the stored weekly digests. Every
view is recorded in the audit log. Charts are drawn by plotly.js, served from the
``plotly`` package itself (no CDN): the server may have no internet, nor its readers.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.dashboard.pages import Pages
from adapters.dashboard.render import HERE
from adapters.server import AppContext

PLOTLY_JS = files("plotly") / "package_data" / "plotly.min.js"


_CACHED = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


@cache
def _plotly_gzipped() -> bytes:
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=6)


async def plotly_js(request: Request) -> Response:
    """plotly.js (4.8 MB), gzipped once (1.4 MB) for browsers that accept it."""
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return FileResponse(str(PLOTLY_JS), media_type="text/javascript", headers=_CACHED)
    body = await asyncio.to_thread(_plotly_gzipped)
    headers = {**_CACHED, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Response(body, media_type="text/javascript", headers=headers)


def routes(context: AppContext) -> Sequence[BaseRoute]:
    pages = Pages(context)
    return [
        Route("/dashboard", pages.overview, methods=["GET"]),
        Route("/dashboard/rounds", pages.rounds, methods=["GET"]),
        Route("/dashboard/rounds/{occurrence_id:int}", pages.agenda, methods=["GET"]),
        Route(
            "/dashboard/rounds/{occurrence_id:int}/agenda.md",
            pages.agenda_download,
            methods=["GET"],
        ),
        Route("/dashboard/history", pages.history, methods=["GET"]),
        Route("/dashboard/signin/{token}", pages.signin_form, methods=["GET"]),
        Route("/dashboard/signin/{token}", pages.signin, methods=["POST"]),
        Route("/dashboard/signout", pages.signout, methods=["POST"]),
        Route("/dashboard/static/plotly.min.js", plotly_js, methods=["GET"]),
        Mount("/dashboard/static", app=StaticFiles(directory=HERE / "static"), name="dashboard"),
    ]
