"""Benchmarks 1 and 4: signed Slack events through plgbot, side by side with plgbot as it
was before the durable inbox, a durable-ack floor app and a bare Bolt app; and the peak
memory of each server meanwhile.

    .venv/bin/python -m bench.events                       # 3 rounds of 4,000 events a run
    .venv/bin/python -m bench.events --events 500 --rounds 1   # a quick look
    .venv/bin/python -m bench.events --after HEAD          # a commit instead of this checkout
    .venv/bin/python -m bench.events --before none         # without the earlier commit
    .venv/bin/python -m bench.events --postgres            # plgbots on a throwaway PostgreSQL

The apps, each a server process of its own, all running throughout:

* **plgbot**: ``plgbot serve`` of this checkout (its working tree as it is), or of the
  commit ``--after`` names, on a fresh SQLite file (scheduler off, Slack pointed at the
  mock);
* **plgbot before**: ``plgbot serve`` of the commit ``--before`` names (default
  ``3e38491``, the last commit before the inbox), the same way on a file of its own. The
  benchmark checks that commit out in a temporary ``git worktree`` and removes it at the
  end; the server runs in the same venv with that worktree first on ``sys.path``
  (ahead of the venv's editable install of this checkout). What ran is checked by the
  schema each server made (``deliveries`` at and after the inbox, ``processed_events``
  before it) and its Alembic revision;
* **durable floor**: the durable-ack floor app (``bench/floor.py``): a bare slack-bolt
  ``AsyncApp`` that commits the raw event to SQLite with SQLAlchemy before Bolt answers;
* **bare**: the bare slack-bolt ``AsyncApp`` with a no-op listener (``bench/bare_bolt.py``);

and the mock Slack (``bench/mock_slack.py``) and, for every run, the load generator
(``bench/load.py``) in a process of its own. After a warm-up of each, every round runs
each app once at each concurrency (50, then 200 clients), in an order that rotates
between rounds, so a busy moment of the machine is shared; then the floor's pieces
(``bench/floor.py``), each alone. Figures are medians over the rounds; ratios are taken
within a round (runs side by side) and then their median and range reported.

Per run: acknowledgement latency p50/p99 and acknowledgements per second (from the load
generator); for plgbot the events *fully processed* per second (deliveries from the
first sent until the mock Slack received the last reply); server CPU time per event
(``utime + stime`` from ``/proc``, until the last reply); and that every acknowledged
delivery was stored exactly once (plgbot: every delivery key in ``deliveries`` done,
its payload blanked, one interaction per message and one reply each; before the inbox:
``processed_events`` instead; the floor app: its row). At the end: peak RSS
(``VmHWM``) of every server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench import floor
from bench.serving import (
    ROOT,
    Server,
    alembic_revision,
    bare_bolt,
    durable_floor,
    kept,
    mock_slack_process,
    mock_stats,
    plgbot_serve,
    set_up_plg,
    tables,
    wait_for_replies,
)

CONCURRENCY = (50, 200)
# Targets (the issue that retired "fully processed/s ≥ 0.5× bare acks/s").
P99_RATIO_MAX = 1.3  # plgbot's ack p99 / the durable floor app's
CPU_RATIO_MAX = 1.10  # plgbot's CPU per processed event / the commit before's
# The earlier commit benchmarked side by side: the last one before the durable inbox.
BEFORE = "3e38491"
# Slack delivers at most 30,000 events an hour to one workspace.
SLACK_EVENTS_PER_S = 30_000 / 3600
APPS = ("bare", "floor", "plgbot", "before")
NAMES = {
    "bare": "bare Bolt, no-op",
    "floor": "durable floor: commit, then ack",
    "plgbot": "plgbot",
    "before": "plgbot before",
}
# A letter per app for its runs' event ids.
CODES = {"bare": "B", "floor": "F", "plgbot": "P", "before": "O"}


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


_last_ts_base = 0


def _ts_base() -> int:
    """Message ``ts`` seconds for a run: now, and never one an earlier run had."""
    global _last_ts_base
    _last_ts_base = max(int(time.time()), _last_ts_base + 1)
    return _last_ts_base


async def measure(
    server: Server,
    *,
    clients: int,
    events: int,
    run: str,
    mock_url: str | None = None,
    database: Path | str | None = None,
) -> dict[str, Any]:
    """One run against ``server``. With ``mock_url`` (plgbot) it waits for every reply;
    with ``database`` it checks what the run left there (:func:`bench.serving.kept`)."""
    ts_base = _ts_base()
    before = (await mock_stats(mock_url))["replies"] if mock_url else 0
    cpu = server.cpu_seconds()
    result = await load(server.url, clients=clients, events=events, run=run, ts_base=ts_base)
    done = result["finished"]
    if mock_url is not None:
        done = await wait_for_replies(mock_url, before + result["acked"])
    result["cpu_ms_per_event"] = (server.cpu_seconds() - cpu) / events * 1000
    result["processed_per_s"] = events / (done - result["started"])
    result["processing_s"] = done - result["started"]
    if mock_url is not None:
        result["replies"] = (await mock_stats(mock_url))["replies"] - before
    if database is not None:
        result["stored"] = await kept(database, run, ts_base)
        result["lost"] = not _once(result)
    return result


def _once(result: dict[str, Any]) -> bool:
    """Every delivery sent was acknowledged and stored exactly once (and, for plgbot,
    closed, blanked, recorded once and answered once)."""
    n, stored = result["sent"], result["stored"]
    want: dict[str, int] = {"events": n}
    if stored["schema"] == "deliveries":
        want |= {"done": n, "blanked": n}
    if "interactions" in stored:
        want |= {"interactions": n, "messages": n}
    checks = [result["acked"] == n, *(stored[k] == v for k, v in want.items())]
    if "replies" in result:
        checks.append(result["replies"] == n)
    return all(checks)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def describe(revision: str | None) -> str:
    """``e0ca280`` for a commit; for this checkout its commit, and whether files outside
    bench/ differ from it."""
    if revision is not None:
        return _git("rev-parse", "--short", f"{revision}^{{commit}}")
    head = _git("rev-parse", "--short", "HEAD")
    changed = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench")
    return f"{head} + uncommitted changes" if changed else head


@contextmanager
def worktree(revision: str, path: Path) -> Iterator[Path]:
    """A temporary ``git worktree`` of ``revision`` at ``path``, removed afterwards."""
    _git("worktree", "add", "--detach", str(path), revision)
    try:
        yield path
    finally:
        try:
            _git("worktree", "remove", "--force", str(path))
        except subprocess.CalledProcessError:
            _git("worktree", "prune")


async def bench(
    events: int,
    workdir: Path,
    concurrency: tuple[int, ...],
    *,
    apps: tuple[str, ...] = APPS,
    rounds: int = 3,
    before: str | None = BEFORE,
    after: str | None = None,
    postgres: bool = False,
) -> dict[str, Any]:
    apps = tuple(a for a in APPS if a in apps and (a != "before" or before is not None))
    revisions = {"plgbot": after, "before": before}
    cluster: Any = None
    if postgres and ("plgbot" in apps or "before" in apps):
        from tests.pg_cluster import PostgresCluster

        cluster = PostgresCluster()
        cluster.start()  # stopped at exit (atexit) with all its files
    servers: dict[str, Server] = {}
    databases: dict[str, Path | str] = {}
    described: dict[str, dict[str, Any]] = {}
    runs: list[dict[str, Any]] = []
    pieces: list[dict[str, Any]] = []
    async with mock_slack_process(workdir) as mock, AsyncExitStack() as stack:
        api = f"{mock}/api/"
        for app in apps:
            if app == "bare":
                servers[app] = await stack.enter_async_context(bare_bolt(api, workdir))
                continue
            if app == "floor":
                databases[app] = floor_db = workdir / "durable-floor.db"
                servers[app] = await stack.enter_async_context(
                    durable_floor(api, workdir, floor_db)
                )
                continue
            revision = revisions[app]
            root = ROOT
            if revision is not None:
                root = stack.enter_context(worktree(revision, workdir / f"checkout-{app}"))
            databases[app] = (
                cluster.create_database(f"bench_{app}") if cluster else workdir / f"{app}.db"
            )
            servers[app] = await stack.enter_async_context(
                plgbot_serve(databases[app], api, workdir, log_name=f"{app}.log", root=root)
            )
            await set_up_plg(servers[app].url, mock, databases[app])
            found = await tables(databases[app])
            described[app] = {
                "revision": describe(revision),
                "root": str(root),
                "inbox": "deliveries" in found,
                "processed_events": "processed_events" in found,
                "alembic": await alembic_revision(databases[app]),
            }
            print(f"{app}: {described[app]}", file=sys.stderr, flush=True)

        def options(app: str) -> dict[str, Any]:
            if app in ("plgbot", "before"):
                return {"mock_url": mock, "database": databases[app]}
            if app == "floor":
                return {"database": databases[app]}
            return {}

        # Warm every app up (imports, caches, the people's profiles) before measuring.
        for app in apps:
            await measure(
                servers[app], clients=20, events=200, run=f"W{CODES[app]}e", **options(app)
            )
        for round_ in range(rounds):
            for step, clients in enumerate(concurrency):
                row: dict[str, Any] = {"round": round_, "clients": clients}
                turn = (round_ + step) % len(apps)
                for app in apps[turn:] + apps[:turn]:
                    row[app] = await measure(
                        servers[app],
                        clients=clients,
                        events=events,
                        run=f"{CODES[app]}{clients}r{round_}e",
                        **options(app),
                    )
                runs.append(row)
                print(_line(row), file=sys.stderr, flush=True)
            piece = await floor.pieces(api, workdir, events, run=f"R{round_}")
            pieces.append({"round": round_, **piece})
            print(f"round {round_} pieces: {_rounded(piece)}", file=sys.stderr, flush=True)
        memory = {app: server.memory_mb() for app, server in servers.items()}
    return {
        "events": events,
        "rounds": rounds,
        "database": "PostgreSQL" if postgres else "SQLite",
        "apps": list(apps),
        "plgbots": described,
        "runs": runs,
        "pieces": pieces,
        "peak_rss_mb": memory,
    }


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


def _line(row: dict[str, Any]) -> str:
    parts = [f"round {row['round']}, {row['clients']} clients:"]
    for app in APPS:
        if app in row:
            r = row[app]
            part = f"{app} p99 {r['p99_ms']:.1f} ms {r['acks_per_s']:.0f} acks/s"
            if "replies" in r:
                part += f" {r['processed_per_s']:.0f} processed/s"
            part += f" {r['cpu_ms_per_event']:.2f} ms CPU"
            if r.get("lost"):
                part += f" LOST {r['stored']}"
            parts.append(part + ";")
    return " ".join(parts)


# Tables for bench/README.md.


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float], fmt: str = "{:.2f}", unit: str = "") -> str:
    """``median (min–max)``, or the value alone for one round."""
    middle = fmt.format(_median(values)) + unit
    if len(values) < 2:
        return middle
    return f"{middle} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _mark(met: bool) -> str:
    return "met" if met else "**missed**"


def floors(result: dict[str, Any]) -> dict[tuple[int, int], dict[str, float]]:
    """Per (round, clients): the floor of the durable path and of the path before it,
    with that round's bare ack at those clients and that round's pieces."""
    pieces = {p["round"]: p for p in result["pieces"]}
    out: dict[tuple[int, int], dict[str, float]] = {}
    for row in result["runs"]:
        if "bare" not in row or row["round"] not in pieces:
            continue
        ack, piece = row["bare"]["cpu_ms_per_event"], pieces[row["round"]]
        out[row["round"], row["clients"]] = {
            "ack_ms": ack,
            "durable_ms": floor.floor_ms(ack, piece),
            "before_ms": floor.floor_ms(ack, piece, durable=False),
        }
    return out


def _by_clients(result: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in result["runs"]:
        grouped.setdefault(row["clients"], []).append(row)
    return grouped


def _name(result: dict[str, Any], app: str) -> str:
    if app in result["plgbots"]:
        return f"{NAMES[app]} ({result['plgbots'][app]['revision']})"
    return NAMES[app]


def table(result: dict[str, Any]) -> str:
    """The Markdown tables for bench/README.md."""
    apps = result["apps"]
    lines = [
        "| clients | app | ack p50 | ack p99 | acks/s | fully processed/s "
        "| CPU per processed event | errors | stored once |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    grouped = _by_clients(result)
    for clients, rows in grouped.items():
        for app in apps:
            runs = [row[app] for row in rows]

            def col(key: str, runs: list[dict[str, Any]] = runs) -> list[float]:
                return [float(r[key]) for r in runs]

            name = _name(result, app)
            if app in ("plgbot", "before"):
                name = f"**{name}**" if app == "plgbot" else name
                processed = f"{_median(col('processed_per_s')):,.0f}"
            else:
                processed = "(ack = done)"
            once = "–"
            if "lost" in runs[0]:
                once = "no" if any(r["lost"] for r in runs) else "yes"
            errors = sum(sum(r["errors"].values()) for r in runs)
            lines.append(
                f"| {clients} | {name} | {_median(col('p50_ms')):.1f} ms "
                f"| {_median(col('p99_ms')):.1f} ms | {_median(col('acks_per_s')):,.0f} "
                f"| {processed} | {_median(col('cpu_ms_per_event')):.2f} ms | {errors} | {once} |"
            )
    parts = [*lines]
    if "plgbot" in apps:
        parts += ["", *_targets(result, grouped)]
    if result["pieces"] and "bare" in apps:
        parts += ["", *_floor_table(result)]
    parts += [
        "",
        f"{result['events']:,} events per run, {result['rounds']} round(s); medians over the "
        "rounds, ratios taken within a round (median, and min–max in brackets). " + memory(result),
    ]
    notes = _which_code(result)
    if notes:
        parts += ["", notes]
    return "\n".join(parts)


def memory(result: dict[str, Any]) -> str:
    """Peak RSS of every server over the whole benchmark."""
    peaks = [f"{_name(result, app)} {mb:.0f} MB" for app, mb in result["peak_rss_mb"].items()]
    return f"Peak RSS (`VmHWM`) over the whole benchmark: {', '.join(peaks)}."


def _targets(result: dict[str, Any], grouped: dict[int, list[dict[str, Any]]]) -> list[str]:
    apps = result["apps"]
    floor_of = floors(result)
    before = "before" in apps
    lines = [
        f"| clients | ack p99 plgbot / durable floor (target ≤ {P99_RATIO_MAX}×) "
        + (f"| CPU per event plgbot / before (target ≤ {CPU_RATIO_MAX:.2f}×) " if before else "")
        + "| CPU plgbot / floor of the durable path "
        + ("| CPU before / floor of its path " if before else "")
        + f"| headroom: processed/s ÷ {SLACK_EVENTS_PER_S:.2f}/s "
        + "| events lost |",
        "|---|---|" + ("---|" if before else "") + "---|" + ("---|" if before else "") + "---|---|",
    ]
    for clients, rows in grouped.items():
        cells = [str(clients)]
        if "floor" in apps:
            p99 = [r["plgbot"]["p99_ms"] / r["floor"]["p99_ms"] for r in rows]
            cells.append(f"{_spread(p99, unit='×')} ({_mark(_median(p99) <= P99_RATIO_MAX)})")
        else:
            cells.append("–")
        if before:
            cpu = [r["plgbot"]["cpu_ms_per_event"] / r["before"]["cpu_ms_per_event"] for r in rows]
            cells.append(f"{_spread(cpu, unit='×')} ({_mark(_median(cpu) <= CPU_RATIO_MAX)})")
        for app, kind in (("plgbot", "durable_ms"), ("before", "before_ms")):
            if app not in apps:
                continue
            ratios = [
                r[app]["cpu_ms_per_event"] / floor_of[r["round"], clients][kind]
                for r in rows
                if (r["round"], clients) in floor_of
            ]
            cells.append(_spread(ratios, unit="×") if ratios else "–")
        headroom = [r["plgbot"]["processed_per_s"] / SLACK_EVENTS_PER_S for r in rows]
        cells.append(_spread(headroom, fmt="{:.0f}", unit="×"))
        lost = [app for app in apps for r in rows if r[app].get("lost")]
        cells.append(f"**{', '.join(sorted(set(lost)))}**" if lost else "none")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _floor_table(result: dict[str, Any]) -> list[str]:
    pieces = result["pieces"]
    floor_of = floors(result)

    def col(key: str) -> list[float]:
        return [float(p[key]) for p in pieces]

    lines = [
        "| piece, each measured alone in the same run | CPU per event |",
        "|---|---|",
    ]
    for clients in _by_clients(result):
        acks = [f["ack_ms"] for (_, c), f in floor_of.items() if c == clients]
        lines.append(
            f"| ack: bare Bolt, verify and acknowledge ({clients} clients; server) "
            f"| {_spread(acks, unit=' ms')} |"
        )
    lines += [
        "| durable commit: INSERT the raw event (JSON), own transaction "
        f"(SQLAlchemy Core, SQLite WAL) | {_spread(col('commit_ms'), unit=' ms')} |",
        f"| reply: one chat.postEphemeral (slack_sdk) | {_spread(col('reply_ms'), unit=' ms')} |",
        "| claim-and-commit: UPDATE the row to done, payload blanked, own transaction "
        f"| {_spread(col('claim_ms'), unit=' ms')} |",
    ]
    for clients in _by_clients(result):
        durable = [f["durable_ms"] for (_, c), f in floor_of.items() if c == clients]
        plain = [f["before_ms"] for (_, c), f in floor_of.items() if c == clients]
        lines.append(
            f"| **floor of the durable path** (sum; {clients} clients) "
            f"| **{_spread(durable, unit=' ms')}** |"
        )
        lines.append(
            f"| floor without the durable commit (the path before the inbox; {clients} clients) "
            f"| {_spread(plain, unit=' ms')} |"
        )
    lines.append(
        "| for comparison: the durable commit / the claim with plain aiosqlite "
        "(every call on its thread) "
        f"| {_median(col('commit_thread_ms')):.2f} / {_median(col('claim_thread_ms')):.2f} ms |"
    )
    if "floor" in result["apps"]:
        for clients, rows in _by_clients(result).items():
            app_cpu = [r["floor"]["cpu_ms_per_event"] for r in rows]
            extra = [r["floor"]["cpu_ms_per_event"] - r["bare"]["cpu_ms_per_event"] for r in rows]
            lines.append(
                f"| for comparison: the durable floor app, server CPU per event ({clients} "
                f"clients); minus the bare app's | {_spread(app_cpu, unit=' ms')}; "
                f"{_spread(extra, unit=' ms')} |"
            )
    return lines


def _which_code(result: dict[str, Any]) -> str:
    notes = []
    for app, what in result["plgbots"].items():
        schema = (
            "`deliveries`"
            if what["inbox"]
            else "`processed_events`, no `deliveries`"
            if what["processed_events"]
            else "neither `deliveries` nor `processed_events`"
        )
        where = "this checkout" if what["root"] == str(ROOT) else "a worktree of that commit"
        notes.append(
            f"{_name(result, app)} ran from {where}; its database has {schema} "
            f"(Alembic revision {what['alembic']})."
        )
    return " ".join(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark 1 and 4: Slack events")
    # p99 of 2,000 acknowledgements is the 20th slowest: a single pause of either server
    # moved the ratio by a third between runs.
    parser.add_argument("--events", type=int, default=4000, help="events per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every app each")
    parser.add_argument("--clients", type=int, nargs="+", default=list(CONCURRENCY))
    parser.add_argument(
        "--before",
        default=BEFORE,
        help=f"the earlier commit run side by side (default {BEFORE}); 'none' to skip it",
    )
    parser.add_argument(
        "--after", help="benchmark this commit as plgbot (default: this checkout as it is)"
    )
    parser.add_argument("--apps", nargs="+", choices=APPS, default=list(APPS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--postgres", action="store_true", help="the plgbots on a throwaway PostgreSQL server"
    )
    args = parser.parse_args()
    before = None if args.before.lower() == "none" else args.before
    with tempfile.TemporaryDirectory(prefix="plgbot-bench-") as tmp:
        result = asyncio.run(
            bench(
                args.events,
                Path(tmp),
                tuple(args.clients),
                apps=tuple(args.apps),
                rounds=args.rounds,
                before=before,
                after=args.after,
                postgres=args.postgres,
            )
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(table(result))


if __name__ == "__main__":
    main()
