"""Run every benchmark and write the figures into bench/README.md (between the
``results`` markers), with the machine they were measured on:

    make bench                          # or: .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --quick   # smaller sizes, a few minutes; README untouched

    .venv/bin/python -m bench.run --after HEAD   # plgbot as committed, not the working tree

1. Slack events through plgbot, side by side with plgbot at the commit before the inbox
   (``--before``, default 3e38491, in a temporary worktree), the durable-ack floor app and
   a bare Bolt app, with the floor of the durable path measured piece by piece in the
   same run (``bench.events``, ``bench.floor``); which also gives 4. the peak RSS of
   ``plgbot serve``;
2. key figures vs networkx (``bench.key_figures``, SQLite);
3. the Monday-morning fan-out (``bench.fanout``).

Each runs in its own process, one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import events, fanout

README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _run(args: list[str]) -> str:
    print("$ python -m " + " ".join(args), file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, "-m", *args], check=True, stdout=subprocess.PIPE, text=True
    )
    return done.stdout


def _json(module: str, extra: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        _run([module, "--json", str(path), *extra])
        data: dict[str, Any] = json.loads(path.read_text())
        return data


def machine() -> str:
    load = os.getloadavg()
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cores} cores, {memory:.0f} GB RAM, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average {load[0]:.1f} when the section was written"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="All benchmarks; results into README.md")
    parser.add_argument("--quick", action="store_true", help="small sizes, README untouched")
    parser.add_argument(
        "--after", help="benchmark 1: this commit as plgbot (default: this checkout as it is)"
    )
    parser.add_argument(
        "--before", default=events.BEFORE, help="benchmark 1: the earlier commit ('none': skip)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    sizes = (
        (
            ["--events", "500", "--rounds", "1"],
            ["--rounds", "200", "--channels", "20"],
            ["--interactions", "50000"],
        )
        if args.quick
        else ([], [], [])
    )
    which = ["--before", args.before, *(["--after", args.after] if args.after else [])]
    slack = _json("bench.events", [*sizes[0], *which])
    rounds = _json("bench.fanout", sizes[1])
    key_figures = _run(["bench.key_figures", *sizes[2]])
    rows = [line for line in key_figures.splitlines() if line.startswith("|")]
    notes = [line for line in key_figures.splitlines() if line and not line.startswith("|")]
    minutes = (time.monotonic() - started) / 60
    section = "\n".join(
        [
            BEGIN,
            f"Measured {machine()} (load average {load_before:.1f} at the start; absolute "
            f"figures vary by tens of percent between runs, more while the machine is "
            f"shared; the ratios compare runs made side by side). `make bench` took "
            f"{minutes:.0f} minutes.",
            "",
            "### 1. Slack events: plgbot vs the durable-ack floor, the commit before "
            "the inbox, and a bare Bolt app",
            "",
            events.table(slack),
            "",
            "### 2. Key figures vs networkx (SQLite)",
            "",
            *rows,
            "",
            *notes,
            "",
            "### 3. Monday-morning fan-out",
            "",
            fanout.table(rounds),
            "",
            "### 4. Memory",
            "",
            events.memory(slack),
            END,
        ]
    )
    if args.quick:
        print(section)
        return
    text = README.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Results\n\n" + section + "\n"
    README.write_text(text)
    print(section)


if __name__ == "__main__":
    main()
