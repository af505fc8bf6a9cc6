"""The board's charts, drawn on the server as inline SVG.

The dashboard page and the PDF status report show the same charts. Drawing them here, in
Python, gives one drawing for both: no JavaScript in the page, and nothing the PDF's layout
cannot draw (Typst reads the SVG itself, but runs no scripts and fetches nothing, so the SVG
uses no fonts, images or stylesheets of its own). The output depends only on the input and the
active language, so a test can find the very same SVG in a page and in the HTML behind a PDF.

Every text that comes from data is escaped (`format_html`). Figures are written the Danish way
(`lib.numbers`), years as they are, never with a thousands separator. Colour is never
the only sign: the measured line is solid with dots, the baseline dotted with a diamond, each
target dashed with a square at its end, and a legend inside the picture says which is which.
The numbers are also in the SVG's <desc> for screen readers, and `criterion_table` gives them
as rows for the table beside the chart (templates/reports/_chart_figure.html).

Coordinates are in the units of a fixed viewBox; the SVG is as wide as its container (CSS
class "chart") and keeps its proportions, so it scales down on a phone and prints at the width
of the A4 text column.

The markup is kept small, as the dashboard shows dozens of charts: what many elements share
(font size, text anchor, colours) is said once on a <g> around them, gridlines and tick marks
are one path each. Only attributes that SVG inherits go on a <g>, and never the font size on
the <svg> itself: there it would also change the `em` that the stylesheets size the chart in.
A <g> holds only what suits all of its children.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from lib.numbers import format_number, small_number
from lib.phrases import format_figure_with_unit, format_value

FONT_FAMILY = "DejaVu Sans, IBM Plex Sans, sans-serif"

# DKFDS's dark blue and greys, all at least 7:1 against white (WCAG asks 3:1 for graphics).
MEASURED_COLOUR = "#004993"
TARGET_COLOURS = ("#1a1a1a", "#545454")
BASELINE_COLOUR = "#545454"
AXIS_COLOUR = "#545454"
TEXT_COLOUR = "#1a1a1a"
# Gridlines only help the eye between the labelled ticks; every figure is also written on
# the chart, so they may be light.
GRID_COLOUR = "#d4d4d4"
WHITE = "#fff"

# Line styles tell the series apart without colour.
BASELINE_DASH = "2 4"
TARGET_DASHES = ("9 5", "14 4 3 4", "4 4")

# Sizes are in viewBox units. The stylesheets cap a chart's width at its viewBox width divided
# by its font size, in em (520 / 15 and 400 / 14), so that its text is never larger than the
# text around it: 9.5 pt in the PDF, where the chart is then about 115 mm wide. On a phone
# 330 px wide the text is still about 9.5 px. The status report's PDF draws the same SVG
# smaller, beside the criterion's text (lib/typeset.typ): about 73 mm, its text about 6 pt.
CHART_WIDTH = 520
CHART_HEIGHT = 310
BAR_WIDTH = 400
BAR_HEIGHT = 52
FONT_SIZE = 15
BAR_FONT_SIZE = 14
SMALL_FONT_SIZE = 12
# An average glyph of DejaVu Sans in mixed Danish text is about 0.57 em (measured in the PDF).
# Only used to wrap the legend and make room for labels, never to place text exactly.
AVERAGE_GLYPH_WIDTH = 0.58

NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
HUNDRED = Decimal(100)
CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class YearValue:
    """One year's figure. None is "no figure that year": a gap in the line, never a zero."""

    year: int
    value: Decimal | None


@dataclass(frozen=True)
class TargetLine:
    """A target as a line: a level held over some years ("højst 20 i 2021" from 2017 to 2021),
    or the straight line from the baseline to the target year that the evaluation judges
    progress against. The label is what the legend and the description say about it."""

    label: str
    points: tuple[YearValue, ...]


