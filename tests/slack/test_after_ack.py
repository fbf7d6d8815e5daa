"""The after-ack work queue: a bounded number of jobs run at once, the rest wait in
order; a shutdown lets them finish within its grace and says what it dropped."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.slack.background import AfterAck, Job


async def test_a_burst_runs_a_few_jobs_at_a_time_in_order_and_all_of_them() -> None:
    work = AfterAck(concurrency=4)
    running = 0
    most = 0
    order: list[int] = []
    release = asyncio.Event()

    def job(n: int) -> Job:
        async def run() -> None:
            nonlocal running, most
            running += 1
            most = max(most, running)
            order.append(n)
            await release.wait()
            running -= 1

        return run

    for n in range(100):
        work.submit(f"job {n}", job(n))
    await asyncio.sleep(0)
    # Four run; the other 96 wait as queue entries, not as tasks.
    assert work.pending == 100
    assert len(asyncio.all_tasks()) <= 1 + 4
    release.set()
    await work.drain(30)
    assert most == 4
    assert order == list(range(100))
    assert work.pending == 0


async def test_shutdown_drops_what_did_not_start_within_the_grace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = AfterAck(concurrency=1)
    never = asyncio.Event()
    done: list[str] = []

    async def stuck() -> None:
        await never.wait()

    async def quick() -> None:
        done.append("quick")

    work.submit("stuck", stuck)
    work.submit("queued", quick)
    with caplog.at_level(logging.WARNING, logger="plgbot.slack"):
        await work.drain(0.05)
    assert done == []
    assert work.pending == 0
    messages = [r.getMessage() for r in caplog.records]
    assert "Slack: queued did not start before shutdown" in messages
    assert "Slack: stuck did not finish before shutdown" in messages
    work.submit("late", quick)
    assert work.pending == 0  # closed: refused, and logged
