"""The household editor's Sponsor tab: who follows the household ("giảm nghèo theo địa chỉ"), since when,
who followed it before, and the sponsor's visits.

Every write goes through `register.sponsors`; a refused write shows the service's problems under the
form and saves nothing. Viewers see everything and can change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povcase.errors import N_, PovcaseError
from povcase.i18n import _, format_date, tr
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.services.sponsors import AssignmentDTO, SponsorDTO, SponsorInput, VisitInput
from povcase.ui.fields import (
    PROBLEM_STYLE,
    ChoiceCombo,
    DateEdit,
    FieldBox,
    label,
    problem_label,
    show_form_problems,
    submit_form,
)
from povcase.ui.resources import icon

SPONSOR_KIND_LABELS: dict[str, str] = {
    "party_member": N_("Party member"), "party_cell": N_("Party cell"), "unit": N_("Unit or agency"),
    "mass_org": N_("Mass organisation"), "business": N_("Business"), "donor": N_("Donor"),
}
# The mass organisations a commune has (proper names, stored as typed).
MASS_ORGANISATIONS: tuple[str, ...] = (
    "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Hội Cựu chiến binh",
    "Mặt trận Tổ quốc",
)


def tab_button(text: str, icon_name: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.setDefault(False)
    if icon_name:
        button.setIcon(icon(icon_name))
    return button


def tab_table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)


def sponsor_text(s: SponsorDTO) -> str:
    """"Name — organisation (kind)", as the sponsor list shows it."""
    parts = [s.name]
    if s.organisation:
        parts.append(s.organisation)
    return f"{' — '.join(parts)} ({label(SPONSOR_KIND_LABELS, s.kind)})"


class SponsorTab(QWidget):
    """The household's current sponsor, the history of assignments, and the visits."""

    saved = Signal(object)  # Changes

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self._uuid: str | None = None
        self._read_only = not actor.can_write
        self.setStyleSheet(PROBLEM_STYLE)
        layout = QVBoxLayout(self)

        # current sponsor
        current_box = QGroupBox(_("Current sponsor"))
        current_layout = QVBoxLayout(current_box)
        self.current_label = QLabel()
        self.current_label.setTextFormat(Qt.TextFormat.PlainText)
        self.current_label.setWordWrap(True)
        current_layout.addWidget(self.current_label)
        layout.addWidget(current_box)

        # assign / change
        self.assign_box = QGroupBox(_("Assign / change sponsor"))
        grid = QGridLayout(self.assign_box)
        self.sponsor_combo = QComboBox()
        self.sponsor_combo.setEditable(True)
        self.sponsor_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.sponsor_combo.setMinimumWidth(320)
        self.sponsor_combo.lineEdit().setPlaceholderText(_("Type to search"))
        self.assign_start = DateEdit()
        self.assign_start.setValue(today)
        self.assign_button = tab_button(_("Assign sponsor"), "sponsor")
        self.assign_button.clicked.connect(self._assign_clicked)
        self.new_sponsor_button = tab_button(_("New sponsor…"))
        self.new_sponsor_button.setCheckable(True)
        self.assign_boxes = {"sponsor": FieldBox(self.sponsor_combo), "start_on": FieldBox(self.assign_start)}
        grid.addWidget(QLabel(_("Sponsor")), 0, 0)
        grid.addWidget(self.assign_boxes["sponsor"], 0, 1)
        grid.addWidget(self.new_sponsor_button, 0, 2)
        grid.addWidget(QLabel(_("From")), 0, 3)
        grid.addWidget(self.assign_boxes["start_on"], 0, 4)
        grid.addWidget(self.assign_button, 0, 5)
        grid.setColumnStretch(1, 1)
        self.assign_problem = problem_label()
        grid.addWidget(self.assign_problem, 1, 0, 1, 6)

        # quick new-sponsor form
        self.new_box = QGroupBox(_("New sponsor"))
        new_grid = QGridLayout(self.new_box)
        self.new_kind = ChoiceCombo(SPONSOR_KIND_LABELS)
        self.new_name = QLineEdit()
        self.new_organisation = QComboBox()
        self.new_organisation.setEditable(True)
        self.new_organisation.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.new_organisation.addItem("")
        self.new_organisation.addItems(MASS_ORGANISATIONS)
        self.new_phone = QLineEdit()
        self.new_phone.setMaximumWidth(160)
        self.create_button = tab_button(_("Add sponsor"))
        self.create_button.clicked.connect(self._create_clicked)
        self.new_boxes = {"kind": FieldBox(self.new_kind), "name": FieldBox(self.new_name),
                          "organisation": FieldBox(self.new_organisation), "phone": FieldBox(self.new_phone)}
        new_grid.addWidget(QLabel(_("Kind")), 0, 0)
        new_grid.addWidget(self.new_boxes["kind"], 0, 1)
        new_grid.addWidget(QLabel(_("Name")), 0, 2)
        new_grid.addWidget(self.new_boxes["name"], 0, 3)
        new_grid.addWidget(QLabel(_("Organisation")), 1, 0)
        new_grid.addWidget(self.new_boxes["organisation"], 1, 1)
        new_grid.addWidget(QLabel(_("Phone")), 1, 2)
        new_grid.addWidget(self.new_boxes["phone"], 1, 3)
        new_grid.addWidget(self.create_button, 1, 4)
        new_grid.setColumnStretch(3, 1)
        self.new_problem = problem_label()
        new_grid.addWidget(self.new_problem, 2, 0, 1, 5)
        self.new_box.hide()
        self.new_sponsor_button.toggled.connect(self.new_box.setVisible)
        layout.addWidget(self.assign_box)
        layout.addWidget(self.new_box)

        # history
        layout.addWidget(QLabel(_("Sponsors of this household")))
        self.history_table = tab_table([_("Sponsor"), _("From"), _("To"), _("Notes")])
        self.history_table.setMaximumHeight(130)
        layout.addWidget(self.history_table)

        # visits
        self.visit_box = QGroupBox(_("Record a visit"))
        vgrid = QGridLayout(self.visit_box)
        self.visit_date = DateEdit()
        self.visit_date.setValue(today)
        self.visit_notes = QLineEdit()
        self.visit_follow_up = QLineEdit()
        self.visit_next = DateEdit()
        self.visit_button = tab_button(_("Record the visit"), "sponsor")
        self.visit_button.clicked.connect(self._visit_clicked)
        self.visit_boxes = {"visited_on": FieldBox(self.visit_date), "notes": FieldBox(self.visit_notes),
                            "follow_up": FieldBox(self.visit_follow_up),
                            "next_visit_due": FieldBox(self.visit_next)}
        vgrid.addWidget(QLabel(_("Visit date")), 0, 0)
        vgrid.addWidget(self.visit_boxes["visited_on"], 0, 1)
        vgrid.addWidget(QLabel(_("Notes")), 0, 2)
        vgrid.addWidget(self.visit_boxes["notes"], 0, 3)
        vgrid.addWidget(QLabel(_("Next visit due")), 1, 0)
        vgrid.addWidget(self.visit_boxes["next_visit_due"], 1, 1)
        vgrid.addWidget(QLabel(_("Follow-up")), 1, 2)
        vgrid.addWidget(self.visit_boxes["follow_up"], 1, 3)
        vgrid.addWidget(self.visit_button, 1, 4)
        vgrid.setColumnStretch(3, 1)
        self.visit_problem = problem_label()
        vgrid.addWidget(self.visit_problem, 2, 0, 1, 5)
        layout.addWidget(self.visit_box)
        layout.addWidget(QLabel(_("Visits")))
        self.visits_table = tab_table([_("Date"), _("Sponsor"), _("Notes"), _("Follow-up"), _("Next visit due")])
        layout.addWidget(self.visits_table, 1)

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        layout.addWidget(self.hint)
        self.load(None)

    # --- loading -----------------------------------------------------------------------------------
    def load(self, household_uuid: str | None) -> None:
        """Show a household's sponsor and visits; None: a household not saved yet (nothing to show)."""
        self._uuid = household_uuid
        self._fill_sponsors()
        writable = household_uuid is not None and not self._read_only
        for box in (self.assign_box, self.new_box, self.visit_box):
            box.setEnabled(writable)
        self.assign_box.setVisible(not self._read_only)
        self.visit_box.setVisible(not self._read_only)
        if self._read_only:
            self.new_box.hide()
        if household_uuid is None:
            self.current_label.setText(_("Save the household first, then assign a sponsor."))
            fill_table(self.history_table, [])
            fill_table(self.visits_table, [])
            self.hint.setText("")
            return
        self.hint.setText(_("You can only read this household: your account cannot change it.")
                          if self._read_only else "")
        current = self.register.sponsors.current(household_uuid, self.today)
        self.current_label.setText(self._current_text(current))
        history = self.register.sponsors.history(household_uuid)
        fill_table(self.history_table, [(a.sponsor_name, format_date(a.start_on), format_date(a.end_on), a.notes)
                                        for a in reversed(history)])
        visits = self.register.sponsors.visits(household_uuid)
        fill_table(self.visits_table, [(format_date(v.visited_on), v.sponsor_name, v.notes, v.follow_up,
                                        format_date(v.next_visit_due)) for v in visits])

    def _current_text(self, current: AssignmentDTO | None) -> str:
        if current is None:
            return _("No sponsor follows this household yet.")
        try:
            s = self.register.sponsors.get(current.sponsor_uuid)
        except PovcaseError:
            return current.sponsor_name
        lines = [s.name, tr("Kind: {kind}", kind=label(SPONSOR_KIND_LABELS, s.kind))]
        if s.organisation:
            lines.append(tr("Organisation: {organisation}", organisation=s.organisation))
        if s.phone:
            lines.append(tr("Phone: {phone}", phone=s.phone))
        lines.append(tr("Since {date}", date=format_date(current.start_on)))
        return "\n".join(lines)

    def _fill_sponsors(self, select: str | None = None) -> None:
        keep = select or self.sponsor_combo.currentData()
        self.sponsor_combo.blockSignals(True)
        self.sponsor_combo.clear()
        self.sponsor_combo.addItem("", None)
        texts = []
        for s in self.register.sponsors.list():
            text = sponsor_text(s)
            texts.append(text)
            self.sponsor_combo.addItem(text, s.uuid)
        completer = QCompleter(texts, self.sponsor_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.sponsor_combo.setCompleter(completer)
        index = self.sponsor_combo.findData(keep) if keep else 0
        self.sponsor_combo.setCurrentIndex(max(index, 0))
        self.sponsor_combo.blockSignals(False)

    def selected_sponsor(self) -> str | None:
        """The sponsor chosen in the list (also when its text was typed in full)."""
        index = self.sponsor_combo.findText(self.sponsor_combo.currentText())
        data = self.sponsor_combo.itemData(index) if index >= 0 else None
        return str(data) if data else None

    def select_sponsor(self, sponsor_uuid: str) -> None:
        self.sponsor_combo.setCurrentIndex(max(self.sponsor_combo.findData(sponsor_uuid), 0))

    # --- writes ------------------------------------------------------------------------------------
    def _can_write(self) -> bool:
        return not self._read_only and self._uuid is not None

    def create_sponsor(self, kind: str, name: str, organisation: str = "", phone: str = "") -> str | None:
        """Add a sponsor to the commune's list and select it; its uuid, or None when refused."""
        if self._read_only:
            return None
        result = submit_form(
            self, lambda: self.register.sponsors.create(self.actor, SponsorInput(kind, name, organisation, phone)),
            self.new_boxes, self.new_problem)
        if result is None:
            return None
        self.new_name.clear()
        self.new_organisation.setCurrentIndex(0)
        self.new_phone.clear()
        self.new_sponsor_button.setChecked(False)
        self._fill_sponsors(select=result.value.uuid)
        self.saved.emit(result.changes)
        return result.value.uuid

    def _create_clicked(self) -> None:
        self.create_sponsor(self.new_kind.value() or "", self.new_name.text(),
                            self.new_organisation.currentText().strip(), self.new_phone.text().strip())

    def assign(self, sponsor_uuid: str | None, start_on: date | None, notes: str = "") -> bool:
        """Assign a sponsor from `start_on` (ending the current one that day); True when saved."""
        if not self._can_write() or self._uuid is None:
            return False
        problems: dict[str, str] = {}
        other: list[str] = []
        if not sponsor_uuid:
            problems["sponsor"] = _("Choose a sponsor from the list, or add a new one")
        if start_on is None:
            problems["start_on"] = self.assign_start.problem() or _("Required")
        if problems:
            return show_form_problems(self.assign_boxes, self.assign_problem, problems, other)
        assert sponsor_uuid is not None and start_on is not None
        uuid = self._uuid
        result = submit_form(
            self, lambda: self.register.sponsors.assign(self.actor, sponsor_uuid, uuid, start_on, notes),
            self.assign_boxes, self.assign_problem)
        if result is None:
            return False
        self.load(self._uuid)
        self.saved.emit(result.changes)
        return True

    def _assign_clicked(self) -> None:
        self.assign(self.selected_sponsor(), self.assign_start.value())

    def record_visit(self, visited_on: date | None, notes: str = "", follow_up: str = "",
                     next_visit_due: date | None = None) -> bool:
        """Record a visit to the household by its current sponsor; True when saved."""
        if not self._can_write() or self._uuid is None:
            return False
        problems: dict[str, str] = {}
        other: list[str] = []
        if visited_on is None:
            problems["visited_on"] = self.visit_date.problem() or _("Required")
        if (bad := self.visit_next.problem()):
            problems["next_visit_due"] = bad
        if problems:
            return show_form_problems(self.visit_boxes, self.visit_problem, problems, other)
        assert visited_on is not None
        visit = VisitInput(visited_on, notes, follow_up, next_visit_due)
        result = submit_form(
            self, lambda: self.register.sponsors.record_visit(self.actor, self._uuid, visit, today=self.today),
            self.visit_boxes, self.visit_problem)
        if result is None:
            return False
        self.visit_notes.clear()
        self.visit_follow_up.clear()
        self.visit_next.clear()
        self.load(self._uuid)
        self.saved.emit(result.changes)
        return True

    def _visit_clicked(self) -> None:
        self.record_visit(self.visit_date.value(), self.visit_notes.text(), self.visit_follow_up.text(),
                          self.visit_next.value())

    # --- for tests and the editor ------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self._read_only

    def table_rows(self, table: QTableWidget) -> list[list[str]]:
        return [[(table.item(r, c).text() if table.item(r, c) else "") for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    def history_rows(self) -> list[list[str]]:
        """The assignment history as shown, newest first: sponsor, from, to, notes."""
        return self.table_rows(self.history_table)

    def visit_rows(self) -> list[list[str]]:
        """The visits as shown, newest first: date, sponsor, notes, follow-up, next visit due."""
        return self.table_rows(self.visits_table)