@dataclass(frozen=True)
class Scale:
    """The y axis: from `low` to `high` in steps of `step`."""

    low: Decimal
    high: Decimal
    step: Decimal

    @property
    def ticks(self) -> list[Decimal]:
        steps = int((self.high - self.low) / self.step)
        return [self.low + self.step * index for index in range(steps + 1)]


def nice_scale(values: Iterable[Decimal]) -> Scale:
    """A y axis that starts at 0 (lower if a value is negative) and ends at a round number at
    or above every value, in 3 to 5 steps of 1, 2, 2.5 or 5 times a power of ten, so that the
    gridlines fall on figures a reader can name."""
    values = [Decimal(value) for value in values]
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values])
    if low == high:
        high = low + 1
    exponent = ((high - low) / 5).adjusted()
    for power in itertools.count(exponent):
        for base in NICE_STEPS:
            step = base.scaleb(power)
            bottom = (low / step).to_integral_value(ROUND_FLOOR) * step
            top = (high / step).to_integral_value(ROUND_CEILING) * step
            steps = (top - bottom) / step
            if steps <= 5:
                return Scale(bottom, bottom + step * max(steps, 3), step)
    raise AssertionError("unreachable")  # pragma: no cover


def criterion_chart(
    *,
    title: str,
    years: Sequence[int],
    measured: Sequence[YearValue],
    baseline: YearValue | None = None,
    targets: Sequence[TargetLine] = (),
    unit: str = "",
    chart_id: str,
    hidden_years: frozenset[int] = frozenset(),
    so_far_years: frozenset[int] = frozenset(),
) -> SafeString:
    """A line chart of a quantitative success criterion over the plan's years.

    The x axis runs over `years` and any other year the figures name (a baseline from before
    the plan, say), one step per calendar year. `unit` is "%" (or `Unit.PERCENT`) for shares,
    which then read "72,4 %". `chart_id` must be unique on the page: the SVG's title and
    description get ids derived from it. `hidden_years` have a figure too small to show
    (its value is given as None): no point is drawn, and the description says "<5".
    `so_far_years` have a figure for the year so far (the year is not over): its dot is
    hollow, and the description and table say so.
    """
    _check_chart_id(chart_id)
    by_year = _by_year(measured)
    axis_years = _axis_years(years, by_year, baseline, targets)
    all_values = [value for value in by_year.values() if value is not None]
    if baseline is not None and baseline.value is not None:
        all_values.append(baseline.value)
    for target in targets:
        all_values += [point.value for point in target.points if point.value is not None]
    scale = nice_scale(all_values)

    legend, legend_height = _legend(baseline, targets, unit)
    top = legend_height + 26  # room for the value label above a dot at the top
    bottom = CHART_HEIGHT - 34
    tick_labels = [format_figure_with_unit(tick, unit) for tick in scale.ticks]
    left = max(40, round(max(_text_width(label) for label in tick_labels)) + 16)
    right = CHART_WIDTH - 16
    plot = _Plot(left, top, right, bottom, axis_years, scale)

    desc = _criterion_desc(years, by_year, baseline, targets, unit, hidden_years, so_far_years)
    drawing = _axes(plot, tick_labels)
    if baseline is not None and baseline.value is not None:
        drawing += _baseline(plot, baseline)
    for index, target in enumerate(targets):
        drawing += _target(plot, target, index)
    drawing += _measured(plot, by_year, unit, so_far_years)
    drawing += legend
    parts = [_title_and_desc(chart_id, title, desc), *_group({"font-size": FONT_SIZE}, drawing)]
    return _svg(chart_id, "chart", CHART_WIDTH, CHART_HEIGHT, parts)


