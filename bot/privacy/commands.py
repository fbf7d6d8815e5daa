"""Privacy commands (design.md, Privacy): ``privacy`` says what is kept, why, how long
and who sees what; ``my data`` exports it; ``opt out`` / ``opt in`` stop and restart
logging the person.

Opting out is read everywhere the network is: storage leaves opted-out people out of
ties, key figures, nudges and the survey, and nothing new is logged about them
(:mod:`bot.network.sharing`, :mod:`bot.rounds.replies`, :mod:`bot.network.survey` check it first).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue import Language
from bot.config import school_defaults
from bot.messages import File, Heading, OutboundMessage, Paragraph
from bot.privacy.my_data import MEDIA_TYPE, export_json, file_name
from bot.rounds.messages import when
from bot.school_time import zone_of
from bot.turn import Context
from storage import audit, inbox
from storage.privacy import person_data
from storage.school_settings import school_config


@dataclass(frozen=True, slots=True)
class ShowPrivacy:
    pass


@dataclass(frozen=True, slots=True)
class ExportMyData:
    pass


@dataclass(frozen=True, slots=True)
class OptOut:
    pass


@dataclass(frozen=True, slots=True)
class OptIn:
    pass


PrivacyCommand = ShowPrivacy | ExportMyData | OptOut | OptIn

# The whole command, as words; None: the same in both languages. (``aanmelden`` after
# ``plg`` still means joining a PLG: ``plg`` commands are read first.)
_PHRASES: dict[tuple[str, ...], tuple[PrivacyCommand, Language | None]] = {
    ("privacy",): (ShowPrivacy(), None),
    ("privacyverklaring",): (ShowPrivacy(), "nl"),
    ("my", "data"): (ExportMyData(), "en"),
    ("export", "my", "data"): (ExportMyData(), "en"),
    ("mijn", "gegevens"): (ExportMyData(), "nl"),
    ("mijn", "data"): (ExportMyData(), "nl"),
    ("opt", "out"): (OptOut(), "en"),
    ("opt-out",): (OptOut(), "en"),
    ("optout",): (OptOut(), "en"),
    ("afmelden",): (OptOut(), "nl"),
    ("meld", "me", "af"): (OptOut(), "nl"),
    ("meld", "mij", "af"): (OptOut(), "nl"),
    ("opt", "in"): (OptIn(), "en"),
    ("opt-in",): (OptIn(), "en"),
    ("optin",): (OptIn(), "en"),
    ("aanmelden",): (OptIn(), "nl"),
    ("meld", "me", "aan"): (OptIn(), "nl"),
    ("meld", "mij", "aan"): (OptIn(), "nl"),
}
_FILLERS = {"please", "graag", "show", "toon"}


def parse_privacy(words: list[str]) -> tuple[PrivacyCommand, Language | None] | None:
    """``privacy``, ``my data``, ``mijn gegevens``, ``opt out``, ``afmelden``,
    ``opt in``, ``aanmelden`` (``words`` without mentions); None for anything else."""
    folded = tuple(w for w in (w.lower().strip(",.!:?") for w in words) if w and w not in _FILLERS)
    return _PHRASES.get(folded)


async def handle(ctx: Context, command: PrivacyCommand) -> list[OutboundMessage]:
    match command:
        case ShowPrivacy():
            return [await explain(ctx)]
        case ExportMyData():
            return [await my_data(ctx)]
        case OptOut():
            return [await opt_out(ctx)]
        case OptIn():
            return [opt_in(ctx)]


async def retention_months(ctx: Context) -> int:
    config = await school_config(ctx.session, ctx.school.id, school_defaults(ctx.config))
    return config.retention_months


async def explain(ctx: Context) -> OutboundMessage:
    """What is logged, why, how long (the school's own period) and who sees what."""
    since = ctx.author.opted_out_at
    status = (
        ctx.t("privacy.counted")
        if since is None
        else ctx.t("privacy.opted_out", date=when(ctx.language, since, zone_of(ctx.school)))
    )
    return ctx.reply(
        Heading(ctx.t("privacy.title")),
        Paragraph(ctx.t("privacy.what")),
        Paragraph(ctx.t("privacy.why")),
        Paragraph(ctx.t("privacy.how_long", months=await retention_months(ctx))),
        Paragraph(ctx.t("privacy.who")),
        Paragraph(ctx.t("privacy.choices")),
        Paragraph(status),
    )


async def my_data(ctx: Context) -> OutboundMessage:
    """Everything stored about the author, as a JSON file only they receive; the
    export is audited."""
    data = await person_data(ctx.session, ctx.author.id)
    content = export_json(data, exported_at=ctx.now, retention_months=await retention_months(ctx))
    name = file_name(ctx.now.astimezone(zone_of(ctx.school)).date())
    await audit.record(
        ctx.session,
        school_id=ctx.school.id,
        actor_id=ctx.author.id,
        action=audit.MY_DATA_EXPORT,
        subject=name,
        at=ctx.now,
    )
    summary = ctx.t(
        "privacy.my_data.sent",
        interactions=len(data.interactions),
        replies=len(data.round_replies),
        nudges=len(data.nudges),
        surveys=len(data.survey_invitations),
    )
    return ctx.reply(
        Paragraph(summary),
        File(
            name=name,
            content=content,
            media_type=MEDIA_TYPE,
            title=ctx.t("privacy.my_data.file_title"),
        ),
    )


async def opt_out(ctx: Context) -> OutboundMessage:
    """From now on nothing is logged about the author and they leave the network."""
    since = ctx.author.opted_out_at
    if since is not None:
        return ctx.say(
            "privacy.opt_out.already", date=when(ctx.language, since, zone_of(ctx.school))
        )
    ctx.author.opted_out_at = ctx.now
    # What they said that still waits in the inbox is not logged either.
    await inbox.forget_person(
        ctx.session,
        platform=ctx.school.platform,
        tenant_id=ctx.school.tenant_id,
        person=ctx.author.platform_user_id,
    )
    return ctx.say("privacy.opt_out.done", months=await retention_months(ctx))


def opt_in(ctx: Context) -> OutboundMessage:
    if ctx.author.opted_out_at is None:
        return ctx.say("privacy.opt_in.already")
    ctx.author.opted_out_at = None
    return ctx.say("privacy.opt_in.done")
