"""The baseline of benchmark 1: a bare slack-bolt ``AsyncApp`` with a no-op listener,
served the way ``plgbot serve`` serves plgbot (Starlette, uvicorn, one process, no
access log, the same log level), with its Web API client pointed at the mock.

    .venv/bin/python -m bench.bare_bolt --port 8112 --api-url http://127.0.0.1:8111/api/
"""

from __future__ import annotations

import argparse

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.load import PATH, SECRET
from bench.mock_slack import BOT_TOKEN


def bare_app(api_url: str, secret: str = SECRET) -> Starlette:
    bolt = AsyncApp(
        name="bare",
        signing_secret=secret,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        process_before_response=False,
    )

    @bolt.event("app_mention")
    async def noop() -> None:
        return None

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route(PATH, events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="A bare Bolt app with a no-op listener")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    uvicorn.run(
        bare_app(args.api_url),
        host="127.0.0.1",
        port=args.port,
        log_level=args.log_level,
        access_log=False,
    )


if __name__ == "__main__":
    main()
