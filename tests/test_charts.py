"""The board's charts are SVG drawn on the server, readable without colour and without sight,
and the same in the page and in the PDF (reports/charts.py)."""

import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from lib import typeset
from reports.charts import (
    AXIS_COLOUR,
    FONT_SIZE,
    GRID_COLOUR,
    MEASURED_COLOUR,
    SMALL_FONT_SIZE,
    TEXT_COLOUR,
    TargetLine,
    YearValue,
    criterion_chart,
    criterion_figure,
    criterion_table,
    delivery_bar,
    nice_scale,
)

SVG = "{http://www.w3.org/2000/svg}"
YEARS = range(2017, 2022)
CRIME = [
    YearValue(2016, Decimal("30.65")),
    YearValue(2017, Decimal("28.1")),
    YearValue(2018, None),
    YearValue(2019, Decimal("24.3")),
    YearValue(2020, Decimal("21.9")),
]
MAX_20_IN_2021 = TargetLine(
    "højst 20 i 2021", (YearValue(2016, Decimal("30.65")), YearValue(2021, Decimal(20)))
)


def crime_chart(**overrides):
    arguments = {
        "title": "Kriminalretlige afgørelser pr. 1.000 beboere",
        "years": YEARS,
        "measured": CRIME,
        "baseline": YearValue(2016, Decimal("30.65")),
        "targets": [MAX_20_IN_2021],
        "chart_id": "crime",
    } | overrides
    return criterion_chart(**arguments)


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def test_the_chart_is_well_formed_svg_named_by_its_title_and_description():
    root = parse(crime_chart())

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id == "crime-title"
    assert root.find(f"{SVG}title").text == "Kriminalretlige afgørelser pr. 1.000 beboere"
    assert root.find(f"{SVG}desc").get("id") == desc_id == "crime-desc"


def test_the_description_gives_the_numbers_in_words():
    desc = parse(crime_chart()).find(f"{SVG}desc").text

    assert desc == (
        "Målt: 2016 30,65; 2017 28,1; 2018 intet tal; 2019 24,3; 2020 21,9; 2021 intet tal. "
        "Udgangspunkt: 30,65 i 2016. Mål: højst 20 i 2021."
    )


def test_figures_are_written_the_danish_way_and_years_without_a_separator():
    root = parse(crime_chart())
    labels = texts(root)

    assert {"30,65", "28,1", "24,3", "21,9"} <= set(labels)
    assert {"2016", "2017", "2018", "2019", "2020", "2021"} <= set(labels)
    assert not any("2.0" in label for label in labels)


def test_a_share_is_written_with_a_spaced_percent_sign():
    svg = criterion_chart(
        title="Tryghed",
        years=YEARS,
        measured=[YearValue(2017, Decimal("72.4"))],
        unit="%",
        chart_id="safety",
    )

    assert "72,4 %" in texts(parse(svg))
    assert "80 %" in texts(parse(svg))


def test_a_year_without_a_figure_is_a_gap_in_the_line_not_a_zero():
    root = parse(crime_chart())

    lines = [path for path in root.iter(f"{SVG}path") if path.get("class") == "measured"]
    assert len(lines) == 2
    assert len(list(root.iter(f"{SVG}circle"))) == 4 + 1  # four figures and the legend's dot
    assert "intet tal" in texts(root)


def test_a_line_without_gaps_is_one_path():
    root = parse(crime_chart(measured=[YearValue(year, Decimal(year - 2000)) for year in YEARS]))

    lines = [path for path in root.iter(f"{SVG}path") if path.get("class") == "measured"]
    assert len(lines) == 1
    assert "intet tal" not in texts(root)


def test_targets_are_dashed_and_the_baseline_dotted_with_a_legend():
    root = parse(crime_chart())

    target = next(path for path in root.iter(f"{SVG}path") if path.get("class") == "target")
    baseline = next(line for line in root.iter(f"{SVG}line") if line.get("class") == "baseline")
    assert target.get("stroke-dasharray")
    assert baseline.get("stroke-dasharray")
    assert target.get("stroke-dasharray") != baseline.get("stroke-dasharray")
    assert {"Målt", "Udgangspunkt: 30,65 (2016)", "Mål: højst 20 i 2021"} <= set(texts(root))


# Presentation attributes that an element takes from its parent.
INHERITED = {
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-linejoin",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
}


