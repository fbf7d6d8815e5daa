"""Per-person metrics agree with networkx on random directed multigraphs."""

from __future__ import annotations

from collections import Counter

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.network.metrics import person_metrics, tie_strengths
from storage.interactions import Tie

edges = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=80)


def _ties(pairs: list[tuple[int, int]]) -> list[Tie]:
    return [Tie(s, t, n, 0) for (s, t), n in Counter(pairs).items()]


@settings(max_examples=200, deadline=None)
@given(edges)
def test_metrics_match_networkx(pairs: list[tuple[int, int]]) -> None:
    graph = nx.MultiDiGraph()
    graph.add_edges_from((s, t) for s, t in pairs if s != t)
    simple = nx.DiGraph(graph)
    metrics = person_metrics(_ties(pairs))
    assert set(metrics) == set(simple.nodes)
    for node in simple.nodes:
        out = set(simple.successors(node))
        into = set(simple.predecessors(node))
        m = metrics[node]
        assert m.out_ties == simple.out_degree(node)
        assert m.in_ties == simple.in_degree(node)
        assert m.reciprocal_ties == len(out & into)
        assert m.degree == len(out | into)
        assert m.interactions == graph.degree(node)
        assert m.reciprocity == (len(out & into) / len(out | into))


@given(edges, st.integers(0, 12))
def test_tie_strength_counts_both_directions(pairs: list[tuple[int, int]], person: int) -> None:
    strengths = tie_strengths(_ties(pairs), person)
    expected = Counter(t if s == person else s for s, t in pairs if person in (s, t) and s != t)
    assert strengths == dict(expected)


def test_an_empty_network_has_no_metrics() -> None:
    assert person_metrics([]) == {}
