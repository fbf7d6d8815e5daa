"""Scheduling: one leader process runs APScheduler jobs built from the database."""

from scheduler.jobs import JobSource, Schedule
from scheduler.leader import leader_lock_for
from scheduler.runner import PlgScheduler

__all__ = ["JobSource", "PlgScheduler", "Schedule", "leader_lock_for"]
