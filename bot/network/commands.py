"""The key-figure commands, in English and Dutch: ``stop tips`` / ``tips on`` for nudges.

(``my network`` / ``mijn netwerk`` is :class:`bot.commands.ShowNetwork`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue import Language


@dataclass(frozen=True, slots=True)
class StopNudges:
    pass


@dataclass(frozen=True, slots=True)
class StartNudges:
    pass


NudgeCommand = StopNudges | StartNudges

# The first two words of the command; None: the same in both languages.
_PHRASES: dict[tuple[str, str], tuple[NudgeCommand, Language | None]] = {
    ("stop", "nudges"): (StopNudges(), "en"),
    ("stop", "tips"): (StopNudges(), None),
    ("nudges", "off"): (StopNudges(), "en"),
    ("tips", "off"): (StopNudges(), "en"),
    ("no", "tips"): (StopNudges(), "en"),
    ("no", "nudges"): (StopNudges(), "en"),
    ("geen", "tips"): (StopNudges(), "nl"),
    ("tips", "uit"): (StopNudges(), "nl"),
    ("nudges", "on"): (StartNudges(), "en"),
    ("tips", "on"): (StartNudges(), "en"),
    ("start", "tips"): (StartNudges(), None),
    ("tips", "aan"): (StartNudges(), "nl"),
}


_FILLERS = {"these", "the", "my", "de", "deze", "die", "mijn", "please", "graag"}


def parse_nudge(words: list[str]) -> tuple[NudgeCommand, Language | None] | None:
    """``stop tips``, ``stop these nudges``, ``geen tips``, ``tips aan`` ... (``words``
    without mentions)."""
    folded = [w.lower().strip(",.!:") for w in words if w.strip(",.!:")]
    folded = [w for w in folded if w not in _FILLERS]
    if len(folded) != 2:
        return None
    return _PHRASES.get((folded[0], folded[1]))
