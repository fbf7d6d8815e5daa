"""The privacy papers (``docs/privacy/*.md``) stay true to the code.

A school's privacy officer and staff council approve plgbot on the strength of these
papers, so a paper that names a field that no longer exists, a default the code does not
have or a command that does nothing is a wrong promise. The papers follow a few writing
rules (``docs/privacy/README.md``) that make them checkable here, without a database:

* every database field is inline code ``table.column``;
* every setting is inline code of its :class:`SchoolConfig` field name; a one-word
  setting is written "instelling `nudges`", so that it can be told from a command word;
* every other snake_case name in inline code is a table or an interaction origin;
* the commands a person can use are inline code under the "Commando's" heading of
  ``rechten-betrokkenen.md``.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from sqlalchemy import Table

from adapters.cli import main as cli
from adapters.dashboard.pages import VIEW_ACTION
from bot.catalogue import LANGUAGES, catalogue
from bot.commands import Parsed, Unknown, parse
from bot.dashboard import views as coordinator_view
from bot.dashboard.access import LINK_LIFETIME, SESSION_LIFETIME, SIGN_IN_ACTION
from bot.digest import participation as digest_participation
from bot.events import ChannelRef, InboundMessage, PersonRef, SchoolRef
from bot.network.interactions import Origin
from bot.privacy.commands import ExportMyData, OptIn, OptOut, ShowPrivacy
from scheduler.retention import DELIVERY_CLAIMS_KEPT, RUN_HOUR, RUN_MINUTE
from storage import audit, inbox, outbox
from storage.models import Base
from storage.school_settings import DEFAULTS, SchoolConfig, SettingError, parse_setting

PAPERS_DIR = Path(__file__).resolve().parents[2] / "docs" / "privacy"
PAPERS = (
    "README.md",
    "dpia.md",
    "verwerkingsregister.md",
    "informatie-medewerkers.md",
    "instemming-pmr.md",
    "rechten-betrokkenen.md",
)
DPIA = "dpia.md"
RIGHTS = "rechten-betrokkenen.md"
COMMANDS_HEADING = "## Commando's"

TABLES = Base.metadata.tables
SETTINGS = frozenset(f.name for f in dataclasses.fields(SchoolConfig))
ORIGINS = frozenset(origin.value for origin in Origin)
# What ``plgbot audit`` shows in its action column (storage.audit's constants and the
# dashboard's own): dotted, but not fields.
AUDIT_ACTIONS = frozenset(
    {
        value
        for name, value in vars(audit).items()
        if name.isupper() and isinstance(value, str) and "." in value
    }
    | {SIGN_IN_ACTION, VIEW_ACTION}
)
# ``dpia.md``, ``nl.toml``: file names are dotted too.
FILE_SUFFIXES = frozenset({"md", "py", "toml", "json", "csv", "png", "yml", "yaml"})

# Columns the DPIA need not name: a row number, and the school the row belongs to (the
# school is the controller itself; neither says anything about a person that the rest
# of the row does not already say).
TECHNICAL_COLUMNS = frozenset({"id", "school_id"})
# Tables holding personal data without a foreign key to ``people``: the scheduler's
# claims carry a person's or an invitation's id inside ``occurrences.key``.
ALSO_PERSONAL = ("occurrences",)

_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_FIELD = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_NAMED_SETTING = re.compile(r"\binstelling(?:en)?\s+`([^`\n]+)`", re.IGNORECASE)
_DEFAULT = re.compile(r"\bstandaard(?: van)? (\d+)\b")
_RANGE = re.compile(r"\bvan (\d+) tot en met (\d+) maanden\b")
_SMALL_GROUP = re.compile(r"\bkleiner dan (\d+)\b")


def paper(name: str) -> str:
    return (PAPERS_DIR / name).read_text(encoding="utf-8")


def code_spans(text: str) -> list[str]:
    r"""Inline code, with the ``\|`` a Markdown table cell needs for a ``|`` undone."""
    return [span.replace("\\|", "|").strip() for span in _CODE.findall(text)]


def units(text: str) -> Iterator[str]:
    """Each table row, and each paragraph or list item joined into one line, so a check
    of "this line names X and says Y" survives rewrapping."""
    lines: list[str] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        starts_item = stripped.startswith(("- ", "* ", "|", "#")) or bool(
            re.match(r"\d+\. ", stripped)
        )
        if lines and (not stripped or starts_item or lines[0].startswith("|")):
            yield " ".join(lines)
            lines = []
        if stripped:
            lines.append(stripped)


def field_references(text: str) -> list[tuple[str, str]]:
    found = []
    for span in code_spans(text):
        match = _FIELD.match(span)
        if match and match[2] not in FILE_SUFFIXES and span not in AUDIT_ACTIONS:
            found.append((match[1], match[2]))
    return found


def section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same level."""
    assert heading in text.splitlines(), f"no {heading!r} heading"
    after = text.split(f"\n{heading}\n", 1)[1]
    level = heading.split(" ", 1)[0]
    return re.split(rf"^{re.escape(level)} ", after, maxsplit=1, flags=re.MULTILINE)[0]


