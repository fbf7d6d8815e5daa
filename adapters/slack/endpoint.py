"""``POST /slack/events``: one Request URL for the Events API, slash commands and
interactivity. This is the HTTP border, in this order:

1. bodies over :data:`MAX_BODY` get 413, unread beyond that; a client that hangs up
   before its body is complete gets 400 (nobody reads it);
2. the signature and timestamp are checked before the body is parsed (401), so a
   forged or replayed request is never parsed, routed or logged; Bolt checks it once
   more in its own middleware. Headers not of the shape Slack sends (ASCII seconds,
   ``v0=`` and 64 hex digits) never reach the verifier, whose ``int()`` and
   ``hmac.compare_digest`` raise on Unicode digits, thousands of digits or non-ASCII;
3. a body that is not UTF-8, JSON or a form, that is nested past Python's recursion
   limit, or that does not have the shape plgbot routes on, gets 400
   (:func:`adapters.slack.payloads.problem`, on the body as Bolt parsed it);
4. Bolt dispatches; listeners acknowledge at once and queue the work.
"""

from __future__ import annotations

import logging
import re

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from adapters.slack.payloads import problem

log = logging.getLogger("plgbot.slack")

# Slack's payloads are a few KB (a full modal state perhaps 100 KB); 1 MB is plenty.
MAX_BODY = 1_000_000
# A timestamp or a body length: ASCII digits, at most 12 (seconds since 1970 reach
# the year 33658). ``str.isdigit`` and ``int`` take other scripts' digits, and ``int``
# raises on more than 4,300 of them.
_NUMBER = re.compile(r"[0-9]{1,12}")
# "v0=" and an HMAC-SHA256 in lowercase hex, as Slack signs; ``hmac.compare_digest``
# raises TypeError on a non-ASCII str.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class BodyTooLargeError(Exception):
    pass


class Endpoint:
    def __init__(self, app: AsyncApp, signing_secret: str) -> None:
        self._app = app
        self._verifier = SignatureVerifier(signing_secret)

    async def handle(self, request: Request) -> Response:
        try:
            raw = await _read(request)
        except BodyTooLargeError:
            return _error(413, "request body too large")
        except ClientDisconnect:
            # The client hung up mid-body: there is nothing to verify and nobody to
            # answer; the status is only for the metrics.
            log.info("Slack: a client hung up before its request body was complete")
            return _error(400, "incomplete body")
        if not self._signed(raw, request):
            log.info("Slack: refused a request with a missing, bad or stale signature")
            return _error(401, "invalid request")
        try:
            # Bolt parses the body as it builds its request; a second parse here, only
            # for the shape check, was a measurable share of each acknowledgement.
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=dict(request.query_params),
                headers=dict(request.headers),
            )
        except ValueError:
            # UnicodeDecodeError and JSONDecodeError are both ValueErrors, and so is a
            # number of more than 4,300 digits.
            log.info("Slack: refused a signed request that is not UTF-8 JSON or a form")
            return _error(400, "malformed body")
        except RecursionError:
            # json.loads gives up on nesting deeper than the recursion limit; the
            # stack is unwound by now.
            log.info("Slack: refused a signed request nested too deeply")
            return _error(400, "malformed body")
        except (TypeError, LookupError, AttributeError) as error:
            log.info("Slack: refused a signed request Bolt cannot read (%s)", type(error).__name__)
            return _error(400, "unexpected payload")
        reason = problem(bolt_request.body)
        if reason is not None:
            log.info("Slack: refused a signed request (%s)", reason)
            return _error(400, "unexpected payload")
        return to_starlette_response(await self._app.async_dispatch(bolt_request))

    def _signed(self, raw: bytes, request: Request) -> bool:
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        if (
            timestamp is None
            or signature is None
            or not _NUMBER.fullmatch(timestamp)
            or not _SIGNATURE.fullmatch(signature)
        ):
            return False
        try:
            return self._verifier.is_valid(raw, timestamp, signature)
        except UnicodeDecodeError:
            # The verifier decodes the body; Slack only ever signs UTF-8.
            return False


async def _read(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not _NUMBER.fullmatch(declared) or int(declared) > MAX_BODY):
        raise BodyTooLargeError
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLargeError
    return bytes(body)


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)
