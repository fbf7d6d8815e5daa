"""The ``network`` command: a person's own ties and what they shared."""

from __future__ import annotations

from datetime import timedelta

from bot.knowledge.types import ALL_TYPES
from bot.messages import Bullets, Facts, Heading, OutboundMessage
from bot.network.metrics import person_metrics, tie_strengths
from bot.turn import Context
from storage import directory, interactions

TOP_COLLEAGUES = 5


async def my_network(turn: Context) -> list[OutboundMessage]:
    weeks = turn.config.window_weeks
    since = turn.now - timedelta(weeks=weeks)
    me = turn.author.id
    ties = await interactions.ties_of_person(
        turn.session, person_id=me, since=since, until=turn.now + timedelta(seconds=1)
    )
    metrics = person_metrics(ties).get(me)
    if metrics is None:
        return [turn.say("network.empty", weeks=weeks)]
    strengths = tie_strengths(ties, me)
    top = sorted(strengths.items(), key=lambda item: (-item[1], item[0]))[:TOP_COLLEAGUES]
    people = await directory.people_by_id(turn.session, [pid for pid, _ in top])
    counts = await interactions.shared_knowledge_counts(
        turn.session, person_id=me, since=since, until=turn.now + timedelta(seconds=1)
    )
    shared = tuple(
        turn.t("network.shared_item", type=turn.t(f"types.{t.name.lower()}"), count=counts[t.value])
        for t in ALL_TYPES
        if t.name and counts.get(t.value)
    ) or (turn.t("network.shared_none"),)
    return [
        turn.reply(
            Heading(turn.t("network.title", weeks=weeks)),
            Facts(
                (
                    (turn.t("network.out_ties"), str(metrics.out_ties)),
                    (turn.t("network.in_ties"), str(metrics.in_ties)),
                    (turn.t("network.reciprocal"), str(metrics.reciprocal_ties)),
                    (turn.t("network.degree"), str(metrics.degree)),
                    (turn.t("network.reciprocity"), f"{metrics.reciprocity:.0%}"),
                )
            ),
            Heading(turn.t("network.top_title")),
            Bullets(
                tuple(
                    turn.t("network.top_item", name=people[pid].display_name, count=count)
                    for pid, count in top
                    if pid in people
                )
            ),
            Heading(turn.t("network.shared_title")),
            Bullets(shared),
        )
    ]
