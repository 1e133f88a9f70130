"""The group structure chart: Graphviz `dot`, parent on top, holdings as labelled arrows.

Drawn with the `graphviz` Python package, which writes DOT and pipes it through the `dot` program (Debian
package `graphviz`). Chinese names need a CJK font on the server (Debian `fonts-noto-cjk`); every label is
set in "Noto Sans CJK SC", otherwise they render as empty boxes. Nodes are styled by method so a reader
sees at a glance what is consolidated (subsidiaries), equity-accounted (associates, joint ventures), held
as an investment, or outside the group (dashed).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import graphviz

from app.ownership.errors import GraphvizMissingError

FONT: Final = "Noto Sans CJK SC"
OUTSIDE: Final = "outside"

# role -> node attributes
_STYLES: Final[dict[str, dict[str, str]]] = {
    "parent": {
        "shape": "box",
        "style": "filled,bold",
        "fillcolor": "#1f4e79",
        "fontcolor": "white",
        "penwidth": "2",
    },
    "subsidiary": {"shape": "box", "style": "filled", "fillcolor": "#cfe2f3", "color": "#1f4e79"},
    "associate": {"shape": "box", "style": "filled,rounded", "fillcolor": "#fff2cc", "color": "#bf9000"},
    "joint_venture": {"shape": "box", "style": "filled,rounded", "fillcolor": "#fce5cd", "color": "#b45f06"},
    "investment": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "color": "#666666"},
    OUTSIDE: {"shape": "box", "style": "dashed", "color": "#888888", "fontcolor": "#444444"},
}
_ROLE_NAMES: Final = {
    "subsidiary": "subsidiary",
    "associate": "associate",
    "joint_venture": "joint venture",
    "investment": "investment",
}


@dataclass(frozen=True, slots=True)
class ChartNode:
    """An entity on the chart; `role` is its method under the parent, or `outside` for outside holders."""

    id: str
    name: str
    name_en: str | None
    code: str
    role: str
    interest: Decimal | None


@dataclass(frozen=True, slots=True)
class ChartEdge:
    holder_id: str
    investee_id: str
    share: Decimal
    voting_share: Decimal


def percent(value: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: 0.8 -> "80%", 0.075 -> "7.5%"."""
    scaled = (value * 100).normalize()
    if scaled == scaled.to_integral_value():
        scaled = scaled.quantize(Decimal(1))
    return f"{scaled:f}%"


def _node_label(node: ChartNode) -> str:
    lines = [node.name]
    if node.name_en:
        lines.append(node.name_en)
    if node.role in _ROLE_NAMES and node.interest is not None:
        lines.append(f"{_ROLE_NAMES[node.role]} · interest {percent(node.interest)}")
    # Backslashes in names are escaped; "\\n" is DOT's centred line break; nohtml: never an HTML label.
    label: str = graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines))
    return label


def _edge_label(edge: ChartEdge) -> str:
    label = percent(edge.share)
    if edge.voting_share != edge.share:
        label += f" (votes {percent(edge.voting_share)})"
    return label


def build_graph(
    *, parent_id: str, nodes: Sequence[ChartNode], edges: Sequence[ChartEdge], title: str
) -> graphviz.Digraph:
    """The DOT graph: top to bottom, the parent alone on the top rank.

    Holdings of the parent's own shares (treasury shares inside the group, or its outside shareholders) are
    drawn dotted and do not constrain the layout, so the parent stays on top.
    """
    graph = graphviz.Digraph(name="structure", format="svg")
    graph.attr(
        rankdir="TB", fontname=FONT, label=graphviz.escape(title), labelloc="t", nodesep="0.4", ranksep="0.7"
    )
    graph.attr("node", fontname=FONT, fontsize="11", margin="0.15,0.08")
    graph.attr("edge", fontname=FONT, fontsize="10", color="#444444")
    with graph.subgraph(name="top") as top:
        top.attr(rank="source")
        top.node(parent_id)
    for node in nodes:
        graph.node(
            node.id,
            label=_node_label(node),
            tooltip=graphviz.escape(node.code),
            **_STYLES.get(node.role, _STYLES["investment"]),
        )
    for edge in edges:
        attrs: dict[str, str] = {"label": _edge_label(edge)}
        if edge.investee_id == parent_id:
            attrs.update(style="dotted", constraint="false")
        graph.edge(edge.holder_id, edge.investee_id, **attrs)
    return graph


def require_dot() -> None:
    """Raises GraphvizMissingError when the `dot` program is not on the PATH."""
    if shutil.which("dot") is None:
        raise GraphvizMissingError(
            "the structure chart needs Graphviz: install the Debian packages graphviz and fonts-noto-cjk"
        )


def render_svg(
    *, parent_id: str, nodes: Sequence[ChartNode], edges: Sequence[ChartEdge], title: str
) -> bytes:
    """The chart as SVG bytes. Raises GraphvizMissingError when `dot` is not installed."""
    require_dot()
    graph = build_graph(parent_id=parent_id, nodes=nodes, edges=edges, title=title)
    try:
        svg: bytes = graph.pipe(format="svg", engine="dot")
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizMissingError("the Graphviz program dot could not be run") from exc
    return svg
