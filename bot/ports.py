"""What the core needs from a chat platform beyond answering: posting on its own
initiative (scheduled question rounds, nudges, digests).

Each adapter implements :class:`Messenger`; the composition root registers them in a
:class:`Messengers` by platform name, and jobs look up the school's platform there.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol

from bot.events import SchoolRef
from bot.messages import OutboundMessage

# True while the scheduler sends an occurrence again whose first attempt was never
# confirmed (its process died mid-way): only then is looking up an earlier post by
# ``key`` worth a platform call.
RESENDING: ContextVar[bool] = ContextVar("plgbot_resending", default=False)


class Messenger(Protocol):
    """Proactive posting on one platform. Methods raise on failure (after the adapter's
    own retries), so the caller can leave the occurrence unconfirmed and retry."""

    @property
    def finds_posts(self) -> bool:
        """Whether :meth:`post_to_channel` with a ``key`` finds an earlier post with
        that key (so sending again after a crash cannot post twice). Without it, a post
        whose process died mid-send is not sent again (at most once)."""
        ...

    async def post_to_channel(
        self,
        *,
        school: SchoolRef,
        channel_id: str,
        message: OutboundMessage,
        thread_id: str | None = None,
        key: str | None = None,
    ) -> str:
        """Post ``message`` in a channel (in the thread ``thread_id`` if given) and
        return the platform's id of the posted message. ``key`` identifies the post for
        idempotence: an adapter that can find an earlier post with the same key returns
        its id instead of posting twice."""
        ...

    async def send_private(
        self, *, school: SchoolRef, user_id: str, message: OutboundMessage
    ) -> str:
        """Send ``message`` to one person privately; returns the message id."""
        ...


class UnknownPlatformError(LookupError):
    pass


class Messengers:
    """The messengers of the platforms this process serves."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Messenger] = {}

    def register(self, platform: str, messenger: Messenger) -> None:
        self._by_platform[platform] = messenger

    def for_school(self, school: SchoolRef) -> Messenger:
        try:
            return self._by_platform[school.platform]
        except KeyError:
            raise UnknownPlatformError(
                f"no messenger for platform {school.platform!r} in this process"
            ) from None

    def __contains__(self, platform: object) -> bool:
        return platform in self._by_platform