def delivery_bar(
    *,
    label: str,
    value: Decimal | int | None,
    target: Decimal | int | None,
    chart_id: str,
    hidden: bool = False,
    show_label: bool = True,
) -> SafeString:
    """A small horizontal bar: what an activity has delivered so far against its yearly target.

    The track is the target, so the bar fills to value/target and stops at 100 %; the text
    gives the real figures ("34 af 50 (68 %)", or "60, målet på 50 er nået") and an arrow at
    the end of a full bar shows that it goes on. Without a target only the figure is given,
    without a figure "ikke indberettet". The label is shortened to fit; the whole of it is in
    the SVG's title.

    `hidden`: the value is a small count not to be shown ("<5"); the text says "<5 af 50" and
    no bar is drawn, since its length would give the number away.

    `show_label` False: the label is only in the title, for a bar beside a cell that already
    names it whole (the dashboard's delivery table), where a shortened copy adds nothing.
    """
    _check_chart_id(chart_id)
    figures = _delivery_text(value, target, hidden)
    if hidden:
        value = None
    track_top, track_height = 27, 22
    track_width = BAR_WIDTH - 2
    parts = [_title_and_desc(chart_id, label, figures)]
    figures_width = _text_width(figures, BAR_FONT_SIZE)
    texts: list[tuple[dict[str, object], str]] = []
    if show_label:
        shortened = _shorten(label, BAR_WIDTH - figures_width - 16, BAR_FONT_SIZE)
        texts.append(({"x": 1, "y": 18, "font-weight": "bold"}, shortened))
    texts.append(({"x": BAR_WIDTH - 1, "y": 18, "text-anchor": "end"}, figures))
    parts += _texts({"font-size": BAR_FONT_SIZE}, texts)
    if target is not None:
        parts.append(
            format_html(
                '<rect class="track" x="1" y="{}" width="{}" height="{}" fill="{}" '
                'stroke="{}" stroke-width="1.5"/>',
                track_top,
                track_width,
                track_height,
                WHITE,
                AXIS_COLOUR,
            )
        )
    if target and value:
        share = min(Decimal(value) / Decimal(target), Decimal(1))
        parts.append(
            format_html(
                '<rect class="bar" x="1" y="{}" width="{}" height="{}" fill="{}"/>',
                track_top,
                _coordinate(track_width * float(share)),
                track_height,
                MEASURED_COLOUR,
            )
        )
        if Decimal(value) > Decimal(target):
            middle = track_top + track_height / 2
            parts.append(
                format_html(
                    '<path class="beyond" d="M{} {}L{} {}L{} {}z" fill="{}"/>',
                    _coordinate(track_width - 14),
                    _coordinate(middle - 6),
                    _coordinate(track_width - 4),
                    _coordinate(middle),
                    _coordinate(track_width - 14),
                    _coordinate(middle + 6),
                    WHITE,
                )
            )
    return _svg(chart_id, "chart chart-bar", BAR_WIDTH, BAR_HEIGHT, parts)


def criterion_table(
    *,
    years: Sequence[int],
    measured: Sequence[YearValue],
    baseline: YearValue | None = None,
    targets: Sequence[TargetLine] = (),
    unit: str = "",
    hidden_years: frozenset[int] = frozenset(),
    so_far_years: frozenset[int] = frozenset(),
) -> list[dict]:
    """The chart's numbers as table rows, for readers who read rather than look: the same
    inputs as `criterion_chart`, so page and PDF show the same figures.

    Each row is {"year": "2017", "measured": "28,1", "targets": ["20"]}: texts, ready to show.
    A year without a figure has an empty "measured" and one without a target no "targets"; the
    template says so in words.
    """
    by_year = _by_year(measured)
    rows = []
    for year in _axis_years(years, by_year, baseline, targets):
        shown = by_year.get(year)
        text = _shown(shown, unit, year in hidden_years, year in so_far_years)
        if baseline is not None and baseline.year == year and baseline.value is not None:
            if not text or shown == baseline.value:
                text = _("%(value)s (baseline)") % {"value": format_value(baseline.value, unit)}
            else:
                text = _("%(measured)s (baseline %(baseline)s)") % {
                    "measured": text,
                    "baseline": format_value(baseline.value, unit),
                }
        goals = [
            (target.label, point.value)
            for target in targets
            for point in target.points
            if point.year == year and point.value is not None
        ]
        if len(targets) > 1:
            # Several targets: each figure says which target it belongs to.
            shown_goals = [f"{format_value(value, unit)} ({label})" for label, value in goals]
        else:
            shown_goals = [format_value(value, unit) for _label, value in goals]
        rows.append({"year": str(year), "measured": text, "targets": shown_goals})
    return rows


