"""Checking the Bot Framework token on an inbound activity, with botbuilder's own
validation, bounded in time and kept off the event loop.

botbuilder checks a token's signature against Microsoft's signing keys, which it
fetches (per OpenID metadata URL) with blocking ``requests`` calls without a timeout,
and it does not remember a fetch that failed: with Microsoft's endpoint hanging,
every token pinned a thread for good, a handful of them filled the default thread
pool, and every later token waited out its timeout there. So here:

* the keys are fetched by :class:`SigningKeys`, put in place of botbuilder's own
  cache entry: one fetch at a time per URL, bounded by :data:`KEYS_FETCH_TIMEOUT`;
  after a failure, tokens that need those keys are refused for
  :data:`KEYS_RETRY_FIRST` seconds, doubling up to :data:`KEYS_RETRY_MAX`, at once
  and without a thread;
* the check runs in one of :data:`CHECK_THREADS` threads of its own (on a loop of its
  own), so that it never takes the threads the rest of the server uses, and one that
  does not finish in :data:`AUTH_TIMEOUT` seconds counts as a failure.

Every failure is the caller's 401; the reason is logged.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    jwt_token_extractor,
)

log = logging.getLogger("plgbot.teams")

AUTH_TIMEOUT = 10.0
# The metadata document and then the key set, together. Microsoft answers in well
# under a second. A fetch gives up once this has passed (a server that trickles its
# answer a byte at a time can stretch it to twice that), and a token check waits this
# long for another's fetch.
KEYS_FETCH_TIMEOUT = 5.0
KEYS_RETRY_FIRST = 5.0
KEYS_RETRY_MAX = 300.0
# Either document is a few KB.
KEYS_MAX_BYTES = 1_000_000
# Token checks at once; more wait their turn. A check with the keys at hand takes a
# millisecond or so.
CHECK_THREADS = 4
# "Bearer" and a compact JWS: three base64url parts. Anything else is not worth a thread.
_BEARER = re.compile(r"^Bearer [A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$")

_checks = ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="plgbot-token")


class UnauthorizedError(Exception):
    """The request does not carry a token botbuilder accepts."""


class KeysUnavailableError(Exception):
    """The signing keys at ``keys.url`` could not be fetched (lately)."""

    def __init__(self, keys: SigningKeys, reason: str) -> None:
        super().__init__(f"signing keys unavailable: {reason}")
        self.keys = keys


class SigningKeys(jwt_token_extractor._OpenIdMetadata):  # type: ignore[misc]
    """botbuilder's cache of the signing keys at one OpenID metadata URL, with the
    fetch bounded in time, one at a time, and a failure remembered.

    botbuilder calls :meth:`_refresh` (from a token check's own loop, in a worker
    thread) when the keys are a day old, or an hour old and lack the token's key."""

    # Set by botbuilder's constructor, read by its ``get`` and ``_find``.
    keys: list[dict[str, Any]]
    last_updated: datetime

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._fetching = threading.Lock()
        self._failures = 0
        self._refused_until = 0.0

    def refusing(self) -> bool:
        """Whether a fetch failed so lately that no new one is tried yet."""
        return time.monotonic() < self._refused_until

    async def _refresh(self) -> None:
        # Blocking is fine here: this is the worker thread's loop, which runs only
        # this one check.
        if self.refusing():
            raise KeysUnavailableError(self, "the last fetch failed")
        seen = self.last_updated
        # One fetch at a time; others wait for it rather than fetch the same again.
        if not self._fetching.acquire(timeout=KEYS_FETCH_TIMEOUT):
            raise KeysUnavailableError(self, "another fetch takes too long")
        try:
            if self.last_updated != seen:
                return  # fetched while this check waited
            if self.refusing():
                raise KeysUnavailableError(self, "the last fetch failed")
            try:
                keys = _fetch_keys(self.url)
            except Exception as error:
                self._failures += 1
                wait = min(KEYS_RETRY_FIRST * 2 ** min(self._failures - 1, 16), KEYS_RETRY_MAX)
                self._refused_until = time.monotonic() + wait
                log.warning(
                    "could not fetch the Bot Framework signing keys (%s: %s); "
                    "tokens are refused for %.0fs",
                    type(error).__name__,
                    error,
                    wait,
                )
                raise KeysUnavailableError(self, type(error).__name__) from None
            self._failures = 0
            self.keys = keys
            self.last_updated = datetime.now()
        finally:
            self._fetching.release()


