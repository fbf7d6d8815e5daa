"""Every feature's scheduled jobs, for whichever process runs the scheduler."""

from __future__ import annotations

from bot.ports import Messengers
from bot.service import Bot
from scheduler.digests import DigestJobs
from scheduler.jobs import JobSource
from scheduler.meetings import MeetingJobs
from scheduler.nudges import NudgeJobs
from scheduler.retention import RetentionJobs
from scheduler.rounds import RoundJobs
from scheduler.school_year import SchoolYearJobs
from scheduler.surveys import SurveyJobs


def job_sources(bot: Bot, messengers: Messengers) -> list[JobSource]:
    """The sources the scheduler runs: question rounds, weekly nudges to key figures,
    the monthly network survey, the nightly retention job, the weekly coordinator
    digest, the questions and figures after a school year is closed, and the question
    for the next meeting date after a PLG's meeting."""
    return [
        RoundJobs(bot, messengers),
        NudgeJobs(bot, messengers),
        SurveyJobs(bot, messengers),
        RetentionJobs(bot, messengers),
        DigestJobs(bot, messengers),
        SchoolYearJobs(bot, messengers),
        MeetingJobs(bot, messengers),
    ]
