"""The dashboard's figures, built with plotly (drawn in the browser by plotly.js, which
the dashboard serves itself) and networkx (where to put the dots).

Every function returns the figure as JSON text for a ``<script type="application/json">``
element; ``static/dashboard.js`` hands it to ``Plotly.newPlot``. Names and departments
are HTML-escaped before they go into hover texts, which plotly renders as a small
subset of HTML.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

import networkx as nx
import plotly.graph_objects as go

from bot.catalogue import Language, catalogue
from bot.dashboard.views import TREND_TYPES, Node, Picture, Trends
from bot.knowledge.types import KnowledgeType
from storage.digest_history import WeekFigures

Text = Callable[..., str]
# Fixed, so the same network is drawn the same way on every visit.
LAYOUT_SEED = 7
_MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}
_CONFIG_FONT = {"family": "system-ui, sans-serif", "size": 13}


def as_json(figure: go.Figure) -> str:
    """The figure as JSON that cannot end the ``<script>`` element it is put in."""
    return str(figure.to_json()).replace("<", "\\u003c").replace(">", "\\u003e")


def role_label(language: Language, role: str | None, t: Text) -> str:
    if role is None:
        return t("dashboard.other_role")
    return catalogue(language).get(f"demo.role.{role}", role)


def _hover(node: Node, language: Language, t: Text) -> str:
    lines = []
    if node.name is not None:
        lines.append(f"<b>{escape(node.name)}</b>")
    department = node.department or t("dashboard.other_department")
    lines.append(f"{escape(role_label(language, node.role, t))} · {escape(department)}")
    lines.append(
        escape(
            t(
                "dashboard.hover_ties",
                out=node.out_ties,
                into=node.in_ties,
                both=node.reciprocal_ties,
            )
        )
    )
    lines.append(escape(t("dashboard.hover_interactions", count=node.interactions)))
    if node.profile is not None:
        lines.append(escape(t(f"keyfigures.profile.{node.profile.value}")))
    if node.key_figure is not None:
        lines.append(f"<b>{escape(t('dashboard.key_figure', rank=node.key_figure))}</b>")
    return "<br>".join(lines)


def positions(picture: Picture) -> dict[int, tuple[float, float]]:
    """Spring layout of the ties (undirected), seeded: stable from visit to visit."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(n.person_id for n in picture.nodes))
    graph.add_edges_from((e.source_id, e.target_id) for e in picture.edges)
    if graph.number_of_nodes() == 0:
        return {}
    spread = 1.6 / math.sqrt(graph.number_of_nodes())
    placed = nx.spring_layout(graph, seed=LAYOUT_SEED, k=spread, iterations=100)
    return {int(person): (float(x), float(y)) for person, (x, y) in placed.items()}


def network_figure(picture: Picture, language: Language, t: Text) -> go.Figure:
    """Dots coloured by department (small ones together), sized by colleagues reached;
    key figures as stars; an arrow per tie from who shared to who heard, blue when the
    tie goes both ways."""
    where = positions(picture)
    figure = go.Figure()
    groups: dict[str, list[Node]] = {}
    for node in picture.nodes:
        groups.setdefault(node.department or t("dashboard.other_department"), []).append(node)
    for department in sorted(groups, key=lambda d: (d == t("dashboard.other_department"), d)):
        members = groups[department]
        figure.add_trace(
            go.Scatter(
                x=[where[n.person_id][0] for n in members],
                y=[where[n.person_id][1] for n in members],
                mode="markers",
                name=department,
                hovertext=[_hover(n, language, t) for n in members],
                hoverinfo="text",
                customdata=[n.person_id for n in members],
                marker={
                    "size": [10 + 3 * math.sqrt(n.degree) for n in members],
                    "symbol": ["star" if n.key_figure else "circle" for n in members],
                    "line": {"width": 1, "color": "#ffffff"},
                },
            )
        )
    arrows = []
    for edge in picture.edges:
        (x0, y0), (x1, y1) = where[edge.source_id], where[edge.target_id]
        arrows.append(
            {
                "x": x1,
                "y": y1,
                "ax": x0,
                "ay": y0,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1,
                "arrowwidth": 1,
                "standoff": 7,
                "opacity": 0.55,
                "arrowcolor": "#1f77b4" if edge.reciprocal else "#9aa0a6",
                "text": "",
            }
        )
    figure.update_layout(
        annotations=arrows,
        showlegend=True,
        hovermode="closest",
        height=620,
        margin=_MARGIN,
        font=_CONFIG_FONT,
        plot_bgcolor="#ffffff",
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        legend={"title": {"text": ""}, "itemclick": "toggleothers"},
    )
    return figure


