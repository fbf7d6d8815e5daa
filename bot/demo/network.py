"""The seeded generator behind the demo school (:mod:`bot.demo.school`): who talks with whom
about which PLG, when, how, and what they share.

It works on names from :mod:`bot.demo.names`, not database ids, so it needs no database
and the same seed and day always give the same network. Ties are planned one at a time
with every person's degree in view: ordinary colleagues stay below a cap, so the three
planned key figures stand out, and a few colleagues are left out on purpose.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.demo.names import INTERACTOR, PLGS, SENDER, STAFF, SUPER_SHARER
from bot.knowledge.types import ALL_TYPES, KnowledgeType
from bot.network.interactions import Origin

WEEKS = 12
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Ordinary colleagues stay below every key figure's degree, so the key figures are clear.
_CAP = 6
_INACTIVE = 5
_BACKGROUND = 25

# Chance per message of each type, in ALL_TYPES order (focus, process, outcomes,
# benefits, organisation): most colleagues share results and practicalities, as in the
# research; the key figures differ in what else they pass on.
_SHARING: dict[str, tuple[float, ...]] = {
    "ordinary": (0.12, 0.12, 0.45, 0.05, 0.40),
    SUPER_SHARER: (0.45, 0.45, 0.45, 0.35, 0.30),
    INTERACTOR: (0.30, 0.40, 0.45, 0.0, 0.35),
    SENDER: (0.02, 0.02, 0.85, 0.0, 0.20),
}
# What makes a super-sharer a super-sharer: she passes these on from her first messages.
_SUPER_SHARES = (KnowledgeType.FOCUS, KnowledgeType.PROCESS, KnowledgeType.BENEFITS)


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """One logged message: ``actor`` logs ``origin`` about ``other`` (see
    :func:`bot.network.interactions.edges` for the edges it makes)."""

    at: datetime
    origin: Origin
    actor: str
    other: str
    knowledge: int
    plg: str | None


@dataclass(slots=True)
class _Planner:
    """Plans ties between staff (by name) and the events that make them, one tie at a
    time, so the degree of every person is known while the network grows."""

    rng: random.Random
    today: date
    events: list[PlannedEvent] = field(default_factory=list)
    ties: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    shared: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def plg_of(self, a: str, b: str) -> tuple[str | None, bool]:
        """The PLG a conversation is about, and whether both sit in its channel."""
        for spec in PLGS:
            group = spec.leads + spec.members
            if a in group and b in group:
                return spec.name, True
        for person in (a, b):
            found = next((s for s in PLGS if person in s.leads + s.members), None)
            # Some logs name no PLG: "we talked about the PLGs" in general.
            if found is not None and self.rng.random() > 0.1:
                return found.name, False
        return None, False

    def moment(self, earliest: int = 1, latest: int = WEEKS * 7 - 1) -> datetime:
        """A time on a school day between ``earliest`` and ``latest`` days ago. Never
        today, so a reply minutes later is still in the past."""
        while True:
            day = self.today - timedelta(days=self.rng.randint(earliest, latest))
            if day.weekday() < 5:
                break
        clock = time(self.rng.randint(8, 16), self.rng.randint(0, 59))
        return datetime.combine(day, clock, _AMSTERDAM).astimezone(UTC)

    def mask(self, source: str) -> int:
        odds = _SHARING.get(source, _SHARING["ordinary"])
        knowledge = KnowledgeType.NONE
        for kind, chance in zip(ALL_TYPES, odds, strict=True):
            if self.rng.random() < chance:
                knowledge |= kind
        count = self.shared[source]
        if source == SUPER_SHARER and count < len(_SUPER_SHARES):
            knowledge |= _SUPER_SHARES[count]
        self.shared[source] += 1
        return knowledge.value

    def add(self, origin: Origin, actor: str, other: str, *, at: datetime, plg: str | None) -> None:
        # The knowledge is the sharer's: the actor, except when the receiver logs "heard".
        source = other if origin is Origin.HEARD else actor
        self.events.append(PlannedEvent(at, origin, actor, other, self.mask(source), plg))

    def one_way(self, src: str, dst: str, plg: str | None, channel: bool) -> None:
        at = self.moment()
        choices = [Origin.TOLD, Origin.TOLD, Origin.HEARD]
        if plg is not None:
            choices += [Origin.MENTION, Origin.MENTION]
        if channel:
            choices.append(Origin.THREAD_REPLY)
        origin = self.rng.choice(choices)
        # "heard" is logged by the receiver; every other one-way origin by the sharer.
        actor, other = (dst, src) if origin is Origin.HEARD else (src, dst)
        self.add(origin, actor, other, at=at, plg=plg)

    def exchange(self, a: str, b: str, plg: str | None, channel: bool) -> None:
        """A conversation that runs both ways."""
        if self.rng.random() < 0.5:
            a, b = b, a
        at = self.moment()
        opener = self.rng.choice(
            [Origin.DISCUSSED, Origin.ASKED] + ([Origin.MENTION] * 2 if channel else [])
        )
        self.add(opener, a, b, at=at, plg=plg)
        if opener is not Origin.DISCUSSED:
            reply_at = at + timedelta(minutes=self.rng.randint(3, 240))
            self.add(Origin.THREAD_REPLY, b, a, at=reply_at, plg=plg)

    def tie(self, a: str, b: str, *, both: bool, strength: tuple[int, int]) -> None:
        """Plan ``strength`` conversations from ``a`` to ``b`` (and back when ``both``)."""
        self.ties[a].add(b)
        self.ties[b].add(a)
        plg, channel = self.plg_of(a, b)
        for n in range(self.rng.randint(*strength)):
            if not both:
                self.one_way(a, b, plg, channel)
            elif n == 0 or self.rng.random() < 0.5:
                self.exchange(a, b, plg, channel)
            else:
                src, dst = (a, b) if self.rng.random() < 0.5 else (b, a)
                self.one_way(src, dst, plg, channel)
        if both and self.rng.random() < 0.3:
            # The network survey ran over three days, six weeks ago.
            survey_day = self.today - timedelta(days=self.today.weekday() + 41)
            offset = (self.today - survey_day).days - self.rng.randint(0, 2)
            self.add(Origin.SURVEY, a, b, at=self.moment(offset, offset), plg=plg)

    def can_tie(self, a: str, b: str) -> bool:
        return a != b and b not in self.ties[a] and max(len(self.ties[a]), len(self.ties[b])) < _CAP


def plan_network(seed: int, today: date) -> list[PlannedEvent]:
    """The demo school's messages over the :data:`WEEKS` weeks before ``today`` (a
    date in Europe/Amsterdam), in time order. The same seed and day give the same list."""
    rng = random.Random(seed)
    planner = _Planner(rng, today)
    key = {SUPER_SHARER, INTERACTOR, SENDER}
    in_plg = {name for spec in PLGS for name in spec.leads + spec.members}
    quiet = sorted(p.name for p in STAFF if p.name not in in_plg and p.name not in key)
    inactive = set(rng.sample(quiet, _INACTIVE))
    pool = [p.name for p in STAFF if p.name not in key and p.name not in inactive]

    def others(names: tuple[str, ...], exclude: set[str], k: int) -> list[str]:
        rest = [p for p in pool if p not in exclude and p not in names]
        return [n for n in names if n not in key] + rng.sample(rest, k)

    data_team, lesson_study, formative = PLGS
    # The super-sharer talks both ways with her own team and far beyond it.
    anouk = [SENDER, INTERACTOR, *others(data_team.members, set(), 10)]
    for n, colleague in enumerate(anouk):
        planner.tie(SUPER_SHARER, colleague, both=n < 12, strength=(8, 18) if n < 12 else (3, 8))
    # The interactor: reciprocal within her lesson study, one-way in both senses outside.
    sanne = others(lesson_study.leads + lesson_study.members, set(anouk), 8)
    for n, colleague in enumerate(sanne):
        if n < 4:
            planner.tie(INTERACTOR, colleague, both=True, strength=(8, 16))
        elif n < 9:
            planner.tie(INTERACTOR, colleague, both=False, strength=(3, 8))
        else:
            planner.tie(colleague, INTERACTOR, both=False, strength=(3, 8))
    # The sender passes the data team's results on to colleagues who don't answer back.
    for colleague in rng.sample([p for p in pool if p not in data_team.members], 10):
        planner.tie(SENDER, colleague, both=False, strength=(3, 8))

    for spec in (lesson_study, formative):
        lead = spec.leads[-1]
        for member in spec.members:
            if member not in planner.ties[lead]:
                planner.tie(lead, member, both=True, strength=(6, 12))
    for spec in PLGS:
        group = [m for m in spec.leads + spec.members if m not in key]
        for _ in range(3):
            a, b = rng.sample(group, 2)
            if planner.can_tie(a, b):
                planner.tie(a, b, both=rng.random() < 0.6, strength=(3, 8))
    department = {p.name: p.department for p in STAFF}
    for _ in range(_BACKGROUND):
        a = rng.choice(pool)
        # Colleagues mostly talk within their own section.
        near = [p for p in pool if department[p] == department[a]]
        b = rng.choice(near if rng.random() < 0.6 else pool)
        if planner.can_tie(a, b):
            planner.tie(a, b, both=rng.random() < 0.5, strength=(2, 6))
    # Everyone not planned as inactive takes part at least a little.
    for a in pool:
        partners = [p for p in pool if planner.can_tie(a, p)] if not planner.ties[a] else []
        if partners:
            planner.tie(rng.choice(partners), a, both=False, strength=(1, 3))
    return sorted(planner.events, key=lambda e: e.at)
