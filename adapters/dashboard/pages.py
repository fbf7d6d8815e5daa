"""The dashboard's pages. Each page checks the session cookie, the person's role and
the school the URL names, records the view in the audit log, and renders what
:mod:`bot.dashboard.views` says may be shown."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from adapters.dashboard.render import SECURITY_HEADERS, notice, page, reader_language
from adapters.dashboard.same_origin import is_cross_site
from adapters.server import AppContext
from bot.catalogue import Language, text
from bot.dashboard import access
from bot.dashboard import views as view
from bot.messages import Bullets, Facts, Heading, Paragraph
from bot.rounds.agenda import agenda_markdown, agenda_message
from bot.rounds.messages import when
from bot.school_time import zone_of
from bot.staff.roles import as_seen_by
from bot.staff.school_year import YearSummary
from storage import audit, digest_history, directory, school_years
from storage import dashboard as store
from storage.school_settings import SchoolConfig

COOKIE = "plgbot_dashboard"
VIEW_ACTION = "dashboard.view"

log = logging.getLogger("plgbot.dashboard")


@dataclass(frozen=True, slots=True)
class Visit:
    """One signed-in page request: who, in which transaction, with the school's settings."""

    viewer: access.Viewer
    session: AsyncSession
    settings: SchoolConfig
    now: datetime

    def t(self, key: str, **values: object) -> str:
        return text(self.viewer.language, key, **values)


PageBody = Callable[[Request, Visit], Awaitable[Response]]