def criterion_figure(
    *,
    title: str,
    years: Sequence[int],
    measured: Sequence[YearValue],
    baseline: YearValue | None = None,
    targets: Sequence[TargetLine] = (),
    unit: str = "",
    chart_id: str,
    hidden_years: frozenset[int] = frozenset(),
    so_far_years: frozenset[int] = frozenset(),
) -> dict:
    """The context of templates/reports/_chart_figure.html: chart, table and caption, and the
    numbers in one sentence (the chart's description), built from one set of inputs."""
    data = {
        "years": years,
        "measured": measured,
        "baseline": baseline,
        "targets": targets,
        "unit": unit,
        "hidden_years": hidden_years,
        "so_far_years": so_far_years,
    }
    by_year = _by_year(measured)
    return {
        "chart": criterion_chart(title=title, chart_id=chart_id, **data),
        "table": criterion_table(**data),
        "caption": title,
        "description": _criterion_desc(
            years, by_year, baseline, targets, unit, hidden_years, so_far_years
        ),
    }


@dataclass(frozen=True)
class _Plot:
    """The plotting area inside the viewBox and how years and values map onto it."""

    left: float
    top: float
    right: float
    bottom: float
    years: list[int]
    scale: Scale

    # Dots and their labels at the first and last year keep clear of the axis and the edge.
    inset = 28

    def x(self, year: int) -> float:
        first, last = self.years[0], self.years[-1]
        if first == last:
            return (self.left + self.right) / 2
        width = self.right - self.left - 2 * self.inset
        return self.left + self.inset + width * (year - first) / (last - first)

    def y(self, value: Decimal) -> float:
        share = (Decimal(value) - self.scale.low) / (self.scale.high - self.scale.low)
        return self.bottom - (self.bottom - self.top) * float(share)


def _check_chart_id(chart_id: str) -> None:
    # The ids go into aria-labelledby, a space-separated list; a space would break it silently.
    if not CHART_ID.match(chart_id):
        raise ValueError(f"A chart id must be letters, digits, '-' or '_': {chart_id!r}")


def _by_year(measured: Sequence[YearValue]) -> dict[int, Decimal | None]:
    by_year: dict[int, Decimal | None] = {}
    for point in measured:
        if point.year in by_year:
            raise ValueError(f"Two measured figures for {point.year}.")
        by_year[point.year] = None if point.value is None else Decimal(point.value)
    return by_year


def _axis_years(years, by_year, baseline, targets) -> list[int]:
    """Every calendar year from the first to the last that the chart has to show."""
    named = set(years) | set(by_year)
    if baseline is not None:
        named.add(baseline.year)
    for target in targets:
        named.update(point.year for point in target.points)
    if not named:
        raise ValueError("A chart needs at least one year.")
    return list(range(min(named), max(named) + 1))


def _shown(value: Decimal | int | None, unit: str, hidden: bool, so_far: bool = False) -> str:
    if hidden:
        return small_number()
    text = format_value(value, unit)
    if text and so_far:
        return _("%(value)s (the year so far)") % {"value": text}
    return text


def _coordinate(number: float) -> str:
    """A coordinate with one decimal, the same on every call; -0.0 is written as 0."""
    text = f"{number:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * AVERAGE_GLYPH_WIDTH


def _shorten(text: str, width: float, size: float = FONT_SIZE) -> str:
    """The text cut to about `width`, with an ellipsis; the whole text is in the <title>."""
    fits = int(width / (size * AVERAGE_GLYPH_WIDTH))
    if len(text) <= fits:
        return text
    return text[: max(fits - 1, 1)].rstrip() + "…"


