"""The Dockerfile and compose.yaml do what the README and the Makefile do.

Docker cannot build here, so the files are read: the Dockerfile runs the README's
production install from the lock and starts ``plgbot serve``; make installs from the
locks too; compose.yaml runs
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


def readme_production_install() -> list[str]:
    """The commands of the README's "Installing for production" block."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("**Installing for production**", 1)[1].split("```sh", 1)[1]
    return [line.strip() for line in block.split("```", 1)[0].splitlines() if line.strip()]


def stages(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for kind, args in steps:
        if kind == "FROM":
            found.append([])
        found[-1].append((kind, args))
    return found


def test_the_dockerfile_runs_the_readmes_production_install() -> None:
    build, final = stages(dockerfile())
    assert build[0] == ("FROM", "python:3.11-slim AS build")
    assert final[0] == ("FROM", "python:3.11-slim")
    # The README's install, step by step: the locked dependencies before the source
    # (their own layer), then plgbot without its dev extras; no pip cache.
    readme = readme_production_install()
    runs = [args for kind, args in build if kind == "RUN"]
    assert runs == [line for line in readme if not line.startswith("/opt/plgbot/bin/plgbot")]
    copies = [args for kind, args in build if kind == "COPY"]
    assert copies[0] == "requirements.lock ./"
    assert all("requirements-dev" not in args and "[dev]" not in args for _, args in build)
    lock_at = build.index(("COPY", copies[0]))
    source_at = build.index(("COPY", "pyproject.toml README.md ./"))
    assert lock_at < build.index(("RUN", runs[1])) < source_at
    settings = [pair for kind, args in build if kind == "ENV" for pair in args.split()]
    assert "PIP_NO_CACHE_DIR=1" in settings
    for package in ("bot", "adapters", "scheduler", "storage"):
        assert ("COPY", f"{package} {package}") in build
    # The final image: the venv only, a non-root user, plgbot serve in exec form (it gets
    # SIGTERM and drains), no demo data, a healthcheck on /healthz.
    assert ("COPY", "--from=build /opt/plgbot /opt/plgbot") in final
    assert not [args for kind, args in final if kind == "RUN" and "pip" in args]
    user = [args for kind, args in final if kind == "USER"]
    assert user and user[-1] not in {"root", "0"}
    assert final[-1] == ("CMD", '["plgbot", "serve"]')
    assert not [args for kind, args in final if "demo" in args or "make" in args]
    env = next(args for kind, args in final if kind == "ENV")
    assert "PATH=/opt/plgbot/bin:$PATH" in env
    check = next(args for kind, args in final if kind == "HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in check
    assert "/healthz" in app_paths()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "*.db"} <= set(ignored), "no local venv, secrets or data"


def test_make_installs_from_the_locks_the_dockerfile_does_too() -> None:
    prerequisites, recipe = make_recipe("$(BIN)/plgbot")
    assert "requirements-dev.lock" in prerequisites
    installs = [line for line in recipe if "pip install" in line]
    assert installs == [
        "$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock",
        "$(BIN)/pip install --quiet --no-deps -e .",
    ]

    # Every package the runtime lock pins is in the dev lock at the same version.
    def pins(name: str) -> dict[str, str]:
        text = (ROOT / name).read_text()
        return dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^ \\]+)", text, re.MULTILINE))

    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert runtime and all(dev.get(name) == version for name, version in runtime.items())
    assert "playwright" in dev and "playwright" not in runtime


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


def test_the_installed_package_carries_its_data_files(tmp_path: Path) -> None:
    """``pip install .`` (the image's install) builds a wheel: the catalogue, the pinned
    knowledge model and the migrations must be in it, not only in the source tree."""
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), ROOT],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("plgbot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "bot/catalogue/nl.toml",
        "bot/catalogue/en.toml",
        "bot/knowledge/model.json.gz",
        "storage/migrations/env.py",
    } <= names
