"""The commune report on screen: poor and near-poor rates by hamlet and by year (QtCharts), the year's
results table, progress against the province's targets, and export of the same report to PDF or Excel.
It shows exactly what the printed report prints: both come from ReportService.report_doc()."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povcase.i18n import _, current_language, format_number, tr
from povcase.reports.model import AreaLine, CommuneReportDoc, fixed
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.ui.messages import show_error
from povcase.ui.print_screens import FIRST_YEAR, ask_save_path, run_print
from povcase.ui.resources import icon

POOR_COLOUR = QColor("#b03a2e")
NEAR_POOR_COLOUR = QColor("#d4a017")
MET_COLOUR = QColor("#2e6b30")
NOT_MET_COLOUR = QColor("#b00020")


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _fill(table: QTableWidget, headers: list[str], rows: list[list[str]], first_left: int = 1) -> None:
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, _item(text, c >= first_left))
    table.resizeColumnsToContents()


class ReportDashboard(QDialog):
    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.doc: CommuneReportDoc | None = None
        self.task: Any = None
        self.setWindowTitle(_("Commune report"))
        self.resize(1100, 720)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Year")))
        self.year = QComboBox()
        for y in range(today.year, FIRST_YEAR - 1, -1):
            self.year.addItem(str(y), y)
        self.year.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.year)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.status, 1)
        self.pdf_button = QPushButton(icon("print"), _("Export PDF"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.xlsx_button = QPushButton(icon("export"), _("Export Excel"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        top.addWidget(self.pdf_button)
        top.addWidget(self.xlsx_button)

        self.hamlet_chart = QChartView()
        self.trend_chart = QChartView()
        for view in (self.hamlet_chart, self.trend_chart):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(240)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.hamlet_chart)
        charts.addWidget(self.trend_chart)
        charts.setSizes([700, 380])

        self.results = QTableWidget()
        self.groups = QTableWidget()
        self.targets = QTableWidget()
        self.support = QTableWidget()
        for table in (self.results, self.groups, self.targets, self.support):
            table.verticalHeader().hide()
            table.setAlternatingRowColors(True)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.results, _("By hamlet"))
        self.tabs.addTab(self.groups, _("By ethnic group"))
        self.tabs.addTab(self.targets, _("Targets"))
        self.tabs.addTab(self.support, _("Support"))
        self.targets_note = QLabel()
        self.targets_note.setWordWrap(True)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(charts)
        split.addWidget(self.tabs)
        split.setSizes([300, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.targets_note)
        self.refresh()

    # --- data ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self.doc = self.register.reports.report_doc(self.year.currentData(), self.today, self.actor.name,
                                                        lang=current_language())
        except Exception as e:
            show_error(self, e)
            return
        doc = self.doc
        lang = current_language()
        if doc.decided:
            self.status.setText(tr("Recognised by decision {number} of {date}", number=doc.decision_number or "",
                                   date=doc.decided_on.strftime("%d/%m/%Y") if doc.decided_on else ""))
        else:
            self.status.setText(_("No decision recorded for this year yet: figures are the households' statuses."))
        self._hamlet_chart(doc)
        self._trend_chart(doc)
        headers = [_("Hamlet"), _("Households"), _("Poor"), _("Poor rate %"), _("Change (points)"), _("Near-poor"),
                   _("Near-poor rate %"), _("Change (points)"), _("Escaped"), _("Newly poor"), _("Newly near-poor")]
        _fill(self.results, headers, [self._area_row(a, doc, lang) for a in (*doc.hamlets, doc.overall)])
        bold = self.results.font()
        bold.setBold(True)
        for c in range(self.results.columnCount()):
            item = self.results.item(self.results.rowCount() - 1, c)
            if item is not None:
                item.setFont(bold)
        _fill(self.groups, [_("Ethnic group"), *headers[1:]], [self._area_row(a, doc, lang) for a in doc.ethnic_groups])
        _fill(self.targets, [_("Target"), _("Target value"), _("This year"), _("Assessment")],
              [[t.label, t.target, t.actual, _("Met") if t.met else (_("Not met") if t.met is False
                                                                     else _("Not yet known"))] for t in doc.targets])
        for r, t in enumerate(doc.targets):
            item = self.targets.item(r, 3)
            if item is not None and t.met is not None:
                item.setForeground(MET_COLOUR if t.met else NOT_MET_COLOUR)
        self.targets.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        _fill(self.support, [_("Programme"), _("Supports"), _("Households"), _("Amount (VND)")],
              [[p.programme, format_number(p.records), format_number(p.households), format_number(p.amount)]
               for p in doc.support])
        self.support.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.targets_note.setText(". ".join(x for x in (doc.targets_source, doc.targets_note) if x))

    @staticmethod
    def _area_row(a: AreaLine, doc: CommuneReportDoc, lang: str) -> list[str]:
        def change(v: float) -> str:
            return fixed(v, lang, sign=True) if doc.has_last_year else "—"

        return [a.name, format_number(a.households), format_number(a.poor), fixed(a.poor_rate, lang),
                change(a.poor_change), format_number(a.near_poor), fixed(a.near_poor_rate, lang),
                change(a.near_poor_change), format_number(a.escaped), format_number(a.newly_poor),
                format_number(a.newly_near_poor)]

    # --- charts ------------------------------------------------------------------------------------------
    def _hamlet_chart(self, doc: CommuneReportDoc) -> None:
        chart = QChart()
        chart.setTitle(_("Poor and near-poor rates by hamlet (%)"))
        poor, near = QBarSet(_("Poor")), QBarSet(_("Near-poor"))
        poor.setColor(POOR_COLOUR)
        near.setColor(NEAR_POOR_COLOUR)
        for a in doc.hamlets:
            # One decimal is what the eye can compare; the table beside it has the exact figures.
            poor.append(round(a.poor_rate, 1))
            near.append(round(a.near_poor_rate, 1))
        series = QBarSeries()
        series.append(poor)
        series.append(near)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        series.setLabelsPrecision(3)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        # Upright labels of neighbouring bars overlap once there are more than a few hamlets.
        series.setLabelsAngle(-90 if len(doc.hamlets) > 4 else 0)
        for bar_set in (poor, near):
            bar_set.setLabelColor(QColor("#222222"))
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([a.name for a in doc.hamlets] or [""])
        if len(doc.hamlets) > 5:
            x.setLabelsAngle(-30)
        y = QValueAxis()
        y.setRange(0, max([a.poor_rate for a in doc.hamlets] + [a.near_poor_rate for a in doc.hamlets] + [1.0]) * 1.3)
        y.applyNiceNumbers()
        y.setLabelFormat("%.1f")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self._set_chart(self.hamlet_chart, chart)

    def _trend_chart(self, doc: CommuneReportDoc) -> None:
        chart = QChart()
        chart.setTitle(_("Poor and near-poor rates by year (%)"))
        # Years as categories: each point sits mid-category, so the end labels are never clipped.
        x = QBarCategoryAxis()
        x.append([str(p.year) for p in doc.trend] or [str(doc.year)])
        y = QValueAxis()
        y.setRange(0, max([p.poor_rate for p in doc.trend] + [p.near_poor_rate for p in doc.trend] + [1.0]) * 1.2)
        y.applyNiceNumbers()
        y.setLabelFormat("%.1f")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for name, colour, values in ((_("Poor"), POOR_COLOUR, [p.poor_rate for p in doc.trend]),
                                     (_("Near-poor"), NEAR_POOR_COLOUR, [p.near_poor_rate for p in doc.trend])):
            series = QLineSeries()
            series.setName(name)
            series.setColor(colour)
            series.setPointsVisible(True)
            series.setPointLabelsVisible(True)
            series.setPointLabelsFormat("@yPoint")
            for i, value in enumerate(values):
                series.append(float(i), value)
            chart.addSeries(series)
            series.attachAxis(x)
            series.attachAxis(y)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self._set_chart(self.trend_chart, chart)

    @staticmethod
    def _set_chart(view: QChartView, chart: QChart) -> None:
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()

    # --- export ----------------------------------------------------------------------------------------
    def export(self, fmt: str) -> Any:
        year = self.year.currentData()
        out = ask_save_path(self, _("Commune report"), tr("Report {year}", year=year) + f".{fmt}", (fmt,))
        if out is None:
            return None
        reports, actor, today = self.register.reports, self.actor, self.today

        def work(_progress: Any) -> Any:
            return reports.print_report(actor, year, out, today=today, lang="vi")

        self.task = run_print(self, _("Commune report"), work, 1)
        return self.task

    def series_values(self) -> dict[str, list[float]]:
        """The hamlet chart's values per bar set (for tests and screen readers)."""
        chart = self.hamlet_chart.chart()
        out: dict[str, list[float]] = {}
        for series in chart.series():
            if isinstance(series, QBarSeries):
                for s in series.barSets():
                    out[s.label()] = [s.at(i) for i in range(s.count())]
        return out
