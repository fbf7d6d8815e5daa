"""The `plgbot` console script, run as a newcomer would: a subprocess, a fresh
SQLite file, settings from the environment."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLGBOT = str(Path(sys.executable).parent / "plgbot")


def plgbot(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "PLGBOT_", "DATABASE_URL"))
    }
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    clean.update(env or {})
    return subprocess.run(
        [PLGBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=120,
        check=False,
    )


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    result = plgbot(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    assert (tmp_path / "cli.db").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PLGBOT_PORT": "eighty"}, "PLGBOT_PORT='eighty': Input should be a valid integer"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL='mysql://x/y': Value error, plgbot runs"),
        ({"PLGBOT_LANGUAGE": "de"}, "PLGBOT_LANGUAGE='de': Input should be 'nl' or 'en'"),
        ({"PLGBOT_WINDOW_WEEKS": "0"}, "PLGBOT_WINDOW_WEEKS='0': Input should be greater"),
    ],
)
def test_wrong_settings_are_named_with_a_clear_message(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = plgbot(tmp_path, "db", "upgrade", env=env)
    assert result.returncode == 2
    assert "plgbot cannot start; fix these settings:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PLGBOT_LANGUAGE=klingon\n")
    result = plgbot(tmp_path, "db", "upgrade")
    assert result.returncode == 2
    assert "PLGBOT_LANGUAGE='klingon'" in result.stderr


SCRIPT = """\
# a scripted session: comments and blank lines are skipped
/as Bram Jansen
/as Anouk de Vries
language en
plg new Datateam havo-3 focus Many havo-3 pupils repeat the year
plg link Datateam havo-3 #datateam
told @bram about the data team: we looked at why pupils repeat the year #focus
/in #datateam
@bram can you check the absence data?
/as bram
/reply 5 yes, I have the #results
/dm
netwerk
"""


def test_console_reads_a_script_from_stdin_end_to_end(tmp_path: Path) -> None:
    result = plgbot(tmp_path, "console", "--school", "demo", stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Logged: you told Bram Jansen about Datateam havo-3." in out
    assert "[5] #datateam anouk: @bram can you check the absence data?" in out
    assert "[6] #datateam ↳[5] bram: yes, I have the #results" in out
    assert "Collega's met wie je deelde" in out  # Bram asked in Dutch
    assert "resultaten: 1×" in out  # his thread reply carried #results
    exported = plgbot(tmp_path, "network", "--school", "demo", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    report = json.loads(exported.stdout)
    pairs = {(e["source"], e["target"]) for e in report["edges"]}
    assert pairs == {("anouk", "bram"), ("bram", "anouk")}
    people = {p["handle"]: p for p in report["people"]}
    assert people["anouk"]["reciprocal_ties"] == 1 and people["anouk"]["degree"] == 1


def test_a_failing_console_command_in_a_script_fails_the_run(tmp_path: Path) -> None:
    result = plgbot(tmp_path, "console", stdin="told @bram\n")
    assert result.returncode == 1
    assert "/as NAME" in result.stdout


def test_network_export_as_csv_and_an_unknown_school(tmp_path: Path) -> None:
    plgbot(tmp_path, "console", stdin="/as bram\n/as anouk\ntold @bram #focus\n")
    result = plgbot(tmp_path, "network", "--school", "demo", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["handle"]: r["out_ties"] for r in rows} == {"anouk": "1", "bram": "0"}
    edges = plgbot(tmp_path, "network", "--school", "demo", "--format", "csv", "--table", "edges")
    assert list(csv.DictReader(io.StringIO(edges.stdout))) == [
        {"source": "anouk", "target": "bram", "interactions": "1", "knowledge": "focus"}
    ]
    missing = plgbot(tmp_path, "network", "--school", "elsewhere")
    assert missing.returncode == 1
    assert "no school 'elsewhere'; known: demo" in missing.stderr