def _join(parts: Iterable[str]) -> SafeString:
    # conditional_escape leaves the format_html output alone and escapes anything else.
    return mark_safe("".join(conditional_escape(part) for part in parts))


def _attributes(attributes: dict[str, object]) -> SafeString:
    """` name="value"` for each attribute, in the order given, the values escaped."""
    return format_html_join("", ' {}="{}"', attributes.items())


def _group(attributes: dict[str, object], parts: list[SafeString]) -> list[SafeString]:
    """The parts in a <g> that gives them all `attributes`; nothing where there are no parts.

    Only for inherited presentation attributes (fill, stroke, stroke-width, font-size,
    font-weight, text-anchor) that suit every part: each part inherits them."""
    if not parts:
        return []
    return [format_html("<g{}>{}</g>", _attributes(attributes), _join(parts))]


def _text(attributes: dict[str, object], text: str) -> SafeString:
    return format_html("<text{}>{}</text>", _attributes(attributes), text)


def _texts(
    shared: dict[str, object], texts: list[tuple[dict[str, object], str]]
) -> list[SafeString]:
    """Texts that have `shared` attributes in common: on a <g> around them when there are
    several, on the text itself when there is one (a <g> would only add to it)."""
    if len(texts) == 1:
        [(attributes, text)] = texts
        return [_text(attributes | shared, text)]
    return _group(shared, [_text(attributes, text) for attributes, text in texts])


def _svg(chart_id: str, css_class: str, width: int, height: int, parts) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-labelledby="{}-title {}-desc" font-family="{}" fill="{}">{}</svg>',
        css_class,
        width,
        height,
        chart_id,
        chart_id,
        FONT_FAMILY,
        TEXT_COLOUR,
        _join(parts),
    )


def _title_and_desc(chart_id: str, title: str, desc: str) -> SafeString:
    return format_html(
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        chart_id,
        title,
        chart_id,
        desc,
    )


def _criterion_desc(
    years, by_year, baseline, targets, unit, hidden_years=frozenset(), so_far_years=frozenset()
) -> str:
    """The numbers in words: "Målt: 2017 30,65; 2018 28,1. Mål: højst 20 i 2021." """
    shown = {
        year: _shown(by_year.get(year), unit, year in hidden_years, year in so_far_years)
        for year in sorted(set(years) | set(by_year))
    }
    values = "; ".join(f"{year} {text or _('no figure')}" for year, text in shown.items())
    sentences = [_("Measured: %(values)s.") % {"values": values}]
    if baseline is not None and baseline.value is not None:
        sentences.append(
            _("Baseline: %(value)s in %(year)s.")
            % {"value": format_value(baseline.value, unit), "year": baseline.year}
        )
    for target in targets:
        sentences.append(_("Target: %(target)s.") % {"target": _line_text(target, unit)})
    return " ".join(sentences)


def _line_text(target: TargetLine, unit: str) -> str:
    """A target line in words: its label (the target as `CriterionTarget.describe` writes
    it), or its points when it has none."""
    if target.label:
        return target.label
    return "; ".join(
        f"{point.year} {format_value(point.value, unit)}"
        for point in target.points
        if point.value is not None
    )


