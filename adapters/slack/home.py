"""The Home tab: the person's overview from the core (their PLGs, ties and what they
shared, by knowledge type), a button that opens the "log a conversation" modal and, for
PLG leads, one that opens the question-round modal."""

from __future__ import annotations

from typing import Any

from adapters.slack import round_modal
from adapters.slack.modal import open_button
from adapters.slack.render import fitted
from bot.catalogue import Language
from bot.messages import OutboundMessage

# A Home tab holds at most 100 blocks; one is the buttons.
HOME_BLOCKS = 99


def home_view(
    overview: OutboundMessage, language: Language, *, leads: bool = False
) -> dict[str, Any]:
    """The view for ``views.publish``; ``leads`` adds the "New question round" button."""
    blocks = fitted(overview, HOME_BLOCKS - 1)
    elements = [open_button(language)]
    if leads:
        # One primary button is enough.
        rounds = {k: v for k, v in round_modal.open_button(language, None).items() if k != "style"}
        elements.append(rounds)
    return {
        "type": "home",
        "blocks": [*blocks, {"type": "divider"}, {"type": "actions", "elements": elements}],
    }
