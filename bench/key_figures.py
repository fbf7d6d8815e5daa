"""Benchmark: key figures for every school, from the database vs networkx in memory.

    .venv/bin/python -m bench.key_figures            # 5,000 staff, 20 schools, 1,000,000
    .venv/bin/python -m bench.key_figures --postgres # also on a throwaway PostgreSQL

Generates a school board (bench/generate.py) into a fresh SQLite file, then measures in
separate child processes, so each peak RSS is its own:

* ``db``: :func:`bot.network.key_figures.key_figures_by_school` for all schools, through the
  same async SQLAlchemy session the bot uses (contacts rollup and candidate probes,
  profiles included: three statements for the whole board);
* ``ties``: the same with the colleagues counted from the window's ties, grouped from
  the raw interactions (the alternative layout, for comparison);
* ``networkx``: the window's edges, already loaded into memory per school (loading is
  not timed), into an ``nx.DiGraph`` per school; degree, reciprocal ties and
  interactions per person; the top N sorted the same way. No profiles, so networkx is
  given the lighter job.

Every run is repeated and the median reported; the key figures (person, degree,
reciprocal ties, interactions) must be the same from every method, or it fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.generate import NOW, Board, fill_postgres, fill_sqlite

Result = dict[str, list[list[int]]]
WINDOWS = (12, 52)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def time_db(url: str, weeks: int, reps: int, *, from_contacts: bool | None) -> dict[str, Any]:
    """Seconds, per repetition, to compute every school's key figures (one board-wide call, as
    the board digest makes it), and what they were."""
    from bot.network.key_figures import Window, key_figures_by_school
    from storage import Database, directory
    from storage.school_settings import DEFAULTS

    db = Database(url)
    window = Window.ending(NOW, weeks)
    try:
        async with db.session() as session:
            schools = {s.id: (window, DEFAULTS) for s in await directory.list_schools(session)}
        times, result = [], {}
        for _ in range(reps):
            start = time.perf_counter()
            async with db.session() as session:
                found = await key_figures_by_school(session, schools, from_contacts=from_contacts)
            times.append(time.perf_counter() - start)
            result = {
                str(school): [
                    [
                        k.person_id,
                        k.place.metrics.degree,
                        k.place.metrics.reciprocal_ties,
                        k.place.metrics.interactions,
                    ]
                    for k in figures
                ]
                for school, figures in found.items()
            }
    finally:
        await db.dispose()
    return {"times": times, "result": result, "rss_mb": peak_rss_mb()}


def load_edges(path: str, weeks: int) -> tuple[dict[int, list[tuple[int, int]]], dict[int, str]]:
    """The window's edges per school, and everyone's name, from the SQLite file."""
    import sqlite3
    from contextlib import closing

    from bench.generate import SQLITE_TIME
    from bot.network.key_figures import Window

    window = Window.ending(NOW, weeks)
    since = window.since.replace(tzinfo=None).strftime(SQLITE_TIME)
    edges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    with closing(sqlite3.connect(path)) as connection, connection:
        for school, source, target in connection.execute(
            "SELECT school_id, source_id, target_id FROM interactions WHERE occurred_at >= ?",
            (since,),
        ):
            edges[school].append((source, target))
        names = dict(connection.execute("SELECT id, display_name FROM people"))
    return edges, names


def networkx_key_figures(
    edges: dict[int, list[tuple[int, int]]], names: dict[int, str], top: int = 3
) -> Result:
    import networkx as nx

    result: Result = {}
    for school, pairs in edges.items():
        graph = nx.DiGraph()
        graph.add_edges_from(pairs)
        interactions: Counter[int] = Counter()
        for source, target in pairs:
            interactions[source] += 1
            interactions[target] += 1
        rows = []
        for node in graph.nodes:
            out, into = set(graph.successors(node)), set(graph.predecessors(node))
            rows.append((len(out | into), len(out & into), interactions[node], names[node], node))
        rows.sort(key=lambda r: (-r[0], -r[1], -r[2], r[3], r[4]))
        result[str(school)] = [[r[4], r[0], r[1], r[2]] for r in rows[:top]]
    return result


def time_networkx(path: str, weeks: int, reps: int) -> dict[str, Any]:
    edges, names = load_edges(path, weeks)
    times, result = [], {}
    for _ in range(reps):
        start = time.perf_counter()
        result = networkx_key_figures(edges, names)
        times.append(time.perf_counter() - start)
    return {"times": times, "result": result, "rss_mb": peak_rss_mb()}


def child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints JSON."""
    if args.child == "networkx":
        out = time_networkx(args.path, args.weeks, args.reps)
    else:
        contacts = None if args.child == "db" else False
        out = asyncio.run(time_db(args.url, args.weeks, args.reps, from_contacts=contacts))
    print(json.dumps(out))


