"""The digest's two pictures, as PNG bytes: the network and the knowledge-type trend.

The network is drawn like figure 1 of the research: people as dots coloured by
department, key figures larger and labelled (unless the digest is aggregate-only),
an arrow for a tie that went one way, a thicker double-headed line for a reciprocal
tie. The layout is seeded, so the same network gives the same picture. The trend chart
shows each knowledge type's share of the last eight weeks.

matplotlib draws synchronously and is not thread-safe through pyplot, so everything
here uses the object API (no global figure state) and :func:`render_pictures` runs it
in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display, ever: before anything imports pyplot

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.catalogue import Language, text
from bot.digest.balance import Balance
from bot.digest.weekly import Digest
from bot.knowledge.types import ALL_TYPES

LAYOUT_SEED = 7
_DPI = 100
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)
_OTHER = "#9e9e9e"
_TYPE_COLOURS = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c8c8c")


@dataclass(frozen=True, slots=True)
class Pictures:
    network: bytes
    trend: bytes


async def render_pictures(digest: Digest, language: Language) -> Pictures:
    """Both pictures, drawn in a worker thread."""
    network = await asyncio.to_thread(network_png, digest, language)
    trend = await asyncio.to_thread(trend_png, digest.trend, language)
    return Pictures(network, trend)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # A fixed creation date keeps the bytes the same for the same picture.
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def network_png(digest: Digest, language: Language) -> bytes:
    """The network of the digest's window as a PNG (a note instead when it is empty)."""
    figure = Figure(figsize=(9.5, 6.5))
    axes = figure.add_subplot()
    axes.set_axis_off()
    title = text(language, "digest.picture.network_title", weeks=digest.window_weeks)
    axes.set_title(title, fontsize=11)
    if not digest.nodes:
        axes.text(0.5, 0.5, text(language, "digest.picture.no_ties"), ha="center", va="center")
        return _png(figure)

    graph = nx.Graph()
    graph.add_nodes_from(node.person_id for node in digest.nodes)
    graph.add_edges_from((e.source, e.target) for e in digest.edges)
    positions = nx.spring_layout(graph, seed=LAYOUT_SEED, k=2.2 / max(len(graph), 1) ** 0.5)

    groups = sorted({n.group for n in digest.nodes if n.group is not None})
    colour = {group: _PALETTE[i % len(_PALETTE)] for i, group in enumerate(groups)}
    one_way = [(e.source, e.target) for e in digest.edges if not e.reciprocal]
    both_ways = [(e.source, e.target) for e in digest.edges if e.reciprocal]
    directed = nx.DiGraph()
    directed.add_nodes_from(graph.nodes)
    sizes = {n.person_id: 260 if n.key_figure else 70 for n in digest.nodes}
    nodelist = [n.person_id for n in digest.nodes]
    node_size = [sizes[p] for p in nodelist]
    nx.draw_networkx_edges(
        directed,
        positions,
        ax=axes,
        edgelist=one_way,
        nodelist=nodelist,
        node_size=node_size,
        width=0.8,
        edge_color="#777777",
        arrows=True,
        arrowstyle="-|>",
        arrowsize=9,
    )
    nx.draw_networkx_edges(
        directed,
        positions,
        ax=axes,
        edgelist=both_ways,
        nodelist=nodelist,
        node_size=node_size,
        width=2.0,
        edge_color="#333333",
        arrows=True,
        arrowstyle="<|-|>",
        arrowsize=9,
    )
    nx.draw_networkx_nodes(
        graph,
        positions,
        ax=axes,
        nodelist=nodelist,
        node_size=node_size,
        node_color=[colour.get(n.group, _OTHER) if n.group else _OTHER for n in digest.nodes],
        edgecolors=["black" if n.key_figure else "white" for n in digest.nodes],
        linewidths=1.2,
    )
    # Key figures sit in the middle of the network, close together: labels alternate
    # above and below their dot, on a white ground, so they stay readable.
    labelled = [(n.person_id, n.label) for n in digest.nodes if n.label]
    for index, (person_id, label) in enumerate(labelled):
        x, y = positions[person_id]
        offset = 0.075 if index % 2 == 0 else -0.075
        axes.text(
            x,
            y + offset,
            label,
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
            zorder=5,
        )
    handles = [Line2D([], [], marker="o", linestyle="", color=colour[g], label=g) for g in groups]
    if any(n.group is None for n in digest.nodes):
        other = text(language, "digest.other_departments")
        handles.append(Line2D([], [], marker="o", linestyle="", color=_OTHER, label=other))
    handles.append(
        Line2D([], [], color="#777777", lw=0.8, label=text(language, "digest.picture.one_way"))
    )
    handles.append(
        Line2D([], [], color="#333333", lw=2.0, label=text(language, "digest.picture.both_ways"))
    )
    axes.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
    )
    figure.tight_layout()
    return _png(figure)


def trend_png(trend: tuple[Balance, ...], language: Language) -> bytes:
    """Each knowledge type's share of the type mentions, week by week, as a PNG."""
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    weeks = [f"W{b.week.week:02d}" for b in trend]
    for index, kind in enumerate(ALL_TYPES):
        shares = [b.shares[index] * 100 for b in trend]
        name = text(language, f"types.{kind.names[0]}")
        width = 2.6 if index == 2 else 1.4  # outcomes, the one to watch
        axes.plot(weeks, shares, marker="o", lw=width, color=_TYPE_COLOURS[index], label=name)
    axes.set_ylim(0, 100)
    axes.set_ylabel("%")
    axes.set_title(text(language, "digest.picture.trend_title", weeks=len(trend)), fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    figure.tight_layout()
    return _png(figure)