def drawn(root: ET.Element, tag: str) -> list[dict[str, str]]:
    """The `tag` elements, each with the presentation attributes in effect on it: its own
    and those it inherits from the <g>s around it and the <svg>."""
    found = []

    def walk(element, inherited):
        here = inherited | {key: value for key, value in element.attrib.items() if key in INHERITED}
        if element.tag == f"{SVG}{tag}":
            found.append(here | dict(element.attrib) | {"text": element.text})
        for child in element:
            walk(child, here)

    walk(root, {})
    return found


def test_gridlines_and_tick_marks_are_one_path_each_and_texts_share_their_size():
    """The dashboard shows dozens of charts: what many elements share is said once."""
    root = parse(crime_chart())

    # One path for the four gridlines (10 to 40); the zero line is the axis.
    gridlines = [path for path in root.iter(f"{SVG}path") if path.get("stroke") == GRID_COLOUR]
    assert len(gridlines) == 1
    assert gridlines[0].get("d") == "M40 226H504M40 176H504M40 126H504M40 76H504"
    assert not [line for line in root.iter(f"{SVG}line") if line.get("stroke") == GRID_COLOUR]
    ticks = [path for path in root.iter(f"{SVG}path") if "V" in path.get("d")]
    assert len(ticks) == 1
    assert ticks[0].get("d").count("M") == 6  # 2016 to 2021

    # The size is said once, on a <g>: not on the <svg>, where it would also change the `em`
    # that the stylesheets cap the chart's width in. Only a text of another size has its own.
    assert root.get("font-size") is None
    assert {text.get("font-size") for text in root.iter(f"{SVG}text")} == {None, "12"}
    assert {text["font-size"] for text in drawn(root, "text")} == {
        str(FONT_SIZE),
        str(SMALL_FONT_SIZE),
    }

    # The axes' labels carry only their place and their text.
    y_labels = root.find(f".//{SVG}g[@text-anchor='end']")
    assert [text.text for text in y_labels] == ["0", "10", "20", "30", "40"]
    years = root.find(f".//{SVG}g[@text-anchor='middle']")
    assert [text.text for text in years] == ["2016", "2017", "2018", "2019", "2020", "2021"]
    for text in [*y_labels, *years]:
        assert set(text.attrib) == {"x", "y"}


def test_every_element_is_drawn_as_before_it_shared_its_attributes():
    """The attributes in effect on each kind of element, whether its own or its <g>'s."""
    root = parse(crime_chart(so_far_years=frozenset({2020})))
    texts_by_content = {text["text"]: text for text in drawn(root, "text")}
    common = {"font-family": "DejaVu Sans, IBM Plex Sans, sans-serif"}

    def effective(element, *keys):
        return {key: element.get(key) for key in [*keys, *common]}

    label = {"font-size": "15", "fill": TEXT_COLOUR, **common}
    assert effective(texts_by_content["40"], "font-size", "fill", "text-anchor") == label | {
        "text-anchor": "end"
    }
    assert effective(texts_by_content["2019"], "font-size", "fill", "text-anchor") == label | {
        "text-anchor": "middle"
    }
    assert effective(texts_by_content["Målt"], "font-size", "fill", "text-anchor") == label | {
        "text-anchor": None
    }
    figure = {"font-size": "15", "font-weight": "bold", "text-anchor": "middle"}
    assert effective(texts_by_content["28,1"], *figure, "fill", "stroke") == figure | {
        "fill": MEASURED_COLOUR,
        "stroke": None,
        **common,
    }
    assert effective(texts_by_content["intet tal"], "font-size", "text-anchor", "fill") == {
        "font-size": "12",
        "text-anchor": "middle",
        "fill": AXIS_COLOUR,
        **common,
    }

    dots = {(circle["cx"], circle["cy"]): circle for circle in drawn(root, "circle")}
    paint = ("fill", "stroke", "stroke-width")
    solid = {key: dots[("149.6", "135.5")][key] for key in paint}
    assert solid == {"fill": MEASURED_COLOUR, "stroke": "#fff", "stroke-width": "1.5"}
    hollow = {key: dots[("394.4", "166.5")][key] for key in paint}  # 2020, the year so far
    assert hollow == {"fill": "#fff", "stroke": MEASURED_COLOUR, "stroke-width": "2"}
    backdrops = [rect for rect in drawn(root, "rect") if rect.get("fill-opacity")]
    assert len(backdrops) == 4
    for rect in backdrops:
        assert (rect["fill"], rect["fill-opacity"], rect.get("stroke")) == ("#fff", "0.85", None)
    axis = [path for path in drawn(root, "path") if path.get("d") == "M40 276H504"]
    assert [(path["stroke"], path["stroke-width"]) for path in axis] == [(AXIS_COLOUR, "1.5")]


