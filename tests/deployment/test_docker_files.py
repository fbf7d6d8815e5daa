"""The Dockerfile and compose.yaml do what the README and the Makefile do.

Docker cannot build here, so the files are read: the Dockerfile installs with the
Makefile's target behind ``make run`` and starts with ``make run``; compose.yaml runs
``plgbot db upgrade`` and ``plgbot serve`` as ``make run`` and the README's command
table name them, with options ``plgbot serve`` really has, on PostgreSQL, with the
healthchecks and start order a one-command start needs. Then compose's own two commands
run here, on this test's database."""

from __future__ import annotations

import asyncio
import re
import shlex
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
import yaml

from adapters.cli import main
from adapters.server import AppContext, build_app
from adapters.settings import Settings
from tests.deployment.processes import PLGBOT, clean_environment, plgbot_serve

ROOT = Path(__file__).resolve().parents[2]
PLGBOT_IN_MAKE = re.compile(r"^\$\(BIN\)/plgbot\b")


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) per Dockerfile instruction, continuations joined."""
    joined = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), " ".join(rest.split())))
    return instructions


def make_recipe(target: str) -> tuple[list[str], list[str]]:
    """The prerequisites and the recipe lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    prerequisites = lines[start].partition(":")[2].split()
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return prerequisites, recipe


def plgbot_commands_of_make_run() -> list[list[str]]:
    _, recipe = make_recipe("run")
    return [shlex.split(PLGBOT_IN_MAKE.sub("plgbot", line)) for line in recipe]


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def interpolated(value: str) -> str:
    """Compose's ``${NAME:-default}`` with nothing set: the default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def app_paths() -> set[str]:
    app = build_app(Settings(database_url="sqlite+aiosqlite:///unused.db"))
    assert isinstance(app.state.context, AppContext)
    return {getattr(route, "path", "") for route in app.routes}


def test_the_dockerfile_runs_the_readmes_steps() -> None:
    steps = dockerfile()
    kinds = [kind for kind, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    # A non-root user before anything is installed or run.
    user = [args for kind, args in steps if kind == "USER"]
    assert user and user[-1] not in {"root", "0"}
    assert kinds.index("USER") < kinds.index("RUN", kinds.index("COPY"))
    # The install is the Makefile target that `make run` builds first.
    prerequisites, _ = make_recipe("run")
    assert prerequisites == ["$(BIN)/plgbot"]
    installs = [args for kind, args in steps if kind == "RUN" and args.startswith("make ")]
    assert installs == ["make .venv/bin/plgbot PYTHON=python3.11"]
    # And it starts like the README's first command.
    assert ("CMD", '["make", "run", "PYTHON=python3.11"]') in steps
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "installs plgbot" in readme
    # The venv's plgbot is the one on PATH, for compose's commands.
    env = next(args for kind, args in steps if kind == "ENV")
    assert "PATH=/app/.venv/bin:$PATH" in env
    # Liveness on /healthz, which the app serves.
    check = next(args for kind, args in steps if kind == "HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in check
    assert "/healthz" in app_paths()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "*.db"} <= set(ignored), "no local venv, secrets or data"


def test_compose_runs_the_same_commands_as_make_run_and_the_readme() -> None:
    services = compose()["services"]
    make_run = plgbot_commands_of_make_run()
    assert ["plgbot", "db", "upgrade"] in make_run
    assert ["plgbot", "serve"] in make_run
    readme = (ROOT / "README.md").read_text()

    migrate = services["migrate"]["command"]
    assert migrate == ["plgbot", "db", "upgrade"]
    web = services["web"]["command"]
    assert web[:2] == ["plgbot", "serve"]
    for command in (migrate, web[:2]):
        assert f"`{' '.join(command)}" in readme, "a command of the README's table"
    # Every option compose passes is one `plgbot serve` has, with a valid value.
    serve = main.get_command(click.Context(main), web[1])
    assert isinstance(serve, click.Command)
    parsed = serve.make_context("serve", list(web[2:]))
    assert parsed.params["workers"] == 2
    assert "--workers" in readme and "--no-scheduler" in readme


def test_compose_starts_postgres_then_migrations_then_web() -> None:
    data = compose()
    services = data["services"]
    assert set(services) == {"db", "migrate", "web"}

    db = services["db"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in data["volumes"], "the data outlives the container"

    for name in ("migrate", "web"):
        service = services[name]
        assert service["build"] == "."
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}
        assert service["env_file"] == [{"path": ".env", "required": False}]
        environment = service["environment"]
        settings = Settings(
            database_url=interpolated(environment["DATABASE_URL"]),
            db_pool_size=int(environment["DB_POOL_SIZE"]),
            db_max_overflow=int(environment["DB_MAX_OVERFLOW"]),
            PLGBOT_LOG_FORMAT=environment["PLGBOT_LOG_FORMAT"],
        )
        assert settings.database_url.startswith("postgresql+asyncpg://plgbot:")
        assert settings.database_url.endswith("@db:5432/plgbot")
    web = services["web"]
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    check = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in check
    assert "/readyz" in app_paths()
    assert web["ports"] == ["8000:8000"]


@pytest.mark.slow
async def test_composes_commands_run_here(database_url: str, tmp_path: Path) -> None:
    """compose's migrate and web commands, with its environment but this test's
    database: the migrations run, and the workers come up ready."""
    services = compose()["services"]
    environment = {k: str(v) for k, v in services["web"]["environment"].items()}
    env = clean_environment(**(environment | {"DATABASE_URL": database_url}))
    migrate = services["migrate"]["command"]
    process = await asyncio.create_subprocess_exec(
        PLGBOT,
        *migrate[1:],
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    assert out.decode().startswith("database at revision")

    web = services["web"]["command"]
    async with plgbot_serve(tmp_path, env, *web[2:]) as served, httpx.AsyncClient() as client:
        ready = await client.get(f"{served.url}/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        assert (await client.get(f"{served.url}/metrics")).status_code == 200
    served.records()  # compose asks for JSON logs: every line is one