def knowledge_figure(trends: Trends, t: Text) -> go.Figure:
    """Interactions per week, stacked by the knowledge types they carried."""
    weeks = [w.week for w in trends.weeks]
    figure = go.Figure()
    for index, kind in enumerate(TREND_TYPES):
        figure.add_trace(
            go.Bar(
                x=weeks,
                y=[w.knowledge[index] for w in trends.weeks],
                name=t(f"types.{_type_key(kind)}"),
            )
        )
    figure.update_layout(barmode="stack", height=340, margin=_MARGIN, font=_CONFIG_FONT)
    return figure


def participation_figure(trends: Trends, t: Text) -> go.Figure:
    """Share of staff who took part in a tie, and new ties, per week."""
    weeks = [w.week for w in trends.weeks]
    share = [round(100 * w.active / trends.staff, 1) if trends.staff else 0 for w in trends.weeks]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=weeks,
            y=[w.new_ties for w in trends.weeks],
            name=t("dashboard.new_ties_series"),
            yaxis="y2",
            opacity=0.5,
        )
    )
    figure.add_trace(
        go.Scatter(x=weeks, y=share, name=t("dashboard.participation_series"), mode="lines+markers")
    )
    figure.update_layout(
        height=340,
        margin=_MARGIN,
        font=_CONFIG_FONT,
        yaxis={"rangemode": "tozero", "ticksuffix": "%"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickformat": ",d",
        },
        legend={"orientation": "h"},
    )
    return figure


def departments_figure(trends: Trends, t: Text) -> go.Figure:
    """Per department (small ones together): the share of staff with a tie."""
    names = [d.department or t("dashboard.other_department") for d in trends.departments]
    shares = [round(100 * d.active / d.staff, 1) if d.staff else 0 for d in trends.departments]
    figure = go.Figure(
        go.Bar(
            x=shares,
            y=names,
            orientation="h",
            name=t("dashboard.active_share"),
            hovertext=[f"{d.active} / {d.staff}" for d in trends.departments],
        )
    )
    figure.update_layout(
        height=max(200, 40 + 28 * len(names)),
        margin=_MARGIN,
        font=_CONFIG_FONT,
        xaxis={"range": [0, 100], "ticksuffix": "%"},
        yaxis={"autorange": "reversed"},
    )
    return figure


def history_figure(weeks: Sequence[WeekFigures], t: Text) -> go.Figure:
    """Stored digest weeks: participation and reciprocity (%), conversations per week."""
    labels = [w.week for w in weeks]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[w.interactions for w in weeks],
            name=t("dashboard.history_interactions"),
            yaxis="y2",
            opacity=0.45,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=[round(100 * w.participation, 1) for w in weeks],
            name=t("dashboard.history_participation"),
            mode="lines+markers",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=[round(100 * w.reciprocity, 1) for w in weeks],
            name=t("dashboard.history_reciprocity"),
            mode="lines+markers",
        )
    )
    figure.update_layout(
        height=360,
        margin=_MARGIN,
        font=_CONFIG_FONT,
        yaxis={"rangemode": "tozero", "ticksuffix": "%"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickformat": ",d",
        },
        legend={"orientation": "h"},
    )
    return figure


def _type_key(kind: KnowledgeType) -> str:
    return str(kind.name).lower()
