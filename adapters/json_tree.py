"""Checks on a parsed JSON (or form) body that every platform's border makes before
anything else reads it."""

from __future__ import annotations

from typing import Any

NUL = "\x00"


def tree_problem(data: Any, max_depth: int) -> str | None:
    """Why ``data`` may go no further, or None: lists and objects nested deeper than
    ``max_depth``, or a string (value or key) holding a NUL character. No platform
    sends NUL, and PostgreSQL's text refuses it, so a NUL that got in would fail the
    insert of a delivery that was already acknowledged. Walked without recursion, so
    it cannot overflow the stack; the reason names no value and is safe to log."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return "a string holds a NUL character"
            continue
        if isinstance(value, dict):
            inner = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            inner = value
        else:
            continue
        if depth > max_depth:
            return "JSON nested too deeply"
        pending.extend((item, depth + 1) for item in inner)
    return None
