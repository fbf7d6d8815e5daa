"""Benchmarks 1 and 4: signed Slack events through the whole plgbot path, against a bare
slack-bolt app served the same way; and the peak memory of ``plgbot serve`` meanwhile.

    .venv/bin/python -m bench.events                  # 4,000 events per run
    .venv/bin/python -m bench.events --events 500     # a quick look
    .venv/bin/python -m bench.events --postgres       # plgbot on a throwaway PostgreSQL

Four processes: the mock Slack (``bench/mock_slack.py``), ``plgbot serve`` on a fresh
SQLite file or, with ``--postgres``, a throwaway PostgreSQL cluster from Debian's
package (``tests/pg_cluster.py``; scheduler off, Slack pointed at the mock), the bare
Bolt app (``bench/bare_bolt.py``: a no-op ``app_mention`` listener), and, for every
run, the load generator (``bench/load.py``) in a process of its own. Both servers run
throughout; runs alternate between them (bare, plgbot) at each concurrency, so a busy
moment on the machine is shared.

Per run: acknowledgement latency p50/p99 and acknowledgements per second (from the load
generator); for plgbot also the events *fully processed* per second (deliveries from
the first sent until the mock Slack received the last reply: verified, deduplicated,
stored, answered); server CPU time per event (``utime + stime`` from ``/proc``, until
the last reply); and that every delivery was stored exactly once (``deliveries``
and ``interactions`` by message). At the end: peak RSS (``VmHWM``) of both servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.serving import (
    Server,
    bare_bolt,
    mock_slack_process,
    mock_stats,
    plgbot_serve,
    set_up_plg,
    stored,
    wait_for_replies,
)

CONCURRENCY = (50, 200)
# Targets from issue #9.
P99_RATIO_MAX = 1.3
PROCESSED_RATIO_MIN = 0.5


async def load(url: str, *, clients: int, events: int, run: str, ts_base: int) -> dict[str, Any]:
    """One run of the load generator in its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load",
        "--url",
        url,
        "--clients",
        str(clients),
        "--events",
        str(events),
        "--run",
        run,
        "--ts-base",
        str(ts_base),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"load generator failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out)
    return result


async def measure(
    server: Server,
    *,
    clients: int,
    events: int,
    run: str,
    mock_url: str | None = None,
    database: Path | str | None = None,
) -> dict[str, Any]:
    """One run against ``server``; with ``mock_url`` and ``database`` (plgbot) it also
    waits for every reply and checks what was stored."""
    ts_base = int(time.time())
    before = (await mock_stats(mock_url))["replies"] if mock_url else 0
    cpu = server.cpu_seconds()
    result = await load(server.url, clients=clients, events=events, run=run, ts_base=ts_base)
    done = result["finished"]
    if mock_url is not None:
        done = await wait_for_replies(mock_url, before + result["acked"])
    result["cpu_ms_per_event"] = (server.cpu_seconds() - cpu) / events * 1000
    result["processed_per_s"] = events / (done - result["started"])
    result["processing_s"] = done - result["started"]
    if database is not None:
        result["stored"] = await stored(database, run, ts_base)
        expected = {"events": events, "interactions": events, "messages": events}
        result["lost"] = result["stored"] != expected
    return result