def measure(method: str, url: str, path: str, weeks: int, reps: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.key_figures", "--child", method]
    command += ["--url", url, "--path", path, "--weeks", str(weeks), "--reps", str(reps)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


async def prepare(board: Board, directory: Path, postgres: bool) -> list[tuple[str, str]]:
    """Migrated, filled databases: (label, url)."""
    from storage import Database

    path = directory / "bench.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    await db.dispose()
    fill_sqlite(str(path), board)
    targets = [("SQLite", f"sqlite+aiosqlite:///{path}")]
    if postgres:
        from tests.pg_cluster import PostgresCluster

        cluster = PostgresCluster()
        cluster.start()  # stopped at exit (atexit) with all its files
        url = cluster.create_database("bench")
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        await fill_postgres(url, board)
        targets.append(("PostgreSQL", url))
    return targets


def compare(
    targets: list[tuple[str, str]], path: str, weeks: int, reps: int, rounds: int
) -> list[str]:
    """Every method in turn, ``rounds`` times (so a busy moment on the machine does not
    fall on one method only); the median over all repetitions, the largest peak RSS."""
    methods = [("networkx", "networkx", "")]
    methods += [(f"{label} {m}", m, url) for label, url in targets for m in ("db", "ties")]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in methods}
    for _ in range(rounds):
        for name, method, url in methods:
            runs[name].append(measure(method, url, path, weeks, reps))
    nx_runs = runs["networkx"]
    baseline = statistics.median(t for run in nx_runs for t in run["times"])
    lines = [
        f"| {weeks} weeks | networkx (in memory) | {baseline:.3f} s | 1.0× | "
        f"{max(r['rss_mb'] for r in nx_runs):.0f} MB |"
    ]
    for name, _, _ in methods[1:]:
        seconds = statistics.median(t for run in runs[name] for t in run["times"])
        if any(run["result"] != nx_runs[0]["result"] for run in runs[name]):
            sys.exit(f"{name} and networkx disagree at {weeks} weeks")
        lines.append(
            f"| {weeks} weeks | {name} | {seconds:.3f} s | {baseline / seconds:.1f}× | "
            f"{max(r['rss_mb'] for r in runs[name]):.0f} MB |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5, help="Repetitions per child process.")
    parser.add_argument("--rounds", type=int, default=3, help="Child processes per method.")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--child", choices=["db", "ties", "networkx"])
    parser.add_argument("--url", default="")
    parser.add_argument("--path", default="")
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    board = Board(args.schools, args.staff, args.interactions)
    with tempfile.TemporaryDirectory(prefix="plgbot-bench-") as tmp:
        started = time.perf_counter()
        targets = asyncio.run(prepare(board, Path(tmp), args.postgres))
        path = str(Path(tmp) / "bench.db")
        print(f"generated {board} in {time.perf_counter() - started:.0f} s", flush=True)
        print("| window | method | median | vs networkx | peak RSS |")
        print("|---|---|---|---|---|")
        for weeks in WINDOWS:
            for line in compare(targets, path, weeks, args.reps, args.rounds):
                print(line, flush=True)
        print("(all methods found the same key figures, degrees and interaction counts)")


if __name__ == "__main__":
    main()
