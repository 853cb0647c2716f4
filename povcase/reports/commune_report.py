"""The commune's report for a year: poor and near-poor by hamlet and overall against last year, by ethnic
group, the trend, support by programme and progress against the province's targets — with two charts
(rates by hamlet, trend by year) drawn with reportlab graphics in the embedded serif."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from povcase.i18n import format_date, format_number, format_vnd, translate
from povcase.reports.fonts import BOLD, ITALIC, REGULAR, register_fonts
from povcase.reports.layout import SMALL, WIDTH, Column, Layout
from povcase.reports.model import AreaLine, CommuneReportDoc, TrendLine, fixed

POOR_COLOUR = colors.HexColor("#b03a2e")
NEAR_POOR_COLOUR = colors.HexColor("#d4a017")


def _area_row(a: AreaLine, lang: str, has_last_year: bool = True) -> tuple[str, ...]:
    def change(v: float) -> str:
        return fixed(v, lang, sign=True) if has_last_year else "—"

    return (a.name, format_number(a.households, lang), format_number(a.poor, lang), fixed(a.poor_rate, lang),
            change(a.poor_change), format_number(a.near_poor, lang), fixed(a.near_poor_rate, lang),
            change(a.near_poor_change), format_number(a.escaped, lang), format_number(a.newly_poor, lang))


def _area_columns(first: str, lang: str) -> list[Column]:
    return [Column(first, 2.2), Column(translate("Households", lang), 1.1, "right"),
            Column(translate("Poor", lang), 0.9, "right"), Column(translate("Poor rate %", lang), 1.0, "right"),
            Column(translate("Change (points)", lang), 1.1, "right"), Column(translate("Near-poor", lang), 1.0, "right"),
            Column(translate("Near-poor rate %", lang), 1.0, "right"),
            Column(translate("Change (points)", lang), 1.1, "right"), Column(translate("Escaped", lang), 1.0, "right"),
            Column(translate("Newly poor", lang), 1.0, "right")]


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose default font is ours: reportlab would otherwise select Helvetica, unembedded."""
    register_fonts()
    d = Drawing(width, height)
    d.initialFontName = REGULAR
    d.initialFontSize = 9
    return d


def rates_chart(areas: Sequence[AreaLine], lang: str, width: float = WIDTH, height: float = 200) -> Drawing:
    """Grouped bars: poor and near-poor rate (%) per hamlet."""
    d = _drawing(width, height)
    d.add(String(width / 2, height - 12, translate("Poor and near-poor rates by hamlet (%)", lang), fontName=BOLD,
                 fontSize=11, textAnchor="middle"))
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 52
    chart.width, chart.height = width - 44, height - 84
    chart.data = [[a.poor_rate for a in areas] or [0], [a.near_poor_rate for a in areas] or [0]]
    chart.categoryAxis.categoryNames = [a.name for a in areas] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.angle = 25 if len(areas) > 5 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(areas) > 5 else "n"
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([a.poor_rate for a in areas] + [a.near_poor_rate for a in areas] + [1.0])
    chart.valueAxis.valueMax = top * 1.15
    chart.valueAxis.labelTextFormat = lambda v: fixed(v, lang, 1)
    chart.bars[0].fillColor = POOR_COLOUR
    chart.bars[1].fillColor = NEAR_POOR_COLOUR
    chart.bars.strokeWidth = 0.3
    chart.barLabelFormat = lambda v: fixed(v, lang, 1)
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 5
    d.add(chart)
    d.add(_legend(width, 8, lang))
    return d


def trend_chart(trend: Sequence[TrendLine], lang: str, width: float = WIDTH, height: float = 180) -> Drawing:
    """Lines: poor and near-poor rate (%) by year."""
    d = _drawing(width, height)
    d.add(String(width / 2, height - 12, translate("Poor and near-poor rates by year (%)", lang), fontName=BOLD,
                 fontSize=11, textAnchor="middle"))
    chart = HorizontalLineChart()
    chart.x, chart.y = 34, 40
    chart.width, chart.height = width - 44, height - 72
    chart.data = [[p.poor_rate for p in trend] or [0], [p.near_poor_rate for p in trend] or [0]]
    chart.categoryAxis.categoryNames = [str(p.year) for p in trend] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 9
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([p.poor_rate for p in trend] + [p.near_poor_rate for p in trend] + [1.0]) * 1.2
    chart.valueAxis.labelTextFormat = lambda v: fixed(v, lang, 1)
    chart.lines[0].strokeColor = POOR_COLOUR
    chart.lines[1].strokeColor = NEAR_POOR_COLOUR
    chart.lines.strokeWidth = 1.6
    chart.lineLabelFormat = lambda v: fixed(v, lang, 2)
    chart.lineLabels.fontName = REGULAR
    chart.lineLabels.fontSize = 7
    chart.lineLabels.dy = 6
    d.add(chart)
    d.add(_legend(width, 8, lang))
    return d


def _legend(width: float, y: float, lang: str) -> Legend:
    legend = Legend()
    legend.x, legend.y = width / 2 - 90, y + 6
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = REGULAR
    legend.fontSize = 9
    legend.dx = legend.dy = 7
    legend.deltax = 110
    legend.colorNamePairs = [(POOR_COLOUR, translate("Poor", lang)), (NEAR_POOR_COLOUR, translate("Near-poor", lang))]
    return legend


