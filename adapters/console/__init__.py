"""The console adapter: chat with plgbot in a terminal, or drive it from a script."""

from adapters.console.loop import run_console
from adapters.console.session import ConsoleSession

__all__ = ["ConsoleSession", "run_console"]