def test_the_papers_are_all_there() -> None:
    missing = [name for name in PAPERS if not (PAPERS_DIR / name).is_file()]
    assert not missing, f"docs/privacy/ lacks {missing}"
    listed = code_spans(paper("README.md"))
    assert [name for name in PAPERS[1:] if name not in listed] == []


@pytest.mark.parametrize("name", PAPERS)
def test_every_field_named_exists(name: str) -> None:
    wrong = []
    for table, column in field_references(paper(name)):
        if table not in TABLES:
            wrong.append(f"{table}.{column}: no table {table!r}")
        elif column not in TABLES[table].c:
            wrong.append(f"{table}.{column}: {table} has no column {column!r}")
    assert wrong == [], f"{name} names fields storage/models.py does not have"


@pytest.mark.parametrize("name", PAPERS)
def test_every_setting_named_exists(name: str) -> None:
    text = paper(name)
    named = set(_NAMED_SETTING.findall(text))
    assert sorted(named - SETTINGS) == [], f"{name}: not fields of SchoolConfig"
    # Any other snake_case name must be something the code has: a setting, a table or
    # an interaction origin; a renamed setting lands here.
    unknown = {
        span
        for span in code_spans(text)
        if _SNAKE.match(span) and span not in SETTINGS | set(TABLES) | ORIGINS
    }
    assert sorted(unknown) == [], f"{name}: names that are no setting, table or origin"


@pytest.mark.parametrize("name", PAPERS)
def test_retention_default_and_range_are_the_codes(name: str) -> None:
    stated = [u for u in units(paper(name)) if "`retention_months`" in u]
    defaults = {int(n) for u in stated for n in _DEFAULT.findall(u)}
    assert defaults <= {DEFAULTS.retention_months}, (
        f"{name} says retention_months defaults to {sorted(defaults)}; "
        f"the code says {DEFAULTS.retention_months}"
    )
    for low, high in (r for u in stated for r in _RANGE.findall(u)):
        parse_setting("retention_months", low)
        parse_setting("retention_months", high)
        for outside in (int(low) - 1, int(high) + 1):
            with pytest.raises(SettingError):
                parse_setting("retention_months", str(outside))
    if name == DPIA:
        assert defaults, "the DPIA must state the default of retention_months"
        assert any(_RANGE.search(u) for u in stated), "the DPIA must state its range"


