"""A person's overview (the Slack Home tab, a Teams personal tab or card): their
PLGs, their ties and what they shared."""

from __future__ import annotations

from bot.messages import Bullets, Heading, OutboundMessage, Paragraph
from bot.network.my_network import my_network
from bot.turn import Context
from storage import directory


async def overview(ctx: Context) -> OutboundMessage:
    plgs = await directory.plgs_of_person(ctx.session, ctx.author.id)
    items = tuple(
        ctx.t("overview.plg_item_lead" if lead else "overview.plg_item", name=p.name, focus=p.focus)
        for p, lead in plgs
    )
    network = (await my_network(ctx))[0]
    return ctx.reply(
        Heading(ctx.t("overview.title", name=ctx.author.display_name)),
        Heading(ctx.t("overview.plgs_title")),
        Bullets(items) if items else Paragraph(ctx.t("overview.no_plgs")),
        *network.blocks,
        Paragraph(ctx.t("help.tip")),
    )