def test_the_shared_attributes_are_plain_inherited_svg_attributes():
    """No stylesheet or class-based CSS (a strict CSP, and WeasyPrint draws attributes
    fastest), a <g> gives only what SVG inherits (WeasyPrint copies all but x, y, transform
    and a few more onto its children), and a text stays one element with one x and one y."""
    for svg in [
        crime_chart(),
        delivery_bar(label="Aktive frivillige", value=34, target=50, chart_id="volunteers"),
    ]:
        root = parse(svg)
        assert root.find(f".//{SVG}style") is None
        assert not [element for element in root.iter() if element.get("style")]
        for group in root.iter(f"{SVG}g"):
            assert set(group.attrib) <= INHERITED
        for text in root.iter(f"{SVG}text"):
            assert len(text) == 0  # no <tspan>
            assert not {"dx", "dy", "transform", "rotate", "textLength"} & set(text.attrib)
            assert {"x", "y"} <= set(text.attrib)


def test_the_chart_stays_small():
    """The dashboard page is limited by its bytes, two thirds of them charts. This chart was
    4719 bytes with its attributes on every element and a line for each gridline and tick,
    3361 with them shared; it should not grow back."""
    assert len(str(crime_chart()).encode()) <= 3450


def test_hostile_text_is_escaped():
    svg = crime_chart(
        title='<script>alert("x")</script>',
        targets=[TargetLine("<img src=x onerror=alert(1)> & mere", MAX_20_IN_2021.points)],
    )

    assert "<script>" not in svg
    assert "<img" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'
    assert "Mål: <img src=x onerror=alert(1)> & mere" in " ".join(texts(root))


def test_a_chart_id_that_would_break_the_labels_is_refused():
    with pytest.raises(ValueError):
        crime_chart(chart_id="two words")


def test_the_same_input_draws_the_same_svg():
    assert crime_chart() == crime_chart()
    assert delivery_bar(label="Frivillige", value=34, target=50, chart_id="b") == delivery_bar(
        label="Frivillige", value=34, target=50, chart_id="b"
    )


@pytest.mark.parametrize(
    ("values", "low", "high", "step"),
    [
        (["30.65", "20"], 0, 40, 10),
        (["72.4"], 0, 80, 20),
        (["50"], 0, 50, 10),
        (["3"], 0, 3, 1),
        (["11559"], 0, 12500, 2500),
        (["-5", "12"], -5, 15, 5),
        ([], 0, 1, "0.2"),
    ],
)
def test_the_y_axis_runs_from_zero_to_a_round_number(values, low, high, step):
    scale = nice_scale(Decimal(value) for value in values)

    assert (scale.low, scale.high, scale.step) == (Decimal(low), Decimal(high), Decimal(step))


# The autouse `danish` fixture is function-scoped; it sets the language, which the scale
# does not read, so sharing it between examples is harmless.
@settings(database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.decimals(min_value=-(10**6), max_value=10**6, places=2), max_size=12))
def test_the_y_axis_covers_every_value_in_three_to_five_round_steps(values):
    scale = nice_scale(values)

    assert scale.low <= min([0, *values])
    assert scale.high >= max([0, *values])
    assert 3 <= len(scale.ticks) - 1 <= 5
    assert scale.step.normalize().as_tuple().digits in {(1,), (2,), (2, 5), (5,)}


def test_the_chart_draws_the_y_axis_up_to_the_highest_value_and_target():
    labels = texts(parse(crime_chart(targets=[TargetLine("mindst 45", (YearValue(2021, 45),))])))

    assert {"0", "10", "20", "30", "40", "50"} <= set(labels)
    assert "60" not in labels


def bar_widths(svg) -> tuple[float | None, float | None]:
    """The widths of the filled bar and of its track, None where there is none."""
    widths = {rect.get("class"): float(rect.get("width")) for rect in parse(svg).iter(f"{SVG}rect")}
    return widths.get("bar"), widths.get("track")


