"""The „Zahlen" page's charts and its CSV export.

Charts are SVG rendered on the server by pygal (LGPL-3.0) and embedded inline: readable without
JavaScript and printable. pygal's scripts are left out (`js=[]`, and its inline config script is
removed: the console's CSP allows no inline script anyway). Every chart carries its title as
`aria-label`; the page puts a table with the same numbers under it.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import date

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from bot.console.figures import PeriodCases, UsageFigures

# pygal appends a legacy finder to sys.meta_path for its map plugins (pygal.maps.*, unused here);
# every later import that reaches it raises an ImportWarning on Python 3.11. Take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

KIND_WORDS = {
    "answer": "Antwort",
    "clarify": "Rückfrage („Meinten Sie …?“)",
    "fallback": "keine Antwort",
    "crisis": "Krisenhilfe",
}
WIDTH, HEIGHT = 800, 320
MOST_LABELS = 16  # date labels under a chart before only every n-th is written
# Dots on a line up to this many days (a quarter); a longer line is drawn without them: a dot
# per day and kind makes a year's chart ten times slower and larger (bench/console.py), and
# the table under it has every number.
MOST_DOTS = 92
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
MOST_TICKS = 8  # whole-number ticks on the value axis
GREEN, BLUE, ORANGE, RED = "#2e7d32", "#1565c0", "#ef6c00", "#c62828"
_LOOK = {
    "font_family": "system-ui, sans-serif",
    "background": "#ffffff",
    "plot_background": "#ffffff",
    "foreground": "#1d1d1d",
    "foreground_strong": "#1d1d1d",
    "foreground_subtle": "#666666",
}


def _options(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colors: Sequence[str],
    *,
    stacked: bool = False,
) -> dict[str, object]:
    every = max(1, -(-len(labels) // MOST_LABELS))
    columns = zip(*series.values(), strict=True)
    top = max((sum(c) if stacked else max(c) for c in columns), default=0)
    step = max(1, -(-top // MOST_TICKS))
    return {
        "title": title,
        "js": [],
        "disable_xml_declaration": True,
        "style": Style(colors=tuple(colors), **_LOOK),
        "y_labels": list(range(0, top + step, step)),  # counts: whole numbers only
        "width": WIDTH,
        "height": HEIGHT,
        "legend_at_bottom": True,
        "x_label_rotation": 30 if every > 1 or len(labels) > 8 else 0,
        "show_minor_x_labels": every == 1,
        "x_labels_major_every": every,
        "truncate_label": 40,
        "print_values": False,
    }


def _svg(chart: pygal.graph.graph.Graph, title: str) -> Markup:
    """Return the chart as inline SVG without scripts, labelled for screen readers."""
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1))


def line(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colors: Sequence[str] = (GREEN, BLUE, ORANGE, RED),
) -> Markup:
    """Return a line chart (one line per series, one dot per label up to MOST_DOTS)."""
    options = _options(title, labels, series, colors)
    chart = pygal.Line(**options, show_dots=len(labels) <= MOST_DOTS)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, title)


def bars(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colors: Sequence[str] = (BLUE,),
    *,
    horizontal: bool = False,
    stacked: bool = False,
) -> Markup:
    """Return a bar chart (one bar per label and series)."""
    kind = {
        (False, False): pygal.Bar,
        (True, False): pygal.HorizontalBar,
        (False, True): pygal.StackedBar,
        (True, True): pygal.HorizontalStackedBar,
    }[horizontal, stacked]
    chart = kind(**_options(title, labels, series, colors, stacked=stacked))
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, title)


def day_label(day: date) -> str:
    """Return a day as the charts write it („07.06.")."""
    return f"{day:%d.%m.}"


def usage_charts(usage: UsageFigures, titles: Mapping[str, str]) -> dict[str, Markup]:
    """Return the parents' charts by name (empty data draws no chart)."""
    days = [day_label(d) for d in usage.days]
    charts = {
        "kinds": line(
            "Nachrichten pro Tag nach Art der Antwort",
            days,
            {KIND_WORDS[k]: v for k, v in usage.per_kind.items()},
        ),
        "weeks": bars(
            "Keine Antwort pro Woche",
            [w for w, _ in usage.per_week],
            {"keine Antwort": [n for _, n in usage.per_week]},
            (ORANGE,),
        ),
    }
    if usage.votes:
        top = usage.top_topics
        charts["topics"] = bars(
            "Meistbewertete Themen (👍 + 👎)",
            [titles.get(v.entry_id, v.entry_id) for v in top],
            {"Bewertungen": [v.helpful + v.not_helpful for v in top]},
            horizontal=True,
        )
        charts["votes"] = bars(
            "👍 und 👎 pro Eintrag",
            [titles.get(v.entry_id, v.entry_id) for v in usage.votes],
            {
                "👍 hilfreich": [v.helpful for v in usage.votes],
                "👎 nicht hilfreich": [v.not_helpful for v in usage.votes],
            },
            (GREEN, RED),
            horizontal=True,
            stacked=True,
        )
    if usage.broadcasts:
        charts["broadcasts"] = bars(
            "Rundschreiben: Reichweite",
            [f"#{b.id} ({day_label(b.day)})" for b in usage.broadcasts],
            {
                "zugestellt": [b.sent for b in usage.broadcasts],
                "blockiert": [b.blocked for b in usage.broadcasts],
                "fehlgeschlagen": [b.failed for b in usage.broadcasts],
            },
            (GREEN, RED, ORANGE),
            stacked=True,
        )
    return charts


def case_charts(cases: PeriodCases) -> dict[str, Markup]:
    """Return the case charts by name."""
    charts = {
        "opened": bars(
            "Fälle pro Tag",
            [day_label(d) for d in cases.days],
            {"eröffnet": list(cases.opened)},
        )
    }
    if cases.figures.ratings:
        charts["ratings"] = bars(
            "Bewertungen der Fälle",
            [f"{stars} von 5" for stars in range(1, len(cases.ratings) + 1)],
            {"Bewertungen": list(cases.ratings)},
        )
    return charts


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str | int]]) -> str:
    """Return a table as CSV (comma, CRLF line ends as RFC 4180 has them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