def report_layout(doc: CommuneReportDoc) -> Layout:
    lang = doc.letterhead.lang
    t = Layout(footer=translate("Report on poor and near-poor households, {year}", lang, year=doc.year), lang=lang)
    t.letterhead(doc.letterhead, number=translate("No.: ...../BC-UBND", lang))
    t.title(translate("Report on the results of the poor and near-poor household review, {year}", lang,
                      year=doc.year), doc.commune)
    if doc.decided:
        t.paragraph(translate("Results recognised by Decision No. {number} of {date} of the chairman of the "
                              "commune People's Committee.", lang, number=doc.decision_number or "",
                              date=format_date(doc.decided_on)), font=ITALIC)
    else:
        t.paragraph(translate("No decision recognising the {year} review is recorded yet: the figures are the "
                              "households' statuses for {year} as the register holds them.", lang, year=doc.year),
                    font=ITALIC)
    o = doc.overall
    t.heading(translate("1. Overall", lang))
    t.paragraph(translate(
        "The commune has {households} households. Poor households: {poor} ({poor_rate}%), {poor_change} points "
        "against {last}; near-poor households: {near} ({near_rate}%), {near_change} points. During the year "
        "{escaped} households escaped poverty or near-poverty, {newly} became poor and {newly_near} became "
        "near-poor.", lang, households=format_number(o.households, lang), poor=format_number(o.poor, lang),
        poor_rate=fixed(o.poor_rate, lang), poor_change=fixed(o.poor_change, lang, sign=True), last=doc.year - 1,
        near=format_number(o.near_poor, lang), near_rate=fixed(o.near_poor_rate, lang),
        near_change=fixed(o.near_poor_change, lang, sign=True), escaped=format_number(o.escaped, lang),
        newly=format_number(o.newly_poor, lang), newly_near=format_number(o.newly_near_poor, lang)))

    t.heading(translate("2. By hamlet", lang))
    t.table(_area_columns(translate("Hamlet", lang), lang),
            [_area_row(a, lang, doc.has_last_year) for a in doc.hamlets] + [_area_row(o, lang, doc.has_last_year)],
            size=9.5)
    t.drawing(rates_chart(doc.hamlets, lang))

    t.heading(translate("3. By ethnic group", lang))
    t.table(_area_columns(translate("Ethnic group", lang), lang), [_area_row(a, lang, doc.has_last_year) for a in doc.ethnic_groups],
            size=9.5)

    t.heading(translate("4. Trend", lang))
    if doc.trend:
        t.table([Column(translate("Year", lang), 1.0, "center"), Column(translate("Households", lang), 1.2, "right"),
                 Column(translate("Poor", lang), 1.0, "right"), Column(translate("Poor rate %", lang), 1.1, "right"),
                 Column(translate("Near-poor", lang), 1.0, "right"),
                 Column(translate("Near-poor rate %", lang), 1.1, "right"),
                 Column(translate("Decision recorded", lang), 1.2, "center")],
                [(str(p.year), format_number(p.households, lang), format_number(p.poor, lang),
                  fixed(p.poor_rate, lang), format_number(p.near_poor, lang), fixed(p.near_poor_rate, lang),
                  translate("yes", lang) if p.decided else translate("no", lang)) for p in doc.trend], size=SMALL)
        t.drawing(trend_chart(doc.trend, lang))
    else:
        t.paragraph(translate("No earlier year has data.", lang), font=ITALIC)

    t.heading(translate("5. Support by programme in {year}", lang, year=doc.year))
    if doc.support:
        t.table([Column(translate("Programme", lang), 5.0), Column(translate("Supports", lang), 1.0, "right"),
                 Column(translate("Households", lang), 1.1, "right"), Column(translate("Amount (VND)", lang), 1.8, "right")],
                [(p.programme, format_number(p.records, lang), format_number(p.households, lang),
                  format_number(p.amount, lang)) for p in doc.support], size=SMALL)
        t.paragraph(format_vnd(doc.support_total, lang), label=translate("Total in money:", lang))
    else:
        t.paragraph(translate("No support recorded in {year}.", lang, year=doc.year), font=ITALIC)

    t.heading(translate("6. Progress against the province's targets", lang))
    if doc.targets:
        if doc.targets_source:
            t.paragraph(doc.targets_source, font=ITALIC, size=SMALL)
        t.table([Column(translate("Target", lang), 4.0), Column(translate("Target value", lang), 1.6, "center"),
                 Column(translate("This year", lang), 1.4, "center"), Column(translate("Assessment", lang), 1.4, "center")],
                [(x.label, x.target, x.actual, _verdict(x.met, lang)) for x in doc.targets], size=SMALL)
    if doc.targets_note:
        t.paragraph(doc.targets_note, font=ITALIC, size=SMALL)
    t.signatures([(translate("Prepared by", lang), doc.officer),
                  (translate("On behalf of the People's Committee\nChairman", lang), "")])
    return t


def _verdict(met: bool | None, lang: str) -> str:
    if met is None:
        return translate("Not yet known", lang)
    return translate("Met", lang) if met else translate("Not met", lang)