def test_a_delivery_bar_fills_to_the_share_of_the_target():
    svg = delivery_bar(label="Aktive frivillige", value=34, target=50, chart_id="volunteers")

    assert "34 af 50 (68 %)" in texts(parse(svg))
    bar, track = bar_widths(svg)
    assert bar == pytest.approx(track * 0.68, abs=0.1)
    assert parse(svg).get("role") == "img"
    assert parse(svg).find(f"{SVG}desc").text == "34 af 50 (68 %)"


def test_an_over_delivery_is_capped_at_a_full_bar_with_the_real_figure_in_the_text():
    svg = delivery_bar(label="Tryghedsvandringer", value=60, target=50, chart_id="walks")

    # Past the target the text says it is reached, not a share of over 100 %.
    assert "60, målet på 50 er nået" in texts(parse(svg))
    bar, track = bar_widths(svg)
    assert bar == track


def test_a_delivery_bar_beside_its_name_is_not_labelled_again():
    """In the dashboard's table the row names the metric whole; the bar only says it in its
    title, instead of a shortened copy ("Større aktiviteter med foreningsl…")."""
    name = "Større aktiviteter med foreningslivet og frivillige i områderne"
    labelled = delivery_bar(label=name, value=3, target=4, chart_id="big")
    assert any(text.endswith("…") for text in texts(parse(labelled)))
    svg = delivery_bar(label=name, value=3, target=4, chart_id="big", show_label=False)
    assert texts(parse(svg)) == ["3 af 4 (75 %)"]
    assert parse(svg).find(f"{SVG}title").text == name


@pytest.mark.parametrize(
    ("value", "target", "text"),
    [
        (12, None, "12 (ingen mål)"),
        (None, 20, "ikke indberettet (mål 20)"),
        (None, None, "ikke indberettet"),
        (0, 20, "0 af 20 (0 %)"),
    ],
)
def test_a_delivery_bar_without_a_target_or_a_figure_says_so(value, target, text):
    svg = delivery_bar(label="Lektiecafé", value=value, target=target, chart_id="homework")

    assert text in texts(parse(svg))
    assert bar_widths(svg)[0] is None


def test_the_table_beside_the_chart_has_the_same_numbers():
    rows = criterion_table(
        years=YEARS, measured=CRIME, baseline=YearValue(2016, Decimal("30.65")), targets=[]
    )

    assert rows == [
        {"year": "2016", "measured": "30,65 (udgangspunkt)", "targets": []},
        {"year": "2017", "measured": "28,1", "targets": []},
        {"year": "2018", "measured": "", "targets": []},
        {"year": "2019", "measured": "24,3", "targets": []},
        {"year": "2020", "measured": "21,9", "targets": []},
        {"year": "2021", "measured": "", "targets": []},
    ]


def test_several_targets_in_the_table_say_which_is_which():
    rows = criterion_table(
        years=YEARS,
        measured=CRIME,
        targets=[MAX_20_IN_2021, TargetLine("Skælskør under 19", (YearValue(2021, 19),))],
    )

    assert rows[-1]["targets"] == ["20 (højst 20 i 2021)", "19 (Skælskør under 19)"]


def test_the_figure_shows_the_chart_and_its_table():
    context = criterion_figure(
        title="Kriminalretlige afgørelser",
        years=YEARS,
        measured=CRIME,
        targets=[MAX_20_IN_2021],
        chart_id="crime",
    )
    html = render_to_string("reports/_chart_figure.html", context)

    assert str(context["chart"]) in html
    assert "<figcaption>Kriminalretlige afgørelser</figcaption>" in html
    assert "Tallene som tabel" in html
    assert '<th scope="row">2018</th>' in html
    assert "intet tal" in html


def test_the_status_reports_layout_draws_the_chart_and_its_text():
    svg = crime_chart()
    document = (
        '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Diagram</title>'
        f"</head><body>{svg}</body></html>"
    )

    pdf = typeset.html_to_pdf(document)

    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for label in ["30,65", "28,1", "24,3", "2018", "2021", "intet tal", "Målt"]:
        assert label in text
    assert "Udgangspunkt: 30,65 (2016)" in text
    assert "Mål: højst 20 i 2021" in text