async def bench(
    events: int, workdir: Path, concurrency: tuple[int, ...], *, postgres: bool = False
) -> dict[str, Any]:
    database: Path | str = workdir / "plgbot.db"
    if postgres:
        from tests.pg_cluster import PostgresCluster

        cluster = PostgresCluster()
        cluster.start()  # stopped at exit (atexit) with all its files
        database = cluster.create_database("bench")
    runs: list[dict[str, Any]] = []
    async with mock_slack_process(workdir) as mock:
        api = f"{mock}/api/"
        async with plgbot_serve(database, api, workdir) as plgbot, bare_bolt(api, workdir) as bare:
            await set_up_plg(plgbot.url, mock, database)
            # Warm both up (imports, caches, the people's profiles) before measuring.
            await measure(bare, clients=20, events=200, run="WB")
            await measure(
                plgbot, clients=20, events=200, run="WP", mock_url=mock, database=database
            )
            for clients in concurrency:
                row: dict[str, Any] = {"clients": clients}
                row["bare"] = await measure(bare, clients=clients, events=events, run=f"B{clients}")
                row["plgbot"] = await measure(
                    plgbot,
                    clients=clients,
                    events=events,
                    run=f"P{clients}",
                    mock_url=mock,
                    database=database,
                )
                runs.append(row)
                print(_line(row), file=sys.stderr, flush=True)
            memory = {"plgbot_mb": plgbot.memory_mb(), "bare_mb": bare.memory_mb()}
    return {
        "events": events,
        "database": "PostgreSQL" if postgres else "SQLite",
        "runs": runs,
        "peak_rss": memory,
    }


def _line(row: dict[str, Any]) -> str:
    b, p = row["bare"], row["plgbot"]
    return (
        f"{row['clients']} clients: bare p99 {b['p99_ms']:.1f} ms, {b['acks_per_s']:.0f} acks/s; "
        f"plgbot p99 {p['p99_ms']:.1f} ms, {p['acks_per_s']:.0f} acks/s, "
        f"{p['processed_per_s']:.0f} processed/s"
    )


def table(result: dict[str, Any]) -> str:
    """The Markdown tables for bench/README.md."""
    lines = [
        "| clients | app | ack p50 | ack p99 | acks/s | fully processed/s | CPU per event "
        "| errors | stored once |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    ratios = [
        "| clients | ack p99 plgbot / bare (target ≤ 1.3×) "
        "| processed/s plgbot / bare acks/s (target ≥ 0.5×) | events lost |",
        "|---|---|---|---|",
    ]
    for row in result["runs"]:
        b, p = row["bare"], row["plgbot"]
        for name, r in (("bare Bolt, no-op", b), ("**plgbot**", p)):
            processed = f"{r['processed_per_s']:,.0f}" if "stored" in r else "(ack = done)"
            once = ("no" if r["lost"] else "yes") if "stored" in r else "–"
            errors = sum(r["errors"].values())
            lines.append(
                f"| {row['clients']} | {name} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms "
                f"| {r['acks_per_s']:,.0f} | {processed} | {r['cpu_ms_per_event']:.2f} ms "
                f"| {errors} | {once} |"
            )
        p99 = p["p99_ms"] / b["p99_ms"]
        processed_ratio = p["processed_per_s"] / b["acks_per_s"]
        ratios.append(
            f"| {row['clients']} | {p99:.2f}× {_mark(p99 <= P99_RATIO_MAX)} "
            f"| {processed_ratio:.3f}× {_mark(processed_ratio >= PROCESSED_RATIO_MIN)} "
            f"| {'some' if p['lost'] else 'none'} |"
        )
    memory = result["peak_rss"]
    rss = (
        "Peak RSS (`VmHWM`) over the whole benchmark: "
        f"**plgbot serve {memory['plgbot_mb']:.0f} MB**, "
        f"bare Bolt {memory['bare_mb']:.0f} MB ({result['events']:,} events per run)."
    )
    return "\n".join([*lines, "", *ratios, "", rss])


def _mark(met: bool) -> str:
    return "(met)" if met else "(**missed**)"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark 1 and 4: Slack events")
    # p99 of 2,000 acknowledgements is the 20th slowest: a single pause of either server
    # moved the ratio by a third between runs.
    parser.add_argument("--events", type=int, default=4000, help="events per run")
    parser.add_argument("--clients", type=int, nargs="+", default=list(CONCURRENCY))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--postgres", action="store_true", help="plgbot on a throwaway PostgreSQL server"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plgbot-bench-") as tmp:
        result = asyncio.run(
            bench(args.events, Path(tmp), tuple(args.clients), postgres=args.postgres)
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(table(result))


if __name__ == "__main__":
    main()
