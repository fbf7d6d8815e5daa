"""Schedules kept per school: one job for each school whose platform this process
serves and whose settings switch the job on."""

from __future__ import annotations

from collections.abc import Callable

from apscheduler.triggers.base import BaseTrigger

from bot.ports import Messengers
from scheduler.jobs import Schedule
from storage import Database, directory
from storage.models import School
from storage.school_settings import SchoolConfig, school_config

TriggerFor = Callable[[School, SchoolConfig], BaseTrigger | None]


async def per_school_schedules(
    db: Database, messengers: Messengers, defaults: SchoolConfig, trigger_for: TriggerFor
) -> list[Schedule]:
    """A schedule keyed by school id wherever ``trigger_for`` gives a trigger (None
    means the school has the job switched off)."""
    found = []
    async with db.session() as session:
        for school in await directory.list_schools(session):
            if school.platform not in messengers:
                continue  # another process (or no adapter) serves that platform
            config = await school_config(session, school.id, defaults)
            trigger = trigger_for(school, config)
            if trigger is not None:
                found.append(Schedule(str(school.id), trigger))
    return found
