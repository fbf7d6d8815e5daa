"""``plgbot serve`` as real child processes (with uvicorn workers), their logs, and
their ``/metrics``, for the deployment tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

PLGBOT = str(Path(sys.executable).parent / "plgbot")
# Generous: on a busy two-core machine a worker takes seconds to import everything.
START_WITHIN = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_environment(**extra: str) -> dict[str, str]:
    """The test's environment without any platform credentials, plus ``extra``."""
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "PLGBOT_", "PROMETHEUS_"))
        and k != "DATABASE_URL"
    }
    return kept | extra


@dataclass
class Served:
    """One ``plgbot serve`` process (with its uvicorn workers): its URL and output."""

    url: str
    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def records(self) -> list[dict[str, Any]]:
        """Every stderr line, parsed as JSON (fails on a line that is not)."""
        parsed = []
        for line in self.stderr:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
            assert isinstance(record, dict), line
            parsed.append(record)
        return parsed

    def pids_saying(self, message: str) -> list[int]:
        """The processes that logged ``message``, in order (JSON logs)."""
        return [int(r["process"]) for r in self.records() if r.get("message") == message]

    async def metrics(self, client: httpx.AsyncClient) -> dict[str, float]:
        return await scrape(client, self.url)


async def scrape(client: httpx.AsyncClient, url: str) -> dict[str, float]:
    """``/metrics`` of the server at ``url`` as {'name{label="value",…}': value}."""
    response = await client.get(f"{url}/metrics")
    assert response.status_code == 200, response.text
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


@asynccontextmanager
async def plgbot_serve(workdir: Path, env: dict[str, str], *args: str) -> AsyncIterator[Served]:
    """Start ``plgbot serve ARGS`` on a free port in ``workdir``; yields once
    ``/healthz`` answers. Stopped with SIGTERM (uvicorn stops its workers), then
    SIGKILL if it does not go."""
    await asyncio.to_thread(workdir.mkdir, parents=True, exist_ok=True)
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        PLGBOT,
        "serve",
        "--port",
        str(port),
        *args,
        env=env,
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # Its own process group, so that the cleanup reaches its workers too.
        start_new_session=True,
    )
    served = Served(f"http://127.0.0.1:{port}", process)

    async def read(stream: asyncio.StreamReader | None, into: list[str]) -> None:
        assert stream is not None
        async for line in stream:
            into.append(line.decode().rstrip("\n"))

    readers = [
        asyncio.create_task(read(process.stdout, served.stdout)),
        asyncio.create_task(read(process.stderr, served.stderr)),
    ]
    try:
        async with httpx.AsyncClient() as client:
            await wait_until(
                lambda: _answers(client, served),
                within=START_WITHIN,
                what=f"plgbot serve {' '.join(args)} to answer",
                output=lambda: "\n".join(served.stderr),
            )
        yield served
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        # Workers of a parent that was killed are gone with its group, or will go.
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


async def _answers(client: httpx.AsyncClient, served: Served) -> bool:
    assert served.process.returncode is None, "\n".join(served.stderr)
    try:
        return (await client.get(f"{served.url}/healthz")).status_code == 200
    except httpx.TransportError:
        return False


async def wait_until(
    condition: Callable[[], Any],
    *,
    within: float,
    what: str,
    output: Callable[[], str] = lambda: "",
) -> None:
    """Poll ``condition`` (sync or async) until true; fail after ``within`` seconds.
    A bound on waiting for other processes, not a timing assertion."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within}s for {what}\n{output()}")
        await asyncio.sleep(0.2)
