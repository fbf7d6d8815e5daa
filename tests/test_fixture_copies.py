"""The tests' own copy of the platform payloads (tests/fixtures) stays the same as the
shared samples they were copied from, whenever those stand beside the checkout; a
clone with nothing beside it runs on the copy alone."""

from __future__ import annotations

from pathlib import Path

OURS = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_the_tests_have_their_own_payloads_the_same_as_the_shared_samples() -> None:
    ours = _files(OURS)
    assert {"slack/message_im.json", "teams/message_personal.json"} <= ours.keys()
    if SHARED.is_dir():
        assert ours == _files(SHARED), "tests/fixtures drifted from ../shared/fixtures"
