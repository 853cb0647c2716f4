"""Three screens opened from the main window's menu: Sponsors (caseload and households nobody follows),
the Due list ("what needs doing this week") and the Support report (totals for a period).

Each is a non-modal dialog built as `Screen(register, actor, today, parent)`; `refresh()` reloads it
from the services. Double-clicking a household emits `open_household(uuid)` for the main window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povcase.errors import N_, PovcaseError
from povcase.i18n import _, current_language, format_date, format_number, format_vnd, tr
from povcase.services.base import Actor
from povcase.services.due import DueItem
from povcase.services.register import Register
from povcase.services.sponsors import CaseloadRow, HouseholdRef, SponsorDTO, SponsorInput
from povcase.services.support import TotalRow
from povcase.ui.fields import DateEdit, problem_label
from povcase.ui.household_model import status_label
from povcase.ui.messages import error_text, show_error
from povcase.ui.resources import icon

SCREEN_SIZE = (1000, 600)
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_BACKGROUND = QColor("#f8d7da")
OVERDUE_FOREGROUND = QColor("#842029")
PROBLEM_STYLE = "color: #b00020;"

SPONSOR_KINDS: tuple[tuple[str, str], ...] = (
    ("party_member", N_("Party member")),
    ("party_cell", N_("Party cell")),
    ("unit", N_("Unit or agency")),
    ("mass_org", N_("Mass organisation")),
    ("business", N_("Business")),
    ("donor", N_("Donor")),
)
DUE_KINDS: dict[str, str] = {
    "action": N_("Plan action"),
    "visit": N_("Sponsor visit"),
    "loan_repayment": N_("Loan repayment"),
    "application": N_("Application (Mẫu 01/04)"),
}


def sponsor_kind_label(kind: str) -> str:
    return next((_(label) for k, label in SPONSOR_KINDS if k == kind), kind)


def due_kind_label(kind: str) -> str:
    return _(DUE_KINDS[kind]) if kind in DUE_KINDS else kind


# --- shared helpers --------------------------------------------------------------------------------
def _table(headers: Sequence[str]) -> QTableWidget:
    """A read-only, row-selecting table with the given (already translated) headers."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], uuids: Sequence[str],
          numeric: frozenset[int] = frozenset()) -> None:
    """Replace the table's rows; the uuid of each row is kept on its first cell."""
    table.setSortingEnabled(False)
    table.clearContents()
    table.setRowCount(len(rows))
    for r, (cells, uuid) in enumerate(zip(rows, uuids, strict=True)):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0:
                item.setData(UUID_ROLE, uuid)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _row_uuid(table: QTableWidget, row: int) -> str | None:
    item = table.item(row, 0)
    return str(item.data(UUID_ROLE)) if item is not None and item.data(UUID_ROLE) else None


def _selected_uuid(table: QTableWidget) -> str | None:
    rows = table.selectionModel().selectedRows()
    return _row_uuid(table, rows[0].row()) if rows else None


def _screen_setup(dialog: QDialog, title: str, icon_name: str) -> None:
    dialog.setWindowTitle(title)
    dialog.setWindowIcon(icon(icon_name))
    dialog.setModal(False)
    dialog.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
    dialog.resize(*SCREEN_SIZE)


# --- sponsors --------------------------------------------------------------------------------------
class SponsorForm(QDialog):
    """Add or edit one sponsor; the sponsor is saved when OK is pressed (the form stays open on a problem)."""

    def __init__(self, register: Register, actor: Actor, sponsor: SponsorDTO | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.sponsor = sponsor
        self.saved: SponsorDTO | None = None
        self.setWindowTitle(_("Edit sponsor") if sponsor else _("Add a sponsor"))
        self.setWindowIcon(icon("sponsor"))
        form = QFormLayout(self)
        self.kind = QComboBox()
        for code, label in SPONSOR_KINDS:
            self.kind.addItem(_(label), code)
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.organisation = QLineEdit()
        self.phone = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(80)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Organisation"), self.organisation)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Notes"), self.notes)
        self.problem = problem_label()
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(460)
        if sponsor is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(sponsor.kind)))
            self.name.setText(sponsor.name)
            self.organisation.setText(sponsor.organisation)
            self.phone.setText(sponsor.phone)
            self.notes.setPlainText(sponsor.notes)

    def value(self) -> SponsorInput:
        return SponsorInput(str(self.kind.currentData()), self.name.text(), self.organisation.text(),
                            self.phone.text(), self.notes.toPlainText())

    def accept(self) -> None:
        try:
            if self.sponsor is None:
                self.saved = self.register.sponsors.create(self.actor, self.value()).value
            else:
                self.saved = self.register.sponsors.update(self.actor, self.sponsor.uuid, self.value()).value
        except PovcaseError as e:
            self.problem.setText(error_text(e))
            self.problem.show()
            return
        super().accept()


