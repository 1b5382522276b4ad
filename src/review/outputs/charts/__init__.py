"""Charts for the board paper and the HTML report, drawn in one house style.

One module per kind of chart (`line`, `bar`, `shares`, `heatmap`, `timeline`), each a builder and
the `describe_*` that writes its alt text, on `common` (units, number words, colours, rendering).
`clauses` draws the board paper's charts, clause by clause: each clause stage draws its own.

Each builder is a pure function from a tidy frame to a `review.context.Chart`: an inline
`<svg>` plus alt text written from the same numbers. The house style follows UK government
statistical publications: a colour-blind-safe palette passed in from the year config, DejaVu
Sans, no top or right spines, a light grid on the value axis only where there is a value axis,
direct labels instead of legends where possible, and compact "45k" / "1.2m" tick labels. Charts
are drawn at the true size of an A4 text column (16 cm wide) so 8-9 pt text stays 8-9 pt on
paper. Titles, captions and sources are not drawn: the template prints them as HTML text.

Decisions worth knowing:

* SVG, not PNG (stack.md section 2.4), with a fixed `svg.hashsalt` and no date, so the same
  input gives the same bytes (stack.md section 6.2; promised only for the same matplotlib
  version). Text stays text (`svg.fonttype="none"`) in DejaVu Sans, the report's own font, with
  Verdana (the same widths) and any sans-serif after it for a browser without DejaVu. Drawing
  every glyph as a path instead made the charts two to three times larger and cost WeasyPrint
  about a second per report (it parses a glyph's path again at each use); as text, the labels
  can also be selected and searched in the PDF.
* Every `id` in the SVG is prefixed with the chart id, so several charts inlined in one HTML
  page (or one PDF) never share an id; matplotlib otherwise repeats `figure_1`, glyph ids
  such as `DejaVuSans-30`, and clip-path ids. matplotlib's global `<style>*{...}</style>` is
  removed for the same reason: inline SVG styles are not scoped and would leak into the page.
* The root `<svg>` gets `role="img"`, `aria-label` (the alt text) and a `<title>` (WeasyPrint
  uses it as the alt text in tagged PDF), `width="100%"` and a `viewBox`, no height, so it
  scales with its container at its own aspect ratio.
* matplotlib's rcParams are process-global. Builders apply the house rcParams with
  `rc_context` under a module lock, so charts may be built from several threads; processes
  are independent anyway. No pyplot: figures are plain `Figure` objects with the SVG canvas.
* An empty frame, or one whose values are all missing, gives a chart that says
  "No data for this period" and alt text that says the same, never an exception.
"""

from review.outputs.charts.bar import bar_chart, describe_bar
from review.outputs.charts.common import NO_DATA, UNITS, format_tick_labels, format_value
from review.outputs.charts.heatmap import describe_heatmap, heatmap
from review.outputs.charts.line import describe_line, line_chart
from review.outputs.charts.shares import describe_shares, share_chart
from review.outputs.charts.timeline import describe_timeline, slowest_incidents, timeline_chart

__all__ = [
    "NO_DATA",
    "UNITS",
    "bar_chart",
    "describe_bar",
    "describe_heatmap",
    "describe_line",
    "describe_shares",
    "describe_timeline",
    "format_tick_labels",
    "format_value",
    "heatmap",
    "line_chart",
    "share_chart",
    "slowest_incidents",
    "timeline_chart",
]