def _axes(plot: _Plot, labels: list[str]) -> list[SafeString]:
    """The gridlines, the axis, the tick marks and their labels.

    The gridlines are one path, and so are the tick marks. The lines come first, the tick
    marks over the bottom line as before; the labels overlap no line, so drawing them after
    all the lines rather than each after its own changes nothing."""
    left, right = _coordinate(plot.left), _coordinate(plot.right)
    gridlines: list[str] = []
    axis = ""
    y_labels: list[tuple[dict[str, object], str]] = []
    for tick, label in zip(plot.scale.ticks, labels, strict=True):
        line = f"M{left} {_coordinate(plot.y(tick))}H{right}"
        # The zero line is the axis itself; the other levels are light gridlines.
        if tick == 0:
            axis = line
        else:
            gridlines.append(line)
        y_labels.append(
            (
                {
                    "x": _coordinate(plot.left - 8),
                    "y": _coordinate(plot.y(tick) + FONT_SIZE * 0.35),
                },
                label,
            )
        )
    # Eleven or more years would crowd the labels on a phone: then every other one is named.
    every = 1 if len(plot.years) <= 10 else 2
    top, bottom = _coordinate(plot.bottom), _coordinate(plot.bottom + 5)
    ticks: list[str] = []
    x_labels: list[tuple[dict[str, object], str]] = []
    for index, year in enumerate(plot.years):
        x = _coordinate(plot.x(year))
        ticks.append(f"M{x} {top}V{bottom}")
        if index % every == 0:
            x_labels.append(({"x": x, "y": _coordinate(plot.bottom + 21)}, str(year)))
    return [
        format_html('<path d="{}" stroke="{}"/>', "".join(gridlines), GRID_COLOUR),
        *_group(
            {"stroke": AXIS_COLOUR, "stroke-width": "1.5"},
            [format_html('<path d="{}"/>', axis), format_html('<path d="{}"/>', "".join(ticks))],
        ),
        *_texts({"text-anchor": "end"}, y_labels),
        *_texts({"text-anchor": "middle"}, x_labels),
    ]


def _baseline(plot: _Plot, baseline: YearValue) -> list[SafeString]:
    y = plot.y(baseline.value)
    return [
        format_html(
            '<line class="baseline" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
            'stroke-width="2" stroke-dasharray="{}"/>',
            _coordinate(plot.left),
            _coordinate(y),
            _coordinate(plot.right),
            _coordinate(y),
            BASELINE_COLOUR,
            BASELINE_DASH,
        ),
        _diamond(plot.x(baseline.year), y),
    ]


def _diamond(x: float, y: float, size: float = 8) -> SafeString:
    # Larger than a dot, so that a measured dot on the baseline leaves the diamond around it.
    return format_html(
        '<path d="M{} {}L{} {}L{} {}L{} {}z" fill="{}" stroke="{}" stroke-width="2"/>',
        _coordinate(x),
        _coordinate(y - size),
        _coordinate(x + size),
        _coordinate(y),
        _coordinate(x),
        _coordinate(y + size),
        _coordinate(x - size),
        _coordinate(y),
        WHITE,
        BASELINE_COLOUR,
    )


def _square(x: float, y: float, colour: str) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="9" height="9" fill="{}"/>',
        _coordinate(x - 4.5),
        _coordinate(y - 4.5),
        colour,
    )


def _target(plot: _Plot, target: TargetLine, index: int) -> list[SafeString]:
    colour = TARGET_COLOURS[index % len(TARGET_COLOURS)]
    dash = TARGET_DASHES[index % len(TARGET_DASHES)]
    points = sorted(
        (point for point in target.points if point.value is not None), key=lambda p: p.year
    )
    if not points:
        return []
    coordinates = [(plot.x(point.year), plot.y(point.value)) for point in points]
    if len(coordinates) == 1:
        # A single target figure is drawn as a short level around its year.
        x, y = coordinates[0]
        coordinates = [(x - 18, y), (x + 18, y)]
    return [
        format_html(
            '<path class="target" d="{}" fill="none" stroke="{}" stroke-width="2" '
            'stroke-dasharray="{}"/>',
            _path(coordinates),
            colour,
            dash,
        ),
        _square(plot.x(points[-1].year), plot.y(points[-1].value), colour),
    ]


def _path(coordinates: list[tuple[float, float]]) -> str:
    return "".join(
        f"{'M' if index == 0 else 'L'}{_coordinate(x)} {_coordinate(y)}"
        for index, (x, y) in enumerate(coordinates)
    )