# botbuilder makes its cache entry for a metadata URL, the first time a token needs
# one, from this module attribute: with SigningKeys in its place every fetch is bounded.
jwt_token_extractor._OpenIdMetadata = SigningKeys

# The keys each token issuer needed when they could not be fetched: a token from that
# issuer is refused at once while they are refused. Only issuers botbuilder accepts get
# as far as a fetch, so this stays small.
_keys_of_issuer: dict[str, SigningKeys] = {}


async def authenticate(
    auth: BotFrameworkAuthentication,
    activity: Activity,
    header: str | None,
    *,
    required: bool,
) -> AuthenticateRequestResult:
    """The authenticated identity and a connector factory for the replies.

    ``required`` is False only in local mode (no app id), where botbuilder lets an
    activity without a token through as anonymous."""
    if required and (header is None or not _BEARER.match(header)):
        raise UnauthorizedError("no Bearer token")
    issuer = _issuer(header)
    keys = _keys_of_issuer.get(issuer) if issuer is not None else None
    if keys is not None and keys.refusing():
        log.info("refused a Teams activity: the signing keys for its token are unavailable")
        raise UnauthorizedError("signing keys unavailable")
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(
            loop.run_in_executor(_checks, _authenticate_blocking, auth, activity, header or None),
            AUTH_TIMEOUT,
        )
    except TimeoutError:
        log.error("Bot Framework token check timed out after %ss", AUTH_TIMEOUT)
        raise UnauthorizedError("token check timed out") from None
    except KeysUnavailableError as error:
        if issuer is not None:
            _keys_of_issuer[issuer] = error.keys
        log.info("refused a Teams activity: %s", error)
        raise UnauthorizedError(str(error)) from None
    except Exception as error:
        # botbuilder signals a bad token with PermissionError, but a token it cannot
        # parse surfaces as jwt or plain errors.
        log.warning("refused a Teams activity: %s: %s", type(error).__name__, error)
        raise UnauthorizedError(str(error)) from None


def _issuer(header: str | None) -> str | None:
    """The ``iss`` claim of the header's token, unverified: only to find the keys it
    would need."""
    if header is None or not _BEARER.match(header):
        return None
    payload = header.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, RecursionError):
        # Not base64, not UTF-8, not JSON (binascii.Error and the decoding errors are
        # ValueErrors), or nested past the recursion limit: botbuilder refuses it.
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


def _authenticate_blocking(
    auth: BotFrameworkAuthentication, activity: Activity, header: str | None
) -> AuthenticateRequestResult:
    result: AuthenticateRequestResult = asyncio.run(auth.authenticate_request(activity, header))
    return result


def _fetch_keys(url: str) -> list[dict[str, Any]]:
    """The key set the OpenID metadata at ``url`` points to, all within
    :data:`KEYS_FETCH_TIMEOUT`."""
    deadline = time.monotonic() + KEYS_FETCH_TIMEOUT
    # botbuilder's requests follow redirects; so do these.
    with httpx.Client(follow_redirects=True) as client:
        metadata = _get_json(client, url, deadline)
        keys_url = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(keys_url, str):
            raise ValueError("the OpenID metadata names no jwks_uri")
        key_set = _get_json(client, keys_url, deadline)
    keys = key_set.get("keys") if isinstance(key_set, dict) else None
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise ValueError("the key set holds no list of keys")
    return keys


def _get_json(client: httpx.Client, url: str, deadline: float) -> Any:
    """The JSON at ``url``; the deadline holds however slowly the server trickles."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(f"no time left to fetch {url}")
    body = bytearray()
    # Each connect and read waits at most the time left; the deadline is checked
    # between reads.
    with client.stream("GET", url, timeout=remaining) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > KEYS_MAX_BYTES:
                raise ValueError(f"{url} answers more than {KEYS_MAX_BYTES} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} answers too slowly")
    return json.loads(body)
