"""The review screen (rà soát, DOMAIN.md §2): the year's annual round from the proposed list to the
chairman's decision and the certificates, the round's dashboard with the year's results, and the
monthly applications (Mẫu 01 / Mẫu 04) with their 15-day deadline.

Built like the other side screens (`Screen(register, actor, today, parent)`, `refresh()`); the forms
are in review_dialogs. The decision runs through the task runner (it touches every listed household);
`register_changed` tells the main window to reload its list afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from povcase.domain.standards import STANDARDS, standard_for
from povcase.errors import N_, PovcaseError, ValidationError
from povcase.i18n import _, format_date, format_number, format_vnd, tr
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.services.results import AreaResult
from povcase.services.review import ComplaintDTO, DueApplication, EntryDTO, RoundDTO
from povcase.ui.case_screens import (
    OVERDUE_BACKGROUND,
    OVERDUE_FOREGROUND,
    _fill,
    _screen_setup,
    _selected_uuid,
    _table,
)
from povcase.ui.fields import PROBLEM_COLOR, RELATION_LABELS, SEX_LABELS, DateEdit, label
from povcase.ui.household_editor import indicator_label
from povcase.ui.household_model import status_label
from povcase.ui.messages import problem_text, show_error
from povcase.ui.resources import icon
from povcase.ui.review_dialogs import (
    FORM_LABELS,
    TRANSITION_LABELS,
    AddHouseholdForm,
    ApplicationForm,
    ApplicationSurveyForm,
    CloseComplaintForm,
    ComplaintForm,
    DecideApplicationForm,
    MeetingForm,
    OpinionForm,
    PostingForm,
    ReissueForm,
    ReviewForm,
    SurveyForm,
)
from povcase.ui.tasks import runner_for

SOURCE_LABELS = {"status": N_("Poor or near-poor now"), "application": N_("Applied (Mẫu 01)"),
                 "added": N_("Added by the officer")}
STATE_LABELS = {"listed": N_("Waiting for the survey"), "surveyed": N_("Surveyed, waiting for the meeting"),
                "resurvey": N_("Meeting below 50 %: survey again"), "agreed": N_("Agreed by the meeting"),
                "decided": N_("Decided")}
OUTCOME_LABELS = {"pending": N_("Waiting"), "recognised": N_("Recognised"), "refused": N_("Refused")}
RESURVEY_FOREGROUND = QColor(PROBLEM_COLOR)
DUE_SOON_BACKGROUND = QColor("#fff3cd")
DUE_SOON_DAYS = 3


def _step_text(e: EntryDTO) -> str:
    """Where a household on the list stands; one decided by a monthly decision while the round was open
    names it, since the annual decision keeps that result."""
    if e.monthly_decision:
        return tr("Decided by monthly decision {number} of {date}", number=e.monthly_decision,
                  date=format_date(e.monthly_decided_on) if e.monthly_decided_on else "")
    return label(STATE_LABELS, e.state)


def _blocker_kind(msgid: str) -> str:
    """Which step a blocker of the decision is about, for the dashboard's summary."""
    for key, kind in (("has no survey", "survey"), ("did not reach 50%", "resurvey"), ("still open", "complaint"),
                      ("posted publicly", "posting"), ("upstream office", "upstream_opinion")):
        if key in msgid:
            return kind
    return "meeting"


def _paint_row(table: QTableWidget, row: int, foreground: QColor | None, background: QColor | None = None) -> None:
    for c in range(table.columnCount()):
        item = table.item(row, c)
        if item is None:
            continue
        if foreground is not None:
            item.setForeground(QBrush(foreground))
        if background is not None:
            item.setBackground(QBrush(background))


def _cap_widths(table: QTableWidget, widest: int = 240) -> None:
    """Long texts (deprivations, reasons) keep the other columns in view; the full text is the tooltip."""
    for c in range(table.columnCount()):
        if table.columnWidth(c) > widest:
            table.setColumnWidth(c, widest)
            for r in range(table.rowCount()):
                item = table.item(r, c)
                if item is not None and item.text():
                    item.setToolTip(item.text())


def _headers(*msgids: str) -> list[str]:
    return [_(m) for m in msgids]


def _percent(value: float) -> str:
    return f"{format_number(round(value, 2))} %"


def _points(value: float) -> str:
    return f"{'+' if value > 0 else ''}{format_number(round(value, 2))}"


