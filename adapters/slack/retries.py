"""slack_sdk's retry handlers, counted: each retry the Web API client makes shows in
``plgbot_outbound_retries_total{platform="slack", reason=…}`` on ``/metrics``."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from adapters.observability import RETRIES


class CountedRetries(AsyncRetryHandler):
    """Decides and waits exactly like ``inner`` (its ``Retry-After`` handling included)
    and counts each retry under ``reason``."""

    def __init__(self, inner: AsyncRetryHandler, reason: str) -> None:
        super().__init__(
            max_retry_count=inner.max_retry_count, interval_calculator=inner.interval_calculator
        )
        self.inner = inner
        self.reason = reason

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return await self.inner._can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        RETRIES.labels("slack", self.reason).inc()
        await self.inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )
