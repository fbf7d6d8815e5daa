"""The terminal loop: interactive with a prompt, or a script read from stdin."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from adapters.console.scheduling import start_scheduler
from adapters.console.session import ConsoleError, ConsoleSession


async def run_console(
    session: ConsoleSession,
    *,
    as_name: str | None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Run until /quit or end of input. A script (stdin not a TTY) is echoed as a
    transcript; lines starting with ``# `` are comments. Returns an exit code: 1 if a
    scripted console command failed, so scripts in CI fail loudly.

    Interactively the scheduler runs in the background and its posts are printed as
    they come. A script runs no background scheduler, so its transcript is the same on
    every run: it lets time pass with ``/wait``."""
    interactive = stdin.isatty()

    def show(lines: list[str]) -> None:
        for line in lines:
            print(line, file=stdout, flush=True)

    runner = start_scheduler(session.clock, session.sources) if interactive else None
    if runner is not None:
        session.listener = show
    try:
        return await _loop(session, as_name, stdin, stdout, interactive, show)
    finally:
        if runner is not None:
            await runner.stop()


async def _loop(
    session: ConsoleSession,
    as_name: str | None,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
    show: Callable[[list[str]], None],
) -> int:
    failed = False

    if as_name:
        try:
            show([await session.become(as_name)])
        except ConsoleError as error:
            show([f"! {error}"])
            return 2
    if interactive:
        school = session.school.tenant_id
        name = session.me.display_name if session.me and session.me.display_name else "?"
        show([session.t("console.welcome", name=name, school=school)])
    while True:
        try:
            line = await asyncio.to_thread(_read, stdin, stdout, interactive, session)
        except (EOFError, KeyboardInterrupt):
            break
        if line is None:
            break
        if line.strip() in {"/quit", "/exit"}:
            break
        if not line.strip() or line.startswith("# "):
            continue
        try:
            show(await session.send(line))
        except ConsoleError as error:
            show([f"! {error}"])
            failed = failed or not interactive
    return 1 if failed else 0


def _read(stdin: TextIO, stdout: TextIO, interactive: bool, session: ConsoleSession) -> str | None:
    if interactive:
        who = session.me.user_id if session.me else "?"
        where = "dm" if session.channel.is_direct else f"#{session.channel.name}"
        return input(f"{who} @ {where}> ")
    line = stdin.readline()
    return line if line else None