class Pages:
    """The endpoints, bound to the server's core and database."""

    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.bot = context.bot
        self.secure = context.settings.public_url.startswith("https://")

    # --- signing in and out -------------------------------------------------------

    async def signin_form(self, request: Request) -> Response:
        """Show a button rather than signing in on GET: link previews (Slack unfurls,
        mail scanners) fetch links, and must not use the one sign-in up."""
        language = reader_language(request, self.bot.config.default_language)
        token = str(request.path_params["token"])
        refusal = await access.link_refusal(self.context.db, token, self.bot.clock.now())
        if refusal is not None:
            return _refused(language, refusal)
        return page("signin.html", language, viewer=None)

    async def signin(self, request: Request) -> Response:
        language = reader_language(request, self.bot.config.default_language)
        # Checked before the link is looked at: a refused post leaves it unused, for
        # the person it was sent to.
        if (refused := self._cross_site(request, language)) is not None:
            return refused
        token = str(request.path_params["token"])
        outcome = await access.sign_in(self.context.db, token, self.bot.clock.now())
        if isinstance(outcome, access.SignInRefusal):
            return _refused(language, outcome)
        response = RedirectResponse("/dashboard", status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(
            COOKIE,
            outcome.session_id,
            max_age=int(access.SESSION_LIFETIME.total_seconds()),
            path="/dashboard",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
        return response

    async def signout(self, request: Request) -> Response:
        language = reader_language(request, self.bot.config.default_language)
        # A forged sign-out carries no cookie anyway (SameSite=Lax); it gets the same
        # check as every dashboard post all the same, not a reasoning of its own.
        if (refused := self._cross_site(request, language)) is not None:
            return refused
        session_id = request.cookies.get(COOKIE)
        if session_id:
            await access.sign_out(self.context.db, session_id)
        response = notice(language, "dashboard.signed_out", status_code=200)
        response.delete_cookie(COOKIE, path="/dashboard", secure=self.secure, httponly=True)
        return response

    def _cross_site(self, request: Request, language: Language) -> Response | None:
        """The refusal of a post from another site (every dashboard POST asks), else None."""
        if not is_cross_site(request, self.context.settings.public_url):
            return None
        # %r: both headers are the sender's text, kept to one log line.
        log.warning(
            "dashboard: refused a cross-site POST (Origin %r, Sec-Fetch-Site %r)",
            request.headers.get("origin"),
            request.headers.get("sec-fetch-site"),
        )
        return notice(language, "dashboard.signin_cross_site", status_code=403)

    # --- the signed-in pages ------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        return await self._visit(request, self._overview)

    async def rounds(self, request: Request) -> Response:
        return await self._visit(request, self._rounds)

    async def agenda(self, request: Request) -> Response:
        return await self._visit(request, self._agenda)

    async def agenda_download(self, request: Request) -> Response:
        return await self._visit(request, self._agenda_download)

    async def history(self, request: Request) -> Response:
        return await self._visit(request, self._history)

    async def _visit(self, request: Request, body: PageBody) -> Response:
        now = self.bot.clock.now()
        config = self.bot.config
        session_id = request.cookies.get(COOKIE)
        viewer = (
            await access.viewer_of(self.context.db, session_id, now, config.default_language)
            if session_id
            else None
        )
        if viewer is None:
            return notice(
                reader_language(request, config.default_language),
                "dashboard.need_signin",
                status_code=401,
            )
        # The school in the URL, if any, must be the viewer's own: never another's data.
        named = request.query_params.get("school")
        if named is not None and named != str(viewer.school_id):
            return notice(viewer.language, "dashboard.wrong_school", status_code=403, viewer=viewer)
        async with self.context.db.session() as session:
            settings = as_seen_by(
                await view.settings_of(session, viewer.school, config), viewer.role
            )
            visit = Visit(viewer, session, settings, now)
            subject = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            await audit.record(
                session,
                school_id=viewer.school_id,
                actor_id=viewer.person_id,
                action=VIEW_ACTION,
                subject=subject,
                at=now,
            )
            return await body(request, visit)

    async def _overview(self, request: Request, visit: Visit) -> Response:
        # plotly and networkx (about 25 MB) are loaded when someone opens the dashboard.
        from adapters.dashboard import charts

        school = visit.viewer.school
        plgs = await directory.plgs_of_school(visit.session, school.id)
        try:
            filters = await view.read_filters(
                visit.session,
                school,
                visit.settings,
                plg=request.query_params.get("plg"),
                weeks=request.query_params.get("weeks"),
            )
        except view.FilterError as error:
            return notice(
                visit.viewer.language,
                error.key,
                status_code=400,
                viewer=visit.viewer,
                **error.values,
            )
        picture = await view.picture(visit.session, school, visit.settings, filters, visit.now)
        trends = await view.trends(visit.session, school, filters, visit.now)
        language = visit.viewer.language
        t = visit.t
        return page(
            "overview.html",
            language,
            viewer=visit.viewer,
            active="overview",
            plgs=plgs,
            filters=filters,
            max_weeks=view.MAX_WEEKS,
            picture=picture,
            min_group=view.MIN_GROUP,
            until=when(language, picture.until, zone_of(visit.viewer.school)),
            network=charts.as_json(charts.network_figure(picture, language, t)),
            knowledge=charts.as_json(charts.knowledge_figure(trends, t)),
            participation=charts.as_json(charts.participation_figure(trends, t)),
            departments=charts.as_json(charts.departments_figure(trends, t)),
            profile_name=lambda p: t(f"keyfigures.profile.{p.value}"),
        )

    async def _rounds(self, request: Request, visit: Visit) -> Response:
        postings = await store.postings_of_school(visit.session, visit.viewer.school_id)
        zone = zone_of(visit.viewer.school)
        language = visit.viewer.language
        rows = [
            {
                "posting": p,
                "posted": when(language, p.due_at, zone),
                "closes": when(language, p.closes_at, zone),
                "status": visit.t(f"dashboard.round_{p.occurrence_status}")
                if p.occurrence_status in {"open", "closed", "cancelled"}
                else p.occurrence_status,
            }
            for p in postings
        ]
        return page("rounds.html", language, viewer=visit.viewer, active="rounds", rows=rows)

    async def _agenda(self, request: Request, visit: Visit) -> Response:
        found = await view.agenda_of(
            visit.session,
            visit.viewer.school,
            visit.settings,
            int(request.path_params["occurrence_id"]),
            visit.now,
        )
        if found is None:
            return _not_found(visit)
        message = agenda_message(visit.viewer.language, found.agenda, found.zone)
        blocks: list[tuple[str, Any]] = []
        for block in message.blocks:
            match block:
                case Heading(value):
                    blocks.append(("heading", value))
                case Paragraph(value):
                    blocks.append(("paragraph", value))
                case Bullets(items):
                    blocks.append(("bullets", items))
                case Facts(pairs):
                    blocks.append(("facts", pairs))
        return page(
            "agenda.html",
            visit.viewer.language,
            viewer=visit.viewer,
            active="rounds",
            blocks=blocks,
            occurrence_id=request.path_params["occurrence_id"],
        )

    async def _agenda_download(self, request: Request, visit: Visit) -> Response:
        occurrence_id = int(request.path_params["occurrence_id"])
        found = await view.agenda_of(
            visit.session, visit.viewer.school, visit.settings, occurrence_id, visit.now
        )
        if found is None:
            return _not_found(visit)
        document = agenda_markdown(visit.viewer.language, found.agenda, found.zone)
        return PlainTextResponse(
            document,
            media_type="text/markdown; charset=utf-8",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="agenda-{occurrence_id}.md"',
            },
        )

    async def _history(self, request: Request, visit: Visit) -> Response:
        from adapters.dashboard import charts

        weeks = await digest_history.history(
            visit.session, visit.viewer.school_id, weeks=view.MAX_WEEKS
        )
        figure = charts.as_json(charts.history_figure(weeks, visit.t)) if weeks else None
        return page(
            "history.html",
            visit.viewer.language,
            viewer=visit.viewer,
            active="history",
            weeks=list(reversed(weeks)),
            figure=figure,
            years=[
                YearSummary.from_json(year.summary)
                for year in await school_years.closed_years(visit.session, visit.viewer.school_id)
            ],
        )


def _refused(language: Language, refusal: access.SignInRefusal) -> HTMLResponse:
    return notice(language, f"dashboard.signin_{refusal.value}", status_code=403)


def _not_found(visit: Visit) -> HTMLResponse:
    return notice(
        visit.viewer.language, "dashboard.not_found", status_code=404, viewer=visit.viewer
    )
