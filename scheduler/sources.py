"""Every feature's scheduled jobs, for whichever process runs the scheduler."""

from __future__ import annotations

from bot.ports import Messengers
from bot.service import Bot
from scheduler.jobs import JobSource
from scheduler.rounds import RoundJobs


def job_sources(bot: Bot, messengers: Messengers) -> list[JobSource]:
    """The sources the scheduler runs: question rounds (nudges and surveys join here)."""
    return [RoundJobs(bot, messengers)]