def _measured(
    plot: _Plot, by_year: dict, unit: str, so_far_years: frozenset[int] = frozenset()
) -> list[SafeString]:
    """The measured line, broken where a year has no figure, with a dot and the figure at
    every point, and "intet tal" written in a gap so that it is not read as a skipped year.
    A figure for the year so far has a hollow dot: it is not the year's last word."""
    segments: list[list[int]] = [[]]
    for year in plot.years:
        if by_year.get(year) is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(year)
    segments = [segment for segment in segments if segment]
    parts = []
    for segment in segments:
        if len(segment) > 1:
            parts.append(
                format_html(
                    '<path class="measured" d="{}" fill="none" stroke="{}" stroke-width="2.5" '
                    'stroke-linejoin="round"/>',
                    _path([(plot.x(year), plot.y(by_year[year])) for year in segment]),
                    MEASURED_COLOUR,
                )
            )
    gaps = [
        (
            {"class": "gap", "x": _coordinate(plot.x(year)), "y": _coordinate(plot.bottom - 8)},
            _("no figure"),
        )
        for before, after in itertools.pairwise(segments)
        for year in range(before[-1] + 1, after[0])
    ]
    parts += _texts(
        {"font-size": SMALL_FONT_SIZE, "text-anchor": "middle", "fill": AXIS_COLOUR}, gaps
    )
    points: list[SafeString] = []
    for year in [year for segment in segments for year in segment]:
        x, y = plot.x(year), plot.y(by_year[year])
        if year in so_far_years:
            circle = format_html(
                '<circle cx="{}" cy="{}" r="4.5" fill="{}" stroke="{}" stroke-width="2"/>',
                _coordinate(x),
                _coordinate(y),
                WHITE,
                MEASURED_COLOUR,
            )
        else:
            circle = format_html(
                '<circle cx="{}" cy="{}" r="4.5" stroke="{}"/>',
                _coordinate(x),
                _coordinate(y),
                WHITE,
            )
        points.append(circle)
        # Below the dot only where it clears the year labels under the axis.
        below = _is_dip(by_year, year) and y + 12 + FONT_SIZE < plot.bottom
        points += _value_label(x, y, format_value(by_year[year], unit), below=below)
    # The dots and their figures in order, each figure over its own dot and under the next;
    # what they share is said once. A solid dot is drawn in the measured colour with a white
    # ring of 1.5, a figure in bold measured colour, centred; the backdrops are white.
    shared = {
        "fill": MEASURED_COLOUR,
        "stroke-width": "1.5",
        "font-weight": "bold",
        "text-anchor": "middle",
    }
    return parts + _group(shared, points)


def _is_dip(by_year: dict, year: int) -> bool:
    """Whether the figure is lower than the figures on both sides: its label goes below the
    dot, away from the lines coming down to it."""
    value = by_year[year]
    neighbours = [by_year.get(year - 1), by_year.get(year + 1)]
    neighbours = [neighbour for neighbour in neighbours if neighbour is not None]
    return bool(neighbours) and all(neighbour > value for neighbour in neighbours)


def _value_label(x: float, y: float, text: str, *, below: bool) -> list[SafeString]:
    """A figure by its dot, on a pale backdrop so that it stays legible where it crosses a
    line."""
    baseline = y + 10 + FONT_SIZE * 0.8 if below else y - 10
    width = _text_width(text) * 0.9 + 4
    # Inside the measured points' <g> (`_measured`), which gives the text its colour, weight
    # and anchor.
    return [
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="0.85"/>',
            _coordinate(x - width / 2),
            _coordinate(baseline - FONT_SIZE * 0.85),
            _coordinate(width),
            _coordinate(FONT_SIZE * 1.1),
            WHITE,
        ),
        _text({"class": "value", "x": _coordinate(x), "y": _coordinate(baseline)}, text),
    ]


