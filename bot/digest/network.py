"""The network part of a digest: colleague pairs and reciprocity in the analysis
window, key figures against last week, and the nodes and edges of the network picture.

Separate from :mod:`bot.digest.weekly` because it turns ties and key figures
(bot.network.key_figures) into what the digest shows, while the digest itself only
gathers the week's numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.network.key_figures import KeyFigure
from storage.interactions import Tie
from storage.models import Person


@dataclass(frozen=True, slots=True)
class KeyFigureLine:
    """A key figure this week; ``name`` is None in aggregate-only digests. The
    ``previous_*`` fields are None when they were no key figure last week."""

    rank: int
    person_id: int
    name: str | None
    profile: str
    degree: int
    reciprocal_ties: int
    previous_rank: int | None
    previous_degree: int | None


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """A person in the network picture: ``group`` is their department (None: the merged
    small departments or none), ``label`` their name if they are a key figure and the
    digest names people."""

    person_id: int
    group: str | None
    label: str | None
    key_figure: bool


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    """A tie in the picture: ``source`` → ``target``, or both ways if ``reciprocal``
    (then ``source`` < ``target``)."""

    source: int
    target: int
    reciprocal: bool


def tie_pairs(ties: Sequence[Tie]) -> tuple[int, int]:
    """(colleague pairs with a tie either way, pairs with ties both ways)."""
    directed = {(t.source_id, t.target_id) for t in ties if t.source_id != t.target_id}
    pairs = {(min(a, b), max(a, b)) for a, b in directed}
    both = sum(1 for a, b in pairs if (a, b) in directed and (b, a) in directed)
    return len(pairs), both


def network_edges(ties: Sequence[Tie]) -> tuple[NetworkEdge, ...]:
    """One edge per colleague pair: reciprocal, or in the one direction it went."""
    directed = {(t.source_id, t.target_id) for t in ties if t.source_id != t.target_id}
    edges = []
    for a, b in sorted(directed):
        if (b, a) in directed:
            if a < b:
                edges.append(NetworkEdge(a, b, True))
        else:
            edges.append(NetworkEdge(a, b, False))
    return tuple(edges)


def network_nodes(
    people: Mapping[int, Person],
    lines: Sequence[KeyFigureLine],
    shown_departments: Collection[str],
) -> tuple[NetworkNode, ...]:
    """The picture's people, by id: coloured by department only if that department is
    shown apart in the digest, labelled only if they are a (named) key figure."""
    labels = {line.person_id: line.name for line in lines}
    return tuple(
        NetworkNode(
            person_id=person_id,
            group=person.department if person.department in shown_departments else None,
            label=labels.get(person_id),
            key_figure=person_id in labels,
        )
        for person_id, person in sorted(people.items())
    )


def key_figure_lines(
    figures: Sequence[KeyFigure], last: Sequence[KeyFigure], named: bool
) -> tuple[KeyFigureLine, ...]:
    """This week's key figures with their rank and degree last week; names only if
    ``named`` (not an aggregate-only digest)."""
    before = {f.person_id: f for f in last}
    lines = []
    for f in figures:
        previous = before.get(f.person_id)
        lines.append(
            KeyFigureLine(
                rank=f.rank,
                person_id=f.person_id,
                name=f.name if named else None,
                profile=f.profile.value,
                degree=f.place.metrics.degree,
                reciprocal_ties=f.place.metrics.reciprocal_ties,
                previous_rank=previous.rank if previous else None,
                previous_degree=previous.place.metrics.degree if previous else None,
            )
        )
    return tuple(lines)