def _fill_results(table: QTableWidget, areas: Sequence[AreaResult], overall: AreaResult) -> None:
    """One row per area (hamlet or ethnic group) and the commune's total in bold."""
    rows = [*areas, overall]
    _fill(table, [
        (a.name, format_number(a.this_year.households),
         format_number(a.this_year.poor), _percent(a.this_year.poor_rate), _percent(a.last_year.poor_rate),
         _points(a.poor_change), format_number(a.this_year.near_poor), _percent(a.this_year.near_poor_rate),
         _percent(a.last_year.near_poor_rate), _points(a.near_poor_change), format_number(a.escaped),
         format_number(a.newly_poor)) for a in rows], [a.key for a in rows], frozenset(range(1, 12)))
    last = table.rowCount() - 1
    for c in range(table.columnCount()):
        item = table.item(last, c)
        if item is not None:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
    table.resizeColumnToContents(0)  # the bold commune name stays whole


class ReviewScreen(QDialog):
    """The annual round of a year, its dashboard and certificates, and the monthly applications."""

    open_household = Signal(str)
    register_changed = Signal()  # statuses changed (the decision): the main list reloads

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None,
                 run_task: Callable[..., Any] | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.round: RoundDTO | None = None
        self._entries: list[EntryDTO] = []
        self._complaints: list[ComplaintDTO] = []
        self._applications: list[DueApplication] = []
        self.decision_task: Any = None
        self.run_task = run_task or runner_for(parent if parent is not None else self)
        _screen_setup(self, _("Annual and monthly review"), "review")
        self.resize(1240, 720)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Year")))
        self.year = QSpinBox()
        self.year.setRange(2022, today.year + 1)
        self.year.setValue(today.year)
        self.year.valueChanged.connect(lambda _y: self.refresh())
        top.addWidget(self.year)
        self.standard = QComboBox()
        for code in STANDARDS:
            self.standard.addItem(tr("Standard {code}", code=code), code)
        top.addWidget(self.standard)
        self.open_button = QPushButton(icon("review"), _("Open the annual review"))
        self.open_button.setToolTip(_("Proposes the list: every household now poor or near-poor, and those that "
                                      "applied on Mẫu 01"))
        self.open_button.clicked.connect(self.open_round)
        top.addWidget(self.open_button)
        self.round_label = QLabel()
        self.round_label.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.round_label, 1)
        refresh = QPushButton(icon("refresh"), _("Refresh"))
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)
        layout.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_list_tab(), _("Households to review"))
        self.tabs.addTab(self._build_steps_tab(), _("Meetings, posting, complaints"))
        self.tabs.addTab(self._build_decision_tab(), _("Decision"))
        self.tabs.addTab(self._build_dashboard_tab(), _("Dashboard and results"))
        self.tabs.addTab(self._build_certificates_tab(), _("Certificates"))
        self.tabs.addTab(self._build_monthly_tab(), _("Monthly review"))
        layout.addWidget(self.tabs, 1)
        self.refresh()

    # --- construction ------------------------------------------------------------------------------
    def _buttons(self, layout: QVBoxLayout, *specs: tuple[str, str, Callable[[], Any]]) -> list[QPushButton]:
        row = QHBoxLayout()
        out = []
        for text, icon_name, slot in specs:
            b = QPushButton(icon(icon_name), text)
            b.clicked.connect(lambda _checked=False, f=slot: f())
            row.addWidget(b)
            out.append(b)
        row.addStretch(1)
        layout.addLayout(row)
        return out

    def _build_list_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.survey_button, self.take_button, self.add_button = self._buttons(
            layout, (_("Survey…"), "assessment", self.survey_selected),
            (_("Take surveys already recorded"), "refresh", self.take_recorded_surveys),
            (_("Add a household…"), "household-add", self.add_household))
        self.take_button.setToolTip(_("Uses the surveys recorded this year in the household editor for the "
                                      "households still waiting for one"))
        self.list_table = _table(_headers(N_("Code"), N_("Head of household"), N_("Hamlet"), N_("On the list as"),
                                          N_("Status last year"), N_("Surveyed on"), N_("Income or score A"),
                                          N_("Proposed"), N_("Transition"), N_("Step"), N_("Deprived in")))
        self.list_table.doubleClicked.connect(lambda _i: self.survey_selected())
        layout.addWidget(self.list_table, 1)
        self.list_hint = QLabel()
        self.list_hint.setWordWrap(True)
        layout.addWidget(self.list_hint)
        return page

    def _build_steps_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        meetings = QGroupBox(_("Village meetings (họp dân), per hamlet"))
        m = QVBoxLayout(meetings)
        self.meeting_button, = self._buttons(m, (_("Record a village meeting…"), "review", self.record_meeting))
        self.meeting_table = _table(_headers(N_("Hamlet"), N_("On the list"), N_("Surveyed"), N_("Latest meeting"),
                                             N_("Chaired by"), N_("Present"), N_("Agreeing"), N_("Share"),
                                             N_("Result")))
        m.addWidget(self.meeting_table)
        layout.addWidget(meetings, 3)

        split = QSplitter(Qt.Orientation.Horizontal)
        posting = QGroupBox(_("Public posting and upstream opinion"))
        p = QVBoxLayout(posting)
        self.posting_button, self.opinion_button = self._buttons(
            p, (_("Record a posting…"), "print", self.record_posting),
            (_("Record the upstream opinion…"), "export", self.record_opinion))
        self.posting_table = _table(_headers(N_("Posted at"), N_("From"), N_("To")))
        p.addWidget(self.posting_table)
        self.opinion_label = QLabel()
        self.opinion_label.setWordWrap(True)
        p.addWidget(self.opinion_label)
        split.addWidget(posting)
        complaints = QGroupBox(_("Complaints"))
        c = QVBoxLayout(complaints)
        self.complaint_button, self.close_complaint_button = self._buttons(
            c, (_("Record a complaint…"), "due", self.record_complaint),
            (_("Close with the re-check…"), "save", self.close_complaint))
        self.complaint_table = _table(_headers(N_("Household"), N_("Received on"), N_("Complaint"),
                                               N_("Re-check outcome"), N_("Closed on")))
        c.addWidget(self.complaint_table)
        split.addWidget(complaints)
        layout.addWidget(split, 2)
        return page

    def _build_decision_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QHBoxLayout()
        form.addWidget(QLabel(_("Decision number")))
        self.decision_number = QLineEdit()
        self.decision_number.setPlaceholderText("45/QĐ-UBND")
        form.addWidget(self.decision_number)
        form.addWidget(QLabel(_("Signed on")))
        self.decision_date = DateEdit()
        self.decision_date.setValue(self.today)
        form.addWidget(self.decision_date)
        self.decide_button = QPushButton(icon("save"), _("Record the chairman's decision"))
        self.decide_button.clicked.connect(self.record_decision)
        form.addWidget(self.decide_button)
        form.addStretch(1)
        layout.addLayout(form)
        self.decision_state = QLabel()
        self.decision_state.setWordWrap(True)
        self.decision_state.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.decision_state)
        self.blocker_list = QListWidget()
        layout.addWidget(self.blocker_list, 1)
        return page

    def _build_dashboard_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.steps_table = _table(_headers(N_("Hamlet"), N_("On the list"), N_("Waiting for the survey"),
                                           N_("Surveyed"), N_("Re-survey"), N_("Agreed"), N_("Decided"),
                                           N_("Open complaints")))
        layout.addWidget(self.steps_table, 2)
        self.blocker_summary = QLabel()
        self.blocker_summary.setWordWrap(True)
        self.blocker_summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.blocker_summary)
        self.results_heading = QLabel()
        self.results_heading.setWordWrap(True)
        self.results_heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.results_heading)
        self.results_table = _table(_headers(N_("Area"), N_("Households"), N_("Poor"), N_("Poor rate"),
                                             N_("Last year"), N_("Change (points)"), N_("Near-poor"),
                                             N_("Near-poor rate"), N_("Last year"), N_("Change (points)"),
                                             N_("Escaped"), N_("Newly poor")))
        layout.addWidget(self.results_table, 3)
        groups = QLabel(_("By ethnic group"))
        groups.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(groups)
        self.ethnic_table = _table(_headers(N_("Ethnic group"), N_("Households"), N_("Poor"), N_("Poor rate"),
                                            N_("Last year"), N_("Change (points)"), N_("Near-poor"),
                                            N_("Near-poor rate"), N_("Last year"), N_("Change (points)"),
                                            N_("Escaped"), N_("Newly poor")))
        layout.addWidget(self.ethnic_table, 2)
        return page

    def _build_certificates_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.reissue_button, = self._buttons(layout, (_("Issue again…"), "print", self.reissue_certificate))
        split = QSplitter(Qt.Orientation.Horizontal)
        self.certificate_table = _table(_headers(N_("Number"), N_("Household"), N_("Head of household"),
                                                 N_("Recognised as"), N_("Issued on"), N_("Note")))
        self.certificate_table.itemSelectionChanged.connect(self._show_certificate)
        split.addWidget(self.certificate_table)
        detail = QWidget()
        d = QVBoxLayout(detail)
        d.setContentsMargins(0, 0, 0, 0)
        self.certificate_heading = QLabel()
        self.certificate_heading.setWordWrap(True)
        self.certificate_heading.setTextFormat(Qt.TextFormat.PlainText)
        d.addWidget(self.certificate_heading)
        self.member_table = _table(_headers(N_("Full name"), N_("Relation to the head"), N_("Sex"),
                                            N_("Date of birth"), N_("Ethnicity"), N_("ID number")))
        d.addWidget(self.member_table, 1)
        split.addWidget(detail)
        split.setSizes([560, 620])
        layout.addWidget(split, 1)
        return page

    def _build_monthly_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.application_button, self.application_survey_button, self.recognise_button, self.refuse_button = \
            self._buttons(layout, (_("Record an application…"), "household-add", self.record_application),
                          (_("Survey…"), "assessment", self.survey_application),
                          (_("Recognise…"), "save", lambda: self.decide_application("recognised")),
                          (_("Refuse in writing…"), "cancel", lambda: self.decide_application("refused")))
        self.application_table = _table(_headers(N_("Form"), N_("Household"), N_("Head of household"),
                                                 N_("Applicant"), N_("Received on"), N_("Due on"), N_("Outcome"),
                                                 N_("Reason"), N_("Status now"), N_("Surveyed on"), N_("Proposed"),
                                                 N_("Transition"), N_("Decision")))
        self.application_table.doubleClicked.connect(lambda _i: self.survey_application())
        layout.addWidget(self.application_table, 1)
        hint = QLabel(_("The monthly review starts on the 15th; an application received after the 15th waits for "
                        "the next month's. The chairman decides, or refuses in writing, within 15 days of that "
                        "start. Overdue in red, due within 3 days in yellow. Survey the household first "
                        "(double-click): the recognition applies that survey's classification."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        return page

    # --- loading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        year = self.year.value()
        try:
            std = standard_for(date(year, 9, 1)).code
        except PovcaseError:
            std = self.standard.currentData()
        self.round = self.register.review.annual_round(year)
        if self.round is None:
            self.standard.setCurrentIndex(max(0, self.standard.findData(std)))
        self.standard.setEnabled(self.round is None)
        writer = self.actor.can_write
        is_open = self.round is not None and self.round.status == "open"
        self.open_button.setEnabled(writer and self.round is None)
        for b in (self.survey_button, self.take_button, self.add_button, self.meeting_button, self.posting_button,
                  self.opinion_button, self.complaint_button, self.close_complaint_button):
            b.setEnabled(writer and is_open)
        if self.round is None:
            self.round_label.setText(tr("The annual review of {year} is not open yet.", year=year))
        else:
            self.round_label.setText(tr("Annual review {year}, standard {standard}, {start} – {end}: {state}",
                                        year=year, standard=self.round.standard, start=format_date(self.round.starts_on),
                                        end=format_date(self.round.ends_on),
                                        state=_("open") if is_open else _("decided")))
        self._load_list()
        self._load_steps()
        self._load_decision()
        self._load_dashboard()
        self._load_certificates()
        self._load_applications()

    def _load_list(self) -> None:
        self._entries = self.register.review.entries(self.round.uuid) if self.round else []
        std = STANDARDS.get(self.round.standard) if self.round else None
        rows = []
        for e in self._entries:
            if e.income_per_capita is not None:
                measure = format_vnd(e.income_per_capita)
            elif e.score_a is not None:
                measure = tr("score A {score}", score=e.score_a)
            else:
                measure = ""
            deprived = ", ".join(indicator_label(std, c) for c in e.deprived) if std else ""
            rows.append((e.household_code, e.head_name, e.hamlet_name, label(SOURCE_LABELS, e.source),
                         status_label(e.previous_status), format_date(e.surveyed_on) if e.surveyed_on else "",
                         measure, status_label(e.proposed) if e.proposed else "",
                         label(TRANSITION_LABELS, e.transition, ""), _step_text(e), deprived))
        _fill(self.list_table, rows, [e.household_uuid for e in self._entries])
        _cap_widths(self.list_table, 190)
        for r, e in enumerate(self._entries):
            if e.state == "resurvey":
                _paint_row(self.list_table, r, RESURVEY_FOREGROUND)
        waiting = sum(1 for e in self._entries if e.state in ("listed", "resurvey"))
        self.list_hint.setText(tr("{n} households on the list, {waiting} still to survey. Double-click a household "
                                  "to survey it.", n=format_number(len(self._entries)), waiting=format_number(waiting))
                               if self.round else _("Choose the year and open its annual review."))

    def _load_steps(self) -> None:
        progress = self.register.review.progress(self.round.uuid) if self.round else []
        rows = []
        for p in progress:
            m = p.meeting
            rows.append((p.hamlet_name, format_number(p.listed), format_number(p.listed - p.waiting - p.resurvey),
                         format_date(m.held_on) if m else "", m.chair if m else "",
                         format_number(m.present) if m else "", format_number(m.agreeing) if m else "",
                         _percent(100 * m.agreeing / m.present) if m else "",
                         (_("Passed") if m.passed else _("Below 50 %: re-survey, meet again")) if m else ""))
        _fill(self.meeting_table, rows, [p.hamlet_uuid for p in progress], frozenset({1, 2, 5, 6, 7}))
        for r, p in enumerate(progress):
            if p.meeting is not None and not p.meeting.passed:
                _paint_row(self.meeting_table, r, RESURVEY_FOREGROUND)
        self._progress = progress

        postings = self.register.review.postings(self.round.uuid) if self.round else []
        _fill(self.posting_table, [(p.hamlet_name or _("Commune office"), format_date(p.starts_on),
                                    format_date(p.ends_on)) for p in postings], [p.uuid for p in postings])
        opinions = self.register.review.opinions(self.round.uuid) if self.round else []
        self.opinion_label.setText("\n".join(tr("Upstream opinion {reference} of {date}", reference=o.reference,
                                                date=format_date(o.given_on)) for o in opinions)
                                   or _("No opinion of the upstream office recorded yet."))
        self._complaints = self.register.review.complaints(self.round.uuid) if self.round else []
        _fill(self.complaint_table, [(f"{c.household_code} — {c.head_name}", format_date(c.received_on), c.text,
                                      c.recheck_outcome, format_date(c.closed_on) if c.closed_on else _("Open"))
                                     for c in self._complaints], [c.uuid for c in self._complaints])
        _cap_widths(self.complaint_table)
        for r, c in enumerate(self._complaints):
            if c.closed_on is None:
                _paint_row(self.complaint_table, r, RESURVEY_FOREGROUND)

    def _load_decision(self) -> None:
        self.blocker_list.clear()
        self.blockers = self.register.review.blockers(self.round.uuid) if self.round else []
        decision = self.register.review.decision(self.round.uuid) if self.round else None
        if self.round is None:
            self.decision_state.setText(_("Open the annual review first."))
        elif decision is not None:
            self.decision_number.setText(decision.number)
            self.decision_date.setValue(decision.decided_on)
            self.decision_state.setText(tr("Decided by decision {number} of {date}: the new statuses took effect for "
                                           "{year}; {n} certificates issued.", number=decision.number,
                                           date=format_date(decision.decided_on), year=self.round.year,
                                           n=format_number(len(decision.certificates))))
        elif self.blockers:
            self.decision_state.setText(tr("The decision cannot be recorded yet ({n} reasons):",
                                           n=format_number(len(self.blockers))))
            self.decision_state.setStyleSheet(f"color: {PROBLEM_COLOR};")
        else:
            self.decision_state.setText(_("Every step is done: the decision can be recorded. The statuses change "
                                          "only then; the history keeps the old ones."))
            self.decision_state.setStyleSheet("")
        if decision is not None or not self.blockers:
            self.decision_state.setStyleSheet("")
        for p in self.blockers:
            self.blocker_list.addItem(problem_text(p))
        can = self.actor.can_write and self.round is not None and decision is None and not self.blockers
        self.decide_button.setEnabled(can)
        self.decision_number.setReadOnly(decision is not None)
        self.decide_button.setToolTip("\n".join(problem_text(p) for p in self.blockers[:10]))

    def _load_dashboard(self) -> None:
        rows = [(p.hamlet_name, format_number(p.listed), format_number(p.waiting), format_number(p.surveyed),
                 format_number(p.resurvey), format_number(p.agreed), format_number(p.decided),
                 format_number(p.open_complaints)) for p in self._progress]
        _fill(self.steps_table, rows, [p.hamlet_uuid for p in self._progress], frozenset(range(1, 8)))
        for r, p in enumerate(self._progress):
            if p.resurvey or p.open_complaints:
                _paint_row(self.steps_table, r, RESURVEY_FOREGROUND)
        if self.round is None:
            self.blocker_summary.setText("")
        elif not self.blockers:
            self.blocker_summary.setText(_("Nothing blocks the decision.") if self.round.status == "open" else "")
        else:
            kinds = Counter(_blocker_kind(p.msgid) for p in self.blockers)
            steps = [tr("{n} households without a survey", n=kinds["survey"]) if kinds["survey"] else "",
                     tr("{n} waiting for their village meeting", n=kinds["meeting"]) if kinds["meeting"] else "",
                     tr("{n} to re-survey after a meeting below 50 %", n=kinds["resurvey"]) if kinds["resurvey"] else "",
                     tr("{n} open complaints", n=kinds["complaint"]) if kinds["complaint"] else "",
                     _("the list not posted yet") if kinds["posting"] else "",
                     _("no opinion of the upstream office yet") if kinds["upstream_opinion"] else ""]
            self.blocker_summary.setText(tr("What blocks the decision: {steps}.",
                                            steps="; ".join(t for t in steps if t)))
        year = self.year.value()
        results = self.register.results.year(year)
        if results.decided:
            self.results_heading.setText(tr("Results of {year}: decision {number} of {date}, compared with {last}.",
                                            year=year, number=results.decision_number or "",
                                            date=format_date(results.decided_on), last=year - 1))
        else:
            self.results_heading.setText(tr("Results of {year}: not decided yet — the statuses are still those of "
                                            "the last decision; they change when the decision is recorded.",
                                            year=year))
        _fill_results(self.results_table, results.hamlets, results.overall)
        _fill_results(self.ethnic_table, results.ethnic_groups, results.overall)

    def _load_certificates(self) -> None:
        self._certificates = self.register.review.certificates(self.year.value())
        by_uuid = {c.uuid: c.number for c in self._certificates}
        rows = []
        for c in self._certificates:
            notes = []
            if c.replaces_number:
                notes.append(tr("replaces {number}", number=c.replaces_number))
            if c.replaced_by_uuid:
                notes.append(tr("replaced by {number}", number=by_uuid.get(c.replaced_by_uuid, "")))
            if c.ended_by:
                notes.append(tr("ended by decision {number} of {date}", number=c.ended_by,
                                date=format_date(c.ended_on)))
            rows.append((c.number, c.household_code, c.head_name, status_label(c.classification),
                         format_date(c.issued_on), "; ".join(notes)))
        _fill(self.certificate_table, rows, [c.uuid for c in self._certificates])
        for r, c in enumerate(self._certificates):
            if c.replaced_by_uuid or c.ended_by:
                _paint_row(self.certificate_table, r, QColor("#777777"))
        self.reissue_button.setEnabled(self.actor.can_write and bool(self._certificates))
        self._show_certificate()

    def _show_certificate(self) -> None:
        uuid = _selected_uuid(self.certificate_table)
        if uuid is None:
            self.certificate_heading.setText(_("Select a certificate to see what it shows."))
            _fill(self.member_table, [], [])
            return
        d = self.register.review.certificate(uuid)
        c = d.certificate
        head = next((m for m in d.members if m.relation == "head"), None)
        self.certificate_heading.setText(tr(
            "Certificate {number} ({classification}, {year}), decision {decision} of {date}\n"
            "Head: {head}, ethnicity {ethnicity}, ID number {id}\nResidence: {address}, {hamlet}, {commune}",
            number=c.number, classification=status_label(c.classification), year=c.year, decision=d.decision_number,
            date=format_date(d.decided_on), head=head.full_name if head else c.head_name,
            ethnicity=d.ethnicity_group, id=d.head_id_number or "—", address=d.address, hamlet=d.hamlet_name,
            commune=d.commune_name))
        _fill(self.member_table, [(m.full_name, label(RELATION_LABELS, m.relation), label(SEX_LABELS, m.sex),
                                   format_date(m.birth_date) if m.birth_date else "", m.ethnicity, m.id_number or "")
                                  for m in d.members], [""] * len(d.members))

    def _load_applications(self) -> None:
        self._applications = self.register.review.applications(self.today)
        rows = []
        for d in self._applications:
            a = d.application
            outcome = label(OUTCOME_LABELS, a.outcome)
            if a.decided_on:
                outcome = f"{outcome} ({format_date(a.decided_on)})"
            rows.append((_(FORM_LABELS[a.form]).split(":")[0] if a.form in FORM_LABELS else a.form,
                         a.household_code, a.head_name, a.applicant, format_date(a.received_on),
                         format_date(a.due_on), outcome, a.refusal_reason or a.reason, status_label(a.status),
                         format_date(a.surveyed_on), status_label(a.proposed) if a.proposed else "",
                         label(TRANSITION_LABELS, a.transition, ""), a.decision_number or ""))
        _fill(self.application_table, rows, [d.application.uuid for d in self._applications])
        _cap_widths(self.application_table)
        for r, d in enumerate(self._applications):
            if d.overdue:
                _paint_row(self.application_table, r, OVERDUE_FOREGROUND, OVERDUE_BACKGROUND)
            elif d.application.outcome == "pending" and d.application.due_on <= self.today + timedelta(DUE_SOON_DAYS):
                _paint_row(self.application_table, r, None, DUE_SOON_BACKGROUND)
        writer = self.actor.can_write
        self.application_button.setEnabled(writer)
        self.application_survey_button.setEnabled(writer)
        self.recognise_button.setEnabled(writer)
        self.refuse_button.setEnabled(writer)

    # --- actions -----------------------------------------------------------------------------------
    def _run_form(self, form: ReviewForm) -> bool:
        """Show a form; True (and the screen reloaded) when it saved."""
        if form.exec() != QDialog.DialogCode.Accepted:
            return False
        self.refresh()
        return True

    def hamlets(self) -> list[Any]:
        return self.register.communes.hamlets()

    def open_round(self) -> bool:
        try:
            self.register.review.open_annual_round(self.actor, self.year.value(), str(self.standard.currentData()))
        except PovcaseError as e:
            show_error(self, e, _("Not saved"))
            return False
        self.refresh()
        return True

    def selected_entry(self) -> EntryDTO | None:
        uuid = _selected_uuid(self.list_table)
        return next((e for e in self._entries if e.household_uuid == uuid), None)

    def survey_form(self, entry: EntryDTO) -> SurveyForm:
        assert self.round is not None
        return SurveyForm(self.register, self.actor, self.round, entry, self.today, self)

    def survey_selected(self) -> bool:
        entry = self.selected_entry()
        if entry is None or self.round is None or self.round.status != "open":
            return False
        return self._run_form(self.survey_form(entry))

    def take_recorded_surveys(self) -> int:
        if self.round is None:
            return 0
        try:
            taken = self.register.review.take_recorded_surveys(self.actor, self.round.uuid).value
        except PovcaseError as e:
            show_error(self, e, _("Not saved"))
            return 0
        self.refresh()
        self.list_hint.setText(tr("{n} surveys taken from the register. ", n=format_number(taken))
                               + self.list_hint.text())
        return taken

    def add_household_form(self) -> AddHouseholdForm:
        assert self.round is not None
        return AddHouseholdForm(self.register, self.actor, self.round, self)

    def add_household(self) -> bool:
        return self.round is not None and self._run_form(self.add_household_form())

    def meeting_form(self, hamlet_uuid: str | None = None) -> MeetingForm:
        assert self.round is not None
        if hamlet_uuid is None:
            hamlet_uuid = _selected_uuid(self.meeting_table)
        return MeetingForm(self.register, self.actor, self.round, self.hamlets(), self.today, hamlet_uuid, self)

    def record_meeting(self) -> bool:
        return self.round is not None and self._run_form(self.meeting_form())

    def posting_form(self) -> PostingForm:
        assert self.round is not None
        return PostingForm(self.register, self.actor, self.round, self.hamlets(), self.today, self)

    def record_posting(self) -> bool:
        return self.round is not None and self._run_form(self.posting_form())

    def complaint_form(self, household_uuid: str | None = None) -> ComplaintForm:
        assert self.round is not None
        return ComplaintForm(self.register, self.actor, self.round, self._entries, self.today, household_uuid, self)

    def record_complaint(self) -> bool:
        entry = self.selected_entry()
        return self.round is not None and self._run_form(self.complaint_form(entry.household_uuid if entry else None))

    def close_complaint_form(self, complaint: ComplaintDTO) -> CloseComplaintForm:
        return CloseComplaintForm(self.register, self.actor, complaint, self.today, self)

    def close_complaint(self) -> bool:
        uuid = _selected_uuid(self.complaint_table)
        complaint = next((c for c in self._complaints if c.uuid == uuid and c.closed_on is None), None)
        if complaint is None:
            complaint = next((c for c in self._complaints if c.closed_on is None), None)
        return complaint is not None and self._run_form(self.close_complaint_form(complaint))

    def opinion_form(self) -> OpinionForm:
        assert self.round is not None
        return OpinionForm(self.register, self.actor, self.round, self.today, self)

    def record_opinion(self) -> bool:
        return self.round is not None and self._run_form(self.opinion_form())

    def record_decision(self) -> None:
        """Run the decision on the writer thread (it touches every listed household), with progress."""
        if self.round is None:
            return
        number = self.decision_number.text()
        day = self.decision_date.value()
        if day is None:
            self.decision_state.setText(_("Enter the date the decision was signed (dd/mm/yyyy)."))
            self.decision_state.setStyleSheet(f"color: {PROBLEM_COLOR};")
            return
        round_uuid = self.round.uuid
        total = len(self._entries)

        def work(progress: Any) -> Any:
            progress.update(0, total)
            return self.register.review.record_decision(self.actor, round_uuid, number, day, progress=progress)

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError):
                self.refresh()
                self.decision_state.setText("\n".join(problem_text(p) for p in error.problems[:10]))
                self.decision_state.setStyleSheet(f"color: {PROBLEM_COLOR};")
            else:
                show_error(self, error, _("Not saved"))

        def done(_result: Any) -> None:
            self.refresh()
            self.register_changed.emit()

        self.decide_button.setEnabled(False)
        self.decision_task = self.run_task(_("Recording the decision"), work, done, failed)

    def reissue_form(self) -> ReissueForm | None:
        uuid = _selected_uuid(self.certificate_table)
        cert = next((c for c in self._certificates if c.uuid == uuid), None)
        return ReissueForm(self.register, self.actor, cert, self.today, self) if cert else None

    def reissue_certificate(self) -> bool:
        form = self.reissue_form()
        return form is not None and self._run_form(form)

    def application_form(self) -> ApplicationForm:
        return ApplicationForm(self.register, self.actor, self.today, self)

    def record_application(self) -> bool:
        return self._run_form(self.application_form())

    def selected_application(self) -> DueApplication | None:
        uuid = _selected_uuid(self.application_table)
        return next((d for d in self._applications if d.application.uuid == uuid), None)

    def decide_form(self, outcome: str) -> DecideApplicationForm | None:
        d = self.selected_application()
        if d is None or d.application.outcome != "pending":
            return None
        return DecideApplicationForm(self.register, self.actor, d.application, outcome, self.today, self)

    def decide_application(self, outcome: str) -> bool:
        form = self.decide_form(outcome)
        if form is None or not self._run_form(form):
            return False
        if outcome == "recognised":
            self.register_changed.emit()  # the household's status changed
        return True

    def application_survey_form(self) -> ApplicationSurveyForm | None:
        d = self.selected_application()
        if d is None or d.application.outcome != "pending":
            return None
        return ApplicationSurveyForm(self.register, self.actor, d.application, self.today, self)

    def survey_application(self) -> bool:
        form = self.application_survey_form()
        return form is not None and self._run_form(form)

    # --- for tests ---------------------------------------------------------------------------------
    def select_row(self, table: QTableWidget, uuid: str) -> None:
        for r in range(table.rowCount()):
            item = table.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole + 1) == uuid:
                table.selectRow(r)
                return
        raise LookupError(uuid)

    def cell_texts(self, table: QTableWidget) -> list[list[str]]:
        return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
                for r in range(table.rowCount())]