def _legend(baseline, targets, unit) -> tuple[list[SafeString], float]:
    """The legend along the top, wrapped into rows; returns its parts and its height."""
    entries = [("measured", _("Measured"), MEASURED_COLOUR, "")]
    if baseline is not None and baseline.value is not None:
        text = _("Baseline: %(value)s (%(year)s)") % {
            "value": format_value(baseline.value, unit),
            "year": baseline.year,
        }
        entries.append(("baseline", text, BASELINE_COLOUR, BASELINE_DASH))
    for index, target in enumerate(targets):
        text = _("Target: %(target)s") % {"target": _line_text(target, unit)}
        colour = TARGET_COLOURS[index % len(TARGET_COLOURS)]
        entries.append(("target", text, colour, TARGET_DASHES[index % len(TARGET_DASHES)]))

    sample, gap, margin, row_height = 30, 6, 8, 21
    available = CHART_WIDTH - 2 * margin
    parts = []
    # `row` is the line the current row of entries starts on; `lines` how many it takes.
    x, row, lines = margin, 0, 1
    for kind, text, colour, dash in entries:
        wrapped = _wrap(text, available - sample - gap)
        width = sample + gap + max(_text_width(line) for line in wrapped)
        if x > margin and x + width > CHART_WIDTH - margin:
            x, row, lines = margin, row + lines, 1
        lines = max(lines, len(wrapped))
        middle = margin + row * row_height + row_height / 2
        parts += _legend_sample(kind, x, middle, sample, colour, dash)
        for index, line in enumerate(wrapped):
            # The chart's <g> gives the text its size.
            parts.append(
                _text(
                    {
                        "x": _coordinate(x + sample + gap),
                        "y": _coordinate(middle + index * row_height + FONT_SIZE * 0.35),
                    },
                    line,
                )
            )
        x += width + 20
    return parts, margin + (row + lines) * row_height


def _wrap(text: str, width: float) -> list[str]:
    """The text in lines of about `width`, broken between words; a long label stays whole
    rather than being cut, as the legend is where a target is named."""
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_width(candidate) > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return [_shorten(line, width) for line in lines]


def _legend_sample(kind, x, middle, length, colour, dash) -> list[SafeString]:
    line = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>',
        _coordinate(x),
        _coordinate(middle),
        _coordinate(x + length),
        _coordinate(middle),
        colour,
        "2.5" if kind == "measured" else "2",
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
    )
    if kind == "measured":
        marker = format_html(
            '<circle cx="{}" cy="{}" r="4.5" fill="{}" stroke="{}" stroke-width="1.5"/>',
            _coordinate(x + length / 2),
            _coordinate(middle),
            colour,
            WHITE,
        )
    elif kind == "baseline":
        marker = _diamond(x + length / 2, middle, size=5.5)
    else:
        marker = _square(x + length - 4.5, middle, colour)
    return [line, marker]


def _delivery_text(
    value: Decimal | int | None, target: Decimal | int | None, hidden: bool = False
) -> str:
    if value is None:
        if target is None:
            return _("not reported")
        return _("not reported (target %(target)s)") % {"target": format_figure_with_unit(target)}
    shown = _shown(value, "", hidden)
    if target is None:
        return _("%(value)s (no target)") % {"value": shown}
    if hidden or not target:
        # A share of the target would give a hidden count away.
        return _("%(value)s of %(target)s") % {
            "value": shown,
            "target": format_figure_with_unit(target),
        }
    if Decimal(value) >= Decimal(target):
        # How far beyond the target is no share of it: 11 walks against one a year are not
        # "1.100 %", they are the target reached.
        return _("%(value)s, the target of %(target)s is reached") % {
            "value": format_figure_with_unit(value),
            "target": format_figure_with_unit(target),
        }
    percent = (Decimal(value) / Decimal(target) * HUNDRED).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return _("%(value)s of %(target)s (%(percent)s)") % {
        "value": format_figure_with_unit(value),
        "target": format_figure_with_unit(target),
        "percent": f"{format_number(percent)} %",
    }
