"""Bar charts as PNG, drawn with matplotlib's object API (no pyplot: no global figure state)."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

# matplotlib's font cache and text layout are not safe for concurrent drawing.
_draw_lock = threading.Lock()


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, font_path: str, horizontal: bool = False) -> bytes:
    """One bar per item, its count written on it; the font draws the Chinese labels."""
    font = FontProperties(fname=font_path)
    labels = [label for label, _ in items]
    values = [value for _, value in items]
    with _draw_lock:
        height = max(3.2, 0.38 * len(items) + 1.2) if horizontal else 3.6
        figure = Figure(figsize=(7.2, height), dpi=150)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(items)))
        if horizontal:
            bars = axes.barh(positions, values, color="#3b6ea8")
            axes.set_yticks(positions, labels, fontproperties=font, fontsize=9)
            axes.invert_yaxis()  # the largest first, at the top
        else:
            bars = axes.bar(positions, values, color="#3b6ea8")
            axes.set_xticks(positions, labels, fontproperties=font, fontsize=9, rotation=30 if len(items) > 6 else 0)
        axes.bar_label(bars, fontsize=8)
        (axes.xaxis if horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))  # counts
        axes.set_title(title, fontproperties=font, fontsize=12)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
