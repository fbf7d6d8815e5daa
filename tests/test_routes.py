"""Every command and every button the core can post reaches a handler (bot.routes)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import get_args

import pytest
from sqlalchemy import select

from bot import routes
from bot.catalogue import text
from bot.commands import Command
from bot.events import ActionInvoked, ChannelRef, PersonRef, SchoolRef
from bot.service import Bot
from storage.models import Interaction
from tests.conftest import NOW

BOT = Path(routes.__file__).parent


def _button_actions() -> set[tuple[str, str]]:
    """(module, action name) for every ``Button(label, ACTION, …)`` written in bot/."""
    found: set[tuple[str, str]] = set()
    for path in BOT.rglob("*.py"):
        module_name = ".".join(path.relative_to(BOT.parent).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Button"):
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue  # Button(**record): a stored button read back, not a new one
            action = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "action":
                    action = keyword.value
            if isinstance(action, ast.Constant):
                found.add((module_name, str(action.value)))
            elif isinstance(action, ast.Name):
                value = getattr(importlib.import_module(module_name), action.id)
                found.add((module_name, str(value)))
            else:
                pytest.fail(f"{module_name}: a Button whose action cannot be read")
    return found


def test_every_kind_of_command_has_a_handler() -> None:
    kinds = set(get_args(Command))
    # The unions of the features are flattened by the type system.
    assert len(kinds) > 20
    assert kinds == set(routes.COMMANDS)


def test_every_button_the_core_posts_has_a_handler() -> None:
    posted = _button_actions()
    assert len({action for _, action in posted}) >= 10
    missing = {(module, action) for module, action in posted if action not in routes.ACTIONS}
    assert missing == set()


def test_two_handlers_for_one_action_name_are_refused() -> None:
    handler = routes.ACTIONS["nudge.stop"]
    with pytest.raises(ValueError, match="two handlers"):
        routes._actions([("nudge.stop", handler), ("nudge.stop", handler)])


async def test_an_unknown_action_name_is_answered_and_stores_nothing(bot: Bot) -> None:
    event = ActionInvoked(
        school=SchoolRef("slack", "T1", "School"),
        event_id="e1",
        author=PersonRef("U1", "Anouk"),
        channel=ChannelRef("D1", is_direct=True),
        action="nudge.nonexistent",
        value="1",
        sent_at=NOW,
    )
    replies = await bot.handle(event)
    said = [reply.plain_text for reply in replies]
    assert said in ([text("nl", "error.unknown_action")], [text("en", "error.unknown_action")])
    async with bot.db.session() as session:
        assert (await session.scalars(select(Interaction))).all() == []
