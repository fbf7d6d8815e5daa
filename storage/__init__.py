"""Persistence: the only package that speaks SQL.

Queries live here behind functions named for what they answer; the core calls them
with an ``AsyncSession`` it got from :class:`storage.database.Database`.
"""

from storage.database import Database

__all__ = ["Database"]