def _hours(period: timedelta) -> int:
    return int(period.total_seconds() // 3600)


# Retention periods other than retention_months: where the DPIA names the field, the
# number it gives (found by the pattern) is the constant the code uses.
PERIODS = (
    ("`deliveries.attempts`", r"(\d+) pogingen", str(inbox.MAX_ATTEMPTS)),
    ("`deliveries.finished_at`", r"(\d+) dagen", str(DELIVERY_CLAIMS_KEPT.days)),
    ("`outbox.created_at`", r"(\d+) uur", str(_hours(outbox.GIVE_UP_AFTER))),
    (
        "`dashboard_links.expires_at`",
        r"(\d+) minuten",
        str(int(LINK_LIFETIME.total_seconds() // 60)),
    ),
    ("`dashboard_sessions.expires_at`", r"(\d+) uur", str(_hours(SESSION_LIFETIME))),
    # The nightly run that applies retention_months.
    ("`retention_months`", r"\b(\d\d:\d\d)\b", f"{RUN_HOUR:02d}:{RUN_MINUTE:02d}"),
)


@pytest.mark.parametrize(("field", "pattern", "expected"), PERIODS)
def test_the_dpia_states_each_period_as_the_code_has_it(
    field: str, pattern: str, expected: str
) -> None:
    stated = {n for u in units(paper(DPIA)) if field in u for n in re.findall(pattern, u)}
    assert stated == {expected}, f"dpia.md says {sorted(stated)} for {field}; the code: {expected}"


def test_small_groups_are_the_codes_threshold() -> None:
    assert coordinator_view.MIN_GROUP == digest_participation.MIN_GROUP
    stated = {int(n) for name in PAPERS for n in _SMALL_GROUP.findall(paper(name))}
    assert stated == {coordinator_view.MIN_GROUP}


def personal_tables() -> dict[str, Table]:
    """``people``, every table that refers to a person, and :data:`ALSO_PERSONAL`."""
    people = TABLES["people"]
    found = {"people": people}
    for table in TABLES.values():
        refers = any(
            key.column.table is people for column in table.columns for key in column.foreign_keys
        )
        if refers or "person" in table.c:
            found[table.name] = table
    found.update((name, TABLES[name]) for name in ALSO_PERSONAL)
    return found


def test_the_dpia_names_every_column_with_personal_data() -> None:
    tables = personal_tables()
    assert {"people", "interactions", "round_replies", "deliveries", "outbox"} <= set(tables)
    named = set(field_references(paper(DPIA)))
    missing = [
        f"{table.name}.{column.name}"
        for table in tables.values()
        for column in table.columns
        if column.name not in TECHNICAL_COLUMNS and (table.name, column.name) not in named
    ]
    assert missing == [], "dpia.md does not name (and so does not describe) these fields"


def test_the_dpia_says_leaders_see_totals_only() -> None:
    assert "schoolleiders en teamleiders zien standaard alleen totalen" in paper(DPIA).lower()


# --- Commands -------------------------------------------------------------------


def listed_commands() -> tuple[list[str], list[str]]:
    """The chat commands and the ``plgbot`` commands under "Commando's"."""
    spans = code_spans(section(paper(RIGHTS), COMMANDS_HEADING))
    cli_spans = [s for s in spans if s.startswith("plgbot ")]
    # Settings, fields and options named in the explanations are not commands.
    chat = [
        s
        for s in spans
        if s not in cli_spans
        and not (_SNAKE.match(s) or _FIELD.match(s) or s.startswith("-") or "=" in s)
    ]
    return chat, cli_spans


def typed(command: str) -> Iterator[str]:
    """What a person would type for ``command``: ``N`` a round number, ``…`` some
    text, ``a|b`` either word."""
    stand_ins = {"N": ["3"], "…": ["nieuwe tekst"]}
    words = [stand_ins.get(word, word.split("|")) for word in command.split()]
    return (" ".join(choice) for choice in itertools.product(*words))


def parsed(text: str) -> Parsed:
    event = InboundMessage(
        school=SchoolRef(platform="console", tenant_id="papers"),
        event_id="e1",
        message_id="m1",
        author=PersonRef(user_id="u1", display_name="Docent"),
        channel=ChannelRef(channel_id="d1", is_direct=True),
        text=text,
        sent_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        addressed_to_bot=True,
    )
    return parse(event)


def test_the_rights_paper_lists_commands() -> None:
    chat, cli_spans = listed_commands()
    assert len(chat) >= 8
    assert {s.split()[1] for s in cli_spans} >= {"erase-person", "audit"}


def test_every_chat_command_listed_is_documented_and_understood() -> None:
    chat, _ = listed_commands()
    documented = "\n".join(
        value.lower() for language in LANGUAGES for value in catalogue(language).values()
    )
    undocumented = [
        c for c in chat if not re.search(rf"(?<!\w){re.escape(c.lower())}(?!\w)", documented)
    ]
    assert undocumented == [], "not in bot/catalogue/nl.toml or en.toml"
    not_understood = [t for c in chat for t in typed(c) if isinstance(parsed(t).command, Unknown)]
    assert not_understood == [], "plgbot does not understand these"


@pytest.mark.parametrize("kind", [ShowPrivacy, ExportMyData, OptOut, OptIn])
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_privacy_command_is_listed_in_both_languages(kind: type, language: str) -> None:
    chat, _ = listed_commands()
    results = [parsed(t) for c in chat for t in typed(c)]
    assert any(isinstance(r.command, kind) and r.language in {language, None} for r in results), (
        f"no {language} command for {kind.__name__} under {COMMANDS_HEADING!r}"
    )


def resolve(words: list[str]) -> tuple[click.Command, list[str], str]:
    """The ``plgbot`` (sub)command that ``words`` name, the words left, and its path."""
    command: click.Command = cli
    path = "plgbot"
    rest = list(words)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        sub = command.commands.get(name)
        assert sub is not None, f"{path} has no command {name!r}: {sorted(command.commands)}"
        command, path = sub, f"{path} {name}"
    return command, rest, path


def check_cli(span: str, *, complete: bool) -> None:
    """``span`` is a real ``plgbot`` command with real options (and, when
    ``complete``, every required one); ``school set`` changes only real settings to
    allowed values, ``people set`` only fields of ``people``."""
    command, rest, path = resolve(shlex.split(span)[1:])
    options = {
        opt: param
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
    }
    given: set[str] = set()
    while rest:
        word = rest.pop(0)
        if word.startswith("--"):
            name, _, value = word.partition("=")
            assert name in options, f"{path} has no option {name}: {sorted(options)}"
            option = options[name]
            given.add(name)
            if not option.is_flag and not value:
                assert rest, f"{span}: {name} needs a value"
                value = rest.pop(0)
            if isinstance(option.type, click.Choice):
                assert value in option.type.choices, f"{span}: {value!r} is not allowed"
        elif path == "plgbot school set":
            key, _, value = word.partition("=")
            assert key in SETTINGS, f"{span}: no setting {key!r}"
            parse_setting(key, value)
        elif path == "plgbot people set" and "=" in word:
            key = word.partition("=")[0]
            assert key in TABLES["people"].c, f"{span}: people has no field {key!r}"
        else:
            assert any(isinstance(p, click.Argument) for p in command.params), (
                f"{span}: {path} takes no argument {word!r}"
            )
    if complete:
        required = {p.opts[0] for p in command.params if isinstance(p, click.Option) and p.required}
        assert required <= given, f"{span}: leaves out {sorted(required - given)}"


def test_every_cli_command_listed_works() -> None:
    _, cli_spans = listed_commands()
    for span in cli_spans:
        check_cli(span, complete=True)


@pytest.mark.parametrize("name", PAPERS)
def test_every_cli_command_named_exists(name: str) -> None:
    for span in code_spans(paper(name)):
        if span.startswith("plgbot "):
            check_cli(span, complete=False)
