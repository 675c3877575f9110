"""A small self-contained SVG bar chart of stage times, written next to the benchmark's figures."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 330
BAR_WIDTH = 420
VALUE_WIDTH = 120


def bar_chart(title: str, sections: Sequence[tuple[str, Sequence[tuple[str, float]]]]) -> str:
    """SVG text: one titled group of horizontal bars per section, each bar ``(label, seconds)``.

    Bars of a section share one scale (its longest bar fills the width); each shows its seconds and
    its share of the section's total.
    """
    rows: list[str] = []
    y = 34
    for heading, bars in sections:
        total = sum(seconds for _label, seconds in bars) or 1.0
        longest = max((seconds for _label, seconds in bars), default=1.0) or 1.0
        rows.append(f'<text x="0" y="{y}" class="h">{escape(heading)} (total {total:.0f} s)</text>')
        y += GAP + 6
        for label, seconds in bars:
            width = max(1.0, BAR_WIDTH * seconds / longest)
            rows.append(f'<text x="0" y="{y + 13}">{escape(label)}</text>')
            rows.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" rx="2"/>')
            rows.append(
                f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 13}">'
                f"{seconds:.0f} s ({100 * seconds / total:.0f}%)</text>"
            )
            y += BAR_HEIGHT + GAP
        y += 14
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
        f'viewBox="0 0 {width} {y}" font-family="sans-serif" font-size="12">'
        "<style>rect{fill:#4a78b0}.h{font-weight:bold}.t{font-size:14px;font-weight:bold}</style>"
        f'<text x="0" y="16" class="t">{escape(title)}</text>' + "".join(rows) + "</svg>\n"
    )


def write_chart(path: Path, title: str, sections: Sequence[tuple[str, Sequence[tuple[str, float]]]]) -> Path:
    """Write :func:`bar_chart` to ``path``; return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bar_chart(title, sections))
    return path
