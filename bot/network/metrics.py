"""Per-person network metrics from aggregated ties (design.md, "Interactions").

Ties come from the database already grouped per (source, target); this module only
counts distinct colleagues, so it stays linear in the number of ties.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from storage.interactions import Tie


@dataclass(frozen=True, slots=True)
class PersonMetrics:
    person_id: int
    out_ties: int
    in_ties: int
    reciprocal_ties: int
    degree: int
    interactions: int

    @property
    def reciprocity(self) -> float:
        return self.reciprocal_ties / self.degree if self.degree else 0.0


def person_metrics(ties: Iterable[Tie]) -> dict[int, PersonMetrics]:
    """Out-, in- and reciprocal ties, degree and interaction count for everyone who
    appears in ``ties``. Self-loops are ignored: nobody shares with themself."""
    outs: dict[int, set[int]] = defaultdict(set)
    ins: dict[int, set[int]] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    for tie in ties:
        if tie.source_id == tie.target_id:
            continue
        outs[tie.source_id].add(tie.target_id)
        ins[tie.target_id].add(tie.source_id)
        counts[tie.source_id] += tie.count
        counts[tie.target_id] += tie.count
    result: dict[int, PersonMetrics] = {}
    for person in outs.keys() | ins.keys():
        out, into = outs.get(person, set()), ins.get(person, set())
        result[person] = PersonMetrics(
            person_id=person,
            out_ties=len(out),
            in_ties=len(into),
            reciprocal_ties=len(out & into),
            degree=len(out | into),
            interactions=counts[person],
        )
    return result


def tie_strengths(ties: Iterable[Tie], person_id: int) -> dict[int, int]:
    """Interactions with each colleague, both directions together."""
    strengths: dict[int, int] = defaultdict(int)
    for tie in ties:
        if tie.source_id == person_id and tie.target_id != person_id:
            strengths[tie.target_id] += tie.count
        elif tie.target_id == person_id and tie.source_id != person_id:
            strengths[tie.source_id] += tie.count
    return dict(strengths)