class SponsorsScreen(QDialog):
    """Sponsors with their caseload, add/edit/remove, and the households nobody follows."""

    open_household = Signal(str)

    SPONSOR_COLUMNS = (N_("Kind"), N_("Name"), N_("Organisation"), N_("Phone"), N_("Households followed"),
                       N_("Last visit"), N_("Overdue visits"))
    HOUSEHOLD_COLUMNS = (N_("Code"), N_("Head of household"), N_("Hamlet"), N_("Status"))

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.caseload: list[CaseloadRow] = []
        self.sponsors: dict[str, SponsorDTO] = {}
        self.without: list[HouseholdRef] = []
        _screen_setup(self, _("Sponsors"), "sponsor")

        layout = QVBoxLayout(self)
        top = QGroupBox(_("Sponsors and the households they follow"))
        top_layout = QVBoxLayout(top)
        self.sponsor_table = _table([_(c) for c in self.SPONSOR_COLUMNS])
        self.sponsor_table.doubleClicked.connect(lambda _index: self.edit_sponsor())
        self.sponsor_table.itemSelectionChanged.connect(self._update_buttons)
        top_layout.addWidget(self.sponsor_table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(icon("sponsor"), _("Add a sponsor…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.remove_button = QPushButton(_("Remove…"))
        self.add_button.clicked.connect(self.add_sponsor)
        self.edit_button.clicked.connect(self.edit_sponsor)
        self.remove_button.clicked.connect(self.remove_sponsor)
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.summary = QLabel()
        buttons.addWidget(self.summary)
        top_layout.addLayout(buttons)
        layout.addWidget(top, 3)

        bottom = QGroupBox(_("Households without a sponsor"))
        bottom_layout = QVBoxLayout(bottom)
        self.household_table = _table([_(c) for c in self.HOUSEHOLD_COLUMNS])
        self.household_table.setToolTip(_("Double-click a household to open it"))
        self.household_table.cellDoubleClicked.connect(self._household_double_clicked)
        bottom_layout.addWidget(self.household_table)
        layout.addWidget(bottom, 2)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.sponsors = {s.uuid: s for s in self.register.sponsors.list()}
            self.caseload = self.register.sponsors.caseload(self.today)
            self.without = self.register.sponsors.households_without_sponsor(self.today)
        except Exception as e:  # shown to the officer, logged by show_error
            show_error(self, e)
            return
        rows = []
        for c in self.caseload:
            sp = self.sponsors.get(c.sponsor_uuid)
            rows.append((sponsor_kind_label(c.kind), c.name, c.organisation, sp.phone if sp else "",
                         format_number(c.households), format_date(c.last_visit), format_number(c.overdue_visits)))
        _fill(self.sponsor_table, rows, [c.sponsor_uuid for c in self.caseload], frozenset({4, 6}))
        _fill(self.household_table,
              [(h.code, h.head_name, h.hamlet_name, status_label(h.status)) for h in self.without],
              [h.uuid for h in self.without])
        self.summary.setText(tr("{n} sponsors · {m} households without a sponsor",
                                n=format_number(len(self.caseload)), m=format_number(len(self.without))))
        self._update_buttons()

    def selected_sponsor(self) -> SponsorDTO | None:
        uuid = _selected_uuid(self.sponsor_table)
        return self.sponsors.get(uuid) if uuid else None

    def select_sponsor(self, uuid: str) -> bool:
        for r in range(self.sponsor_table.rowCount()):
            if _row_uuid(self.sponsor_table, r) == uuid:
                self.sponsor_table.selectRow(r)
                return True
        return False

    def sponsor_form(self, sponsor: SponsorDTO | None = None) -> SponsorForm:
        return SponsorForm(self.register, self.actor, sponsor, self)

    def add_sponsor(self) -> None:
        form = self.sponsor_form()
        if form.exec() == QDialog.DialogCode.Accepted and form.saved is not None:
            self.refresh()
            self.select_sponsor(form.saved.uuid)

    def edit_sponsor(self) -> None:
        sponsor = self.selected_sponsor()
        if sponsor is None or not self.actor.can_write:
            return
        form = self.sponsor_form(sponsor)
        if form.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.select_sponsor(sponsor.uuid)

    def remove_sponsor(self) -> None:
        sponsor = self.selected_sponsor()
        if sponsor is None:
            return
        reason, ok = QInputDialog.getText(
            self, _("Remove sponsor"),
            tr("Why is {name} removed? The households they follow will have no sponsor.", name=sponsor.name))
        if not ok:
            return
        try:
            self.register.sponsors.delete(self.actor, sponsor.uuid, reason)
        except PovcaseError as e:
            show_error(self, e)
            return
        self.refresh()

    def _update_buttons(self) -> None:
        writer = self.actor.can_write
        chosen = self.selected_sponsor() is not None
        self.add_button.setEnabled(writer)
        self.edit_button.setEnabled(writer and chosen)
        self.remove_button.setEnabled(writer and chosen)

    def _household_double_clicked(self, row: int, _column: int) -> None:
        if (uuid := _row_uuid(self.household_table, row)) is not None:
            self.open_household.emit(uuid)


# --- due list --------------------------------------------------------------------------------------
class DueListScreen(QDialog):
    """What needs doing this week: plan actions, overdue visits and loan instalments; overdue rows in red."""

    open_household = Signal(str)

    COLUMNS = (N_("Kind"), N_("Household"), N_("Hamlet"), N_("Sponsor"), N_("Due date"), N_("What"),
               N_("Amount"))

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.items: list[DueItem] = []
        _screen_setup(self, _("What needs doing this week"), "due")

        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.hamlet = QComboBox()
        self.sponsor = QComboBox()
        self.on_date = DateEdit()
        self.on_date.setValue(today)
        filters.addWidget(QLabel(_("Hamlet")))
        filters.addWidget(self.hamlet, 1)
        filters.addWidget(QLabel(_("Sponsor")))
        filters.addWidget(self.sponsor, 1)
        filters.addWidget(QLabel(_("On")))
        filters.addWidget(self.on_date)
        refresh = QPushButton(icon("refresh"), _("Refresh"))
        refresh.clicked.connect(self.refresh)
        filters.addWidget(refresh)
        layout.addLayout(filters)
        self.problem = problem_label()
        layout.addWidget(self.problem)

        self.table = _table([_(c) for c in self.COLUMNS])
        self.table.setToolTip(_("Double-click a row to open the household"))
        self.table.cellDoubleClicked.connect(self._double_clicked)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.summary = QLabel()
        bottom.addWidget(self.summary, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self._load_filters()
        self.hamlet.currentIndexChanged.connect(self.refresh)
        self.sponsor.currentIndexChanged.connect(self.refresh)
        self.on_date.editingFinished.connect(self.refresh)
        self.refresh()

    def _load_filters(self) -> None:
        try:
            hamlets = self.register.communes.hamlets()
            sponsors = self.register.sponsors.list()
        except Exception as e:  # shown to the officer, logged by show_error
            show_error(self, e)
            hamlets, sponsors = [], []
        for combo, everything, choices in (
                (self.hamlet, _("All hamlets"), [(h.uuid, h.name) for h in hamlets]),
                (self.sponsor, _("All sponsors"), [(s.uuid, s.name) for s in sponsors])):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for uuid, name in choices:
                combo.addItem(name, uuid)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)

    def set_hamlet(self, uuid: str | None) -> None:
        self.hamlet.setCurrentIndex(max(0, self.hamlet.findData(uuid)) if uuid else 0)

    def set_sponsor(self, uuid: str | None) -> None:
        self.sponsor.setCurrentIndex(max(0, self.sponsor.findData(uuid)) if uuid else 0)

    def refresh(self) -> None:
        problem = self.on_date.problem()
        on = self.on_date.value() if problem is None else None
        if on is None:
            self.problem.setText(problem or _("Write the date as dd/mm/yyyy, for example 02/03/1980"))
            self.problem.show()
            return
        self.problem.hide()
        try:
            self.items = self.register.due.due_list(on, hamlet=self.hamlet.currentData(),
                                                    sponsor=self.sponsor.currentData())
        except Exception as e:  # shown to the officer, logged by show_error
            show_error(self, e)
            return
        rows = [(due_kind_label(i.kind), f"{i.household_code} — {i.head_name}", i.hamlet_name, i.sponsor_name,
                 format_date(i.due_on), i.text, format_vnd(i.amount) if i.amount is not None else "")
                for i in self.items]
        _fill(self.table, rows, [i.household_uuid for i in self.items], frozenset({6}))
        background, foreground = QBrush(OVERDUE_BACKGROUND), QBrush(OVERDUE_FOREGROUND)
        for r, i in enumerate(self.items):
            if not i.overdue:
                continue
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                item.setBackground(background)
                item.setForeground(foreground)
                item.setToolTip(_("Overdue"))
        overdue = sum(1 for i in self.items if i.overdue)
        self.summary.setText(tr("{n} to do, {overdue} overdue", n=format_number(len(self.items)),
                                overdue=format_number(overdue)))

    def is_overdue_row(self, row: int) -> bool:
        item = self.table.item(row, 0)
        return item is not None and item.background().color() == OVERDUE_BACKGROUND

    def _double_clicked(self, row: int, _column: int) -> None:
        if (uuid := _row_uuid(self.table, row)) is not None:
            self.open_household.emit(uuid)


# --- support report --------------------------------------------------------------------------------
class SupportReportScreen(QDialog):
    """Support given in a period, per programme or per hamlet, with the grand total."""

    GROUPS = (("programme", N_("Programme")), ("hamlet", N_("Hamlet")))

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.rows: list[TotalRow] = []
        self.total = 0
        _screen_setup(self, _("Support report"), "support")

        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.period_from = DateEdit()
        self.period_from.setValue(date(today.year, 1, 1))
        self.period_to = DateEdit()
        self.period_to.setValue(today)
        self.group_by = QComboBox()
        for code, label in self.GROUPS:
            self.group_by.addItem(_(label), code)
        filters.addWidget(QLabel(_("From")))
        filters.addWidget(self.period_from)
        filters.addWidget(QLabel(_("To")))
        filters.addWidget(self.period_to)
        filters.addWidget(QLabel(_("Group by")))
        filters.addWidget(self.group_by)
        show = QPushButton(icon("refresh"), _("Show"))
        show.clicked.connect(self.refresh)
        filters.addWidget(show)
        filters.addStretch(1)
        layout.addLayout(filters)
        self.problem = problem_label()
        layout.addWidget(self.problem)

        self.table = _table(self._headers())
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.total_label = QLabel()
        bold = QFont(self.total_label.font())
        bold.setBold(True)
        self.total_label.setFont(bold)
        bottom.addWidget(self.total_label, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self.group_by.currentIndexChanged.connect(self.refresh)
        self.period_from.editingFinished.connect(self.refresh)
        self.period_to.editingFinished.connect(self.refresh)
        self.refresh()

    def _group(self) -> Literal["programme", "hamlet"]:
        return "hamlet" if self.group_by.currentData() == "hamlet" else "programme"

    def _headers(self) -> list[str]:
        first = _("Hamlet") if self._group() == "hamlet" else _("Programme")
        return [first, _("Records"), _("Households"), _("Amount")]

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.rows, self.total = [], 0
        self.table.setRowCount(0)
        self.total_label.setText("")

    def refresh(self) -> None:
        problems = [p for p in (self.period_from.problem(), self.period_to.problem()) if p]
        start, end = self.period_from.value(), self.period_to.value()
        if problems or start is None or end is None:
            self._show_problem(problems[0] if problems else _("Enter both dates of the period"))
            return
        group = self._group()
        try:
            self.rows = self.register.support.totals(start, end, by=group)
            english = ({p.code: p.name_en for p in self.register.support.programmes() if p.name_en}
                       if group == "programme" and current_language() == "en" else {})
        except PovcaseError as e:
            self._show_problem(error_text(e))
            return
        except Exception as e:  # shown to the officer, logged by show_error
            show_error(self, e)
            return
        self.problem.hide()
        self.table.setHorizontalHeaderLabels(self._headers())
        _fill(self.table,
              [(english.get(r.key, r.label), format_number(r.records), format_number(r.households),
                format_vnd(r.amount)) for r in self.rows],
              [r.key for r in self.rows], frozenset({1, 2, 3}))
        self.total = sum(r.amount for r in self.rows)
        records = sum(r.records for r in self.rows)
        self.total_label.setText(tr("Total {start} – {end}: {amount} in {records} records",
                                    start=format_date(start), end=format_date(end), amount=format_vnd(self.total),
                                    records=format_number(records)))
