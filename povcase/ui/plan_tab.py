"""The escape-plan tab of the household editor (kế hoạch thoát nghèo).

The tab keeps the plan being edited in memory — header, goals and their actions — and writes it only
when the officer presses Save, through `register.plans.save()`. Goals may be suggested from the
household's deprivations: the officer ticks the suggestions to add, edits them like any goal, and
nothing is written until Save. A save the service refuses keeps every edit and lists each problem
with the goal and action it is about.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povcase.domain.plans import INCOME, ActionStatus, GoalStatus, GoalSuggestion
from povcase.domain.standards import STANDARDS, standard_for
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.i18n import _, current_language, format_date, format_vnd, tr
from povcase.services.base import Actor
from povcase.services.plans import ActionInput, GoalInput, PlanDTO, PlanInput
from povcase.services.register import Register
from povcase.ui.fields import (
    PROBLEM_COLOR,
    PROBLEM_STYLE,
    AmountEdit,
    ChoiceCombo,
    DateEdit,
    FieldBox,
    format_decimal_number,
    label,
    parse_decimal,
)
from povcase.ui.messages import confirm, problem_text, show_error
from povcase.ui.resources import icon

ACTION_STATUS_LABELS: dict[str, str] = {
    ActionStatus.PLANNED: N_("Planned"), ActionStatus.IN_PROGRESS: N_("In progress"),
    ActionStatus.DONE: N_("Done"), ActionStatus.DROPPED: N_("Dropped"),
}
GOAL_STATUS_LABELS: dict[str, str] = {
    GoalStatus.OPEN: N_("Open"), GoalStatus.ACHIEVED: N_("Achieved"), GoalStatus.DROPPED: N_("Dropped"),
}
FIELD_LABELS: dict[str, str] = {
    "text": N_("Text"), "indicator": N_("Linked to"), "target_on": N_("Target date"), "status": N_("Progress"),
    "responsible": N_("Responsible"), "programme_code": N_("Programme"), "amount": N_("Planned amount"),
    "item": N_("Item"), "quantity": N_("Quantity"), "start_on": N_("Start"), "due_on": N_("Due"),
    "drop_reason": N_("Reason for dropping"), "agreed_on": N_("Agreed with the household on"),
    "registered_escape_on": N_("Registered to escape (Mẫu số 04) on"), "notes": N_("Notes"),
}
_PATH = re.compile(r"^goals\[(\d+)\]\.(?:actions\[(\d+)\]\.)?(\w+)$")
PROBLEM_ROW_COLOR = "#fdecea"


def indicator_text(code: str) -> str:
    """An indicator (or income) as the officer reads it."""
    if code == INCOME:
        return _("Income")
    vi = current_language() == "vi"
    for std in STANDARDS.values():
        for ind in std.indicators:
            if ind.code == code:
                return ind.label_vi if vi else ind.label_en
    return code


def problem_location(path: str) -> tuple[int | None, int | None, str]:
    """"goals[0].actions[1].due_on" → (0, 1, "due_on"); a header field → (None, None, field)."""
    m = _PATH.match(path)
    if not m:
        return None, None, path
    return int(m.group(1)), (int(m.group(2)) if m.group(2) is not None else None), m.group(3)


def _button(text: str, icon_name: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.setDefault(False)
    if icon_name:
        button.setIcon(icon(icon_name))
    return button


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    # One line per row, long texts elided (the full text is in the row's dialog): in the editor's
    # limited height wrapped programme names made rows taller than the table.
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    return table


# --- dialogs ---------------------------------------------------------------------------------------
class GoalDialog(QDialog):
    """One goal: its text, what it is linked to, the target date and its status."""

    def __init__(self, goal: GoalInput | None, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Goal") if goal else _("New goal"))
        self.setStyleSheet(PROBLEM_STYLE)
        goal = goal or GoalInput(indicator=INCOME, text="")
        self._uuid, self._actions = goal.uuid, goal.actions
        self.text = QLineEdit(goal.text)
        self.text_box = FieldBox(self.text)
        labels = {INCOME: N_("Income")}
        self.indicator = QComboBox()
        self.indicator.addItem(_(labels[INCOME]), INCOME)
        for code in standard_for(today).indicator_codes:
            self.indicator.addItem(indicator_text(code), code)
        if self.indicator.findData(goal.indicator) < 0:
            self.indicator.addItem(indicator_text(goal.indicator), goal.indicator)
        self.indicator.setCurrentIndex(self.indicator.findData(goal.indicator))
        self.target = DateEdit()
        self.target.setValue(goal.target_on)
        self.target_box = FieldBox(self.target)
        self.status = ChoiceCombo(GOAL_STATUS_LABELS)
        self.status.setValue(goal.status)
        form = QFormLayout()
        form.addRow(_("Goal"), self.text_box)
        form.addRow(_("Linked to"), self.indicator)
        form.addRow(_("Target date"), self.target_box)
        form.addRow(_("Progress"), self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def problems(self) -> bool:
        self.text_box.set_problem(None if self.text.text().strip() else _("Required"))
        self.target_box.set_problem(self.target.problem())
        return bool(self.text_box.problem() or self.target_box.problem())

    def accept(self) -> None:
        if not self.problems():
            super().accept()

    def goal(self) -> GoalInput:
        return GoalInput(indicator=str(self.indicator.currentData()), text=self.text.text().strip(),
                         target_on=self.target.value(), status=self.status.value() or GoalStatus.OPEN,
                         actions=self._actions, uuid=self._uuid)


class ActionDialog(QDialog):
    """One action: who does what, with which programme's support, when, and how far it got."""

    def __init__(self, action: ActionInput | None, programmes: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Action") if action else _("New action"))
        self.setStyleSheet(PROBLEM_STYLE)
        action = action or ActionInput(text="")
        self._uuid = action.uuid
        self.text = QLineEdit(action.text)
        self.text_box = FieldBox(self.text)
        self.responsible = QLineEdit(action.responsible)
        self.responsible.setPlaceholderText(_("A person or an organisation"))
        self.programme = QComboBox()
        self.programme.addItem(_("No programme"), None)
        for code, name in programmes:
            self.programme.addItem(name, code)
        if action.programme_code and self.programme.findData(action.programme_code) < 0:
            self.programme.addItem(action.programme_code, action.programme_code)
        self.programme.setCurrentIndex(max(self.programme.findData(action.programme_code), 0)
                                       if action.programme_code else 0)
        self.amount = AmountEdit()
        self.amount.setValue(action.amount)
        self.amount.setMaximumWidth(180)
        self.amount_box = FieldBox(self.amount, [QLabel(_("đồng"))])
        self.item = QLineEdit(action.item)
        self.item.setPlaceholderText(_("or an item in kind, e.g. a breeding cow"))
        self.quantity = QLineEdit(format_decimal_number(action.quantity) if action.quantity is not None else "")
        self.quantity.setMaximumWidth(100)
        self.quantity_box = FieldBox(self.quantity)
        self.start = DateEdit()
        self.start.setValue(action.start_on)
        self.start_box = FieldBox(self.start)
        self.due = DateEdit()
        self.due.setValue(action.due_on)
        self.due_box = FieldBox(self.due)
        self.status = ChoiceCombo(ACTION_STATUS_LABELS)
        self.status.setValue(action.status)
        self.reason = QLineEdit(action.drop_reason)
        self.reason_box = FieldBox(self.reason)
        self.status.currentIndexChanged.connect(self._status_changed)
        form = QFormLayout()
        form.addRow(_("Action"), self.text_box)
        form.addRow(_("Responsible"), self.responsible)
        form.addRow(_("Programme"), self.programme)
        form.addRow(_("Planned amount"), self.amount_box)
        form.addRow(_("Item"), self.item)
        form.addRow(_("Quantity"), self.quantity_box)
        form.addRow(_("Start"), self.start_box)
        form.addRow(_("Due"), self.due_box)
        form.addRow(_("Progress"), self.status)
        form.addRow(_("Reason for dropping"), self.reason_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._status_changed()
        self.resize(620, self.sizeHint().height())

    def _status_changed(self) -> None:
        dropped = self.status.value() == ActionStatus.DROPPED
        self.reason.setEnabled(dropped)
        if dropped:
            self.reason.setPlaceholderText(_("Say why the action is dropped"))
        else:
            self.reason_box.set_problem(None)

    def _quantity(self) -> float | None:
        try:
            return parse_decimal(self.quantity.text())
        except ValueError:
            return None

    def problems(self) -> bool:
        """Check what the dialog can check itself; True when something is wrong (shown under the field)."""
        self.text_box.set_problem(None if self.text.text().strip() else _("Required"))
        self.amount_box.set_problem(self.amount.problem())
        try:
            parse_decimal(self.quantity.text())
            self.quantity_box.set_problem(None)
        except ValueError as e:
            self.quantity_box.set_problem(_(str(e)))
        self.start_box.set_problem(self.start.problem())
        due_problem = self.due.problem()
        start, due = self.start.value(), self.due.value()
        if due_problem is None and start and due and due < start:
            due_problem = _("Cannot be before the start date")
        self.due_box.set_problem(due_problem)
        reason = None
        if self.status.value() == ActionStatus.DROPPED and len(self.reason.text().strip()) < 3:
            reason = _("Say why the action is dropped")
        self.reason_box.set_problem(reason)
        boxes = (self.text_box, self.amount_box, self.quantity_box, self.start_box, self.due_box, self.reason_box)
        return any(b.problem() for b in boxes)

    def accept(self) -> None:
        if not self.problems():
            super().accept()

    def action(self) -> ActionInput:
        status = self.status.value() or ActionStatus.PLANNED
        code = self.programme.currentData()
        return ActionInput(text=self.text.text().strip(), responsible=self.responsible.text().strip(),
                           programme_code=str(code) if code else None, amount=self.amount.value(),
                           item=self.item.text().strip(), quantity=self._quantity(),
                           start_on=self.start.value(), due_on=self.due.value(), status=status,
                           drop_reason=self.reason.text().strip() if status == ActionStatus.DROPPED else "",
                           uuid=self._uuid)


class SuggestionsDialog(QDialog):
    """Goals suggested from the household's deprivations, each with a checkbox: the officer ticks which
    to add to the plan."""

    def __init__(self, suggestions: list[GoalSuggestion], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Suggest from deprivations"))
        layout = QVBoxLayout(self)
        intro = QLabel(_("Tick the goals to add to the plan. You can change them afterwards; "
                         "nothing is saved until you press Save."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for s in suggestions:
            actions = "\n".join("   • " + tr(a.msgid, **a.params) for a in s.actions)
            item = QListWidgetItem(f"{tr(s.msgid, **s.params)}  [{indicator_text(s.indicator)}]\n{actions}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        if not suggestions:
            layout.addWidget(QLabel(_("The household has no deprivation to suggest a goal for.")))
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Add the ticked goals"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def set_checked(self, indices: list[int]) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.CheckState.Checked if i in indices else Qt.CheckState.Unchecked)

    def checked(self) -> list[int]:
        return [i for i in range(self.list.count()) if self.list.item(i).checkState() == Qt.CheckState.Checked]


# --- the tab ---------------------------------------------------------------------------------------
class PlanTab(QWidget):
    """The household's escape plan, edited in memory and saved whole."""

    saved = Signal(object)  # Changes

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.household_uuid: str | None = None
        self._goals: list[GoalInput] = []
        self._dirty = False
        self._loading = False
        self._suggestions: list[GoalSuggestion] | None = None
        self._problems: list[FieldProblem] = []
        self.setStyleSheet(PROBLEM_STYLE)
        self._build()
        self.load(None)

    # building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.empty_label = QLabel(_("Save the household first: its escape plan can be made once it is in "
                                    "the register."))
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        header = QGroupBox(_("Plan"))
        form = QFormLayout(header)
        self.agreed_on = DateEdit()
        self.agreed_box = FieldBox(self.agreed_on)
        self.registered_on = DateEdit()
        self.registered_box = FieldBox(self.registered_on)
        dates = QHBoxLayout()
        dates.addWidget(self.agreed_box)
        dates.addWidget(QLabel(_("Registered to escape (Mẫu số 04) on")))
        dates.addWidget(self.registered_box)
        form.addRow(_("Agreed with the household on"), dates)
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(48)
        form.addRow(_("Notes"), self.notes)
        for w in (self.agreed_on, self.registered_on):
            w.textEdited.connect(self._changed)
        self.notes.textChanged.connect(self._changed)
        body.addWidget(header)

        split = QSplitter(Qt.Orientation.Vertical)
        goals_box = QGroupBox(_("Goals"))
        gl = QVBoxLayout(goals_box)
        self.goals_table = _table([_("Goal"), _("Linked to"), _("Target date"), _("Progress")])
        self.goals_table.itemSelectionChanged.connect(self._goal_selected)
        self.goals_table.doubleClicked.connect(lambda _index: self.edit_selected_goal())
        gl.addWidget(self.goals_table)
        row = QHBoxLayout()
        self.suggest_button = _button(_("Suggest from deprivations"), "plan")
        self.suggest_button.clicked.connect(self.open_suggestions)
        self.add_goal_button = _button(_("Add goal"), "member-add")
        self.add_goal_button.clicked.connect(self.open_goal_dialog)
        self.edit_goal_button = _button(_("Edit goal"), "member-edit")
        self.edit_goal_button.clicked.connect(self.edit_selected_goal)
        self.remove_goal_button = _button(_("Remove goal"), "member-remove")
        self.remove_goal_button.clicked.connect(self.remove_selected_goal)
        for b in (self.suggest_button, self.add_goal_button, self.edit_goal_button, self.remove_goal_button):
            row.addWidget(b)
        row.addStretch(1)
        gl.addLayout(row)
        split.addWidget(goals_box)

        actions_box = QGroupBox(_("Actions for the selected goal"))
        al = QVBoxLayout(actions_box)
        self.actions_table = _table([_("Action"), _("Responsible"), _("Programme"), _("Planned support"),
                                     _("Start"), _("Due"), _("Progress")])
        for column, width in ((1, 170), (2, 200), (3, 120)):
            self.actions_table.setColumnWidth(column, width)
        self.actions_table.doubleClicked.connect(lambda _index: self.edit_selected_action())
        al.addWidget(self.actions_table)
        row = QHBoxLayout()
        self.add_action_button = _button(_("Add action"), "member-add")
        self.add_action_button.clicked.connect(self.open_action_dialog)
        self.edit_action_button = _button(_("Edit action"), "member-edit")
        self.edit_action_button.clicked.connect(self.edit_selected_action)
        self.remove_action_button = _button(_("Remove action"), "member-remove")
        self.remove_action_button.clicked.connect(self.remove_selected_action)
        for b in (self.add_action_button, self.edit_action_button, self.remove_action_button):
            row.addWidget(b)
        row.addStretch(1)
        al.addLayout(row)
        split.addWidget(actions_box)
        body.addWidget(split, 1)

        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemMessage")
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"color: {PROBLEM_COLOR};")
        self.problem_label.hide()
        body.addWidget(self.problem_label)
        bottom = QHBoxLayout()
        self.read_only_label = QLabel(_("You can read this plan; only an officer can change it."))
        bottom.addWidget(self.read_only_label)
        bottom.addStretch(1)
        self.save_button = _button(_("Save plan"), "save")
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.save_button)
        body.addLayout(bottom)
        layout.addWidget(self.body, 1)

    # loading
    def load(self, household_uuid: str | None) -> None:
        """Show the household's plan (an empty one if it has none); None: the household is not saved yet."""
        self.household_uuid = household_uuid
        self._suggestions = None
        plan = self.register.plans.get(household_uuid) if household_uuid else None
        self._set_plan(plan)
        self.empty_label.setVisible(household_uuid is None)
        self.body.setEnabled(household_uuid is not None)
        self.body.setVisible(household_uuid is not None)

    def _set_plan(self, plan: PlanDTO | None) -> None:
        self._loading = True
        try:
            self.agreed_on.setValue(plan.agreed_on if plan else None)
            self.registered_on.setValue(plan.registered_escape_on if plan else None)
            self.notes.setPlainText(plan.notes if plan else "")
            self._goals = [GoalInput(g.indicator, g.text, g.target_on, g.status,
                                     tuple(ActionInput(a.text, a.responsible, a.programme_code, a.amount, a.item,
                                                       a.quantity, a.start_on, a.due_on, a.status, a.drop_reason,
                                                       a.uuid) for a in g.actions), g.uuid)
                           for g in (plan.goals if plan else ())]
        finally:
            self._loading = False
        self._dirty = False
        self._set_problems([])
        self._refresh_goals(0 if self._goals else None)
        self._update_buttons()

    # state
    @property
    def read_only(self) -> bool:
        return not self.actor.can_write

    def is_dirty(self) -> bool:
        return self._dirty

    def goals_count(self) -> int:
        return len(self._goals)

    def goals(self) -> list[GoalInput]:
        return list(self._goals)

    def problems(self) -> list[str]:
        """The problems shown after the last refused save, as the officer reads them."""
        return [t for t in self.problem_label.text().split("\n") if t]

    def _changed(self) -> None:
        if not self._loading:
            self._dirty = True

    def _update_buttons(self) -> None:
        writable = not self.read_only and self.household_uuid is not None
        goal = self.selected_goal()
        for w in (self.agreed_on, self.registered_on):
            w.setReadOnly(not writable)
        self.notes.setReadOnly(not writable)
        self.suggest_button.setEnabled(writable)
        self.add_goal_button.setEnabled(writable)
        self.edit_goal_button.setEnabled(writable and goal is not None)
        self.remove_goal_button.setEnabled(writable and goal is not None)
        self.add_action_button.setEnabled(writable and goal is not None)
        has_action = goal is not None and self.selected_action() is not None
        self.edit_action_button.setEnabled(writable and has_action)
        self.remove_action_button.setEnabled(writable and has_action)
        self.save_button.setEnabled(writable)
        self.save_button.setVisible(not self.read_only)
        self.read_only_label.setVisible(self.read_only)

    # tables
    def selected_goal(self) -> int | None:
        rows = self.goals_table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def selected_action(self) -> int | None:
        rows = self.actions_table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_goal(self, index: int) -> None:
        self.goals_table.selectRow(index)

    def _programme_names(self) -> list[tuple[str, str]]:
        vi = current_language() == "vi"
        return [(p.code, (p.name_vi if vi else p.name_en) or p.name_vi) for p in self.register.support.programmes()]

    def _programme_label(self, code: str | None) -> str:
        if not code:
            return ""
        return dict(self._programme_names()).get(code, code)

    def _problem_rows(self) -> tuple[set[int], set[tuple[int, int]]]:
        goals, actions = set(), set()
        for p in self._problems:
            g, a, _field = problem_location(p.field)
            if g is not None and a is None:
                goals.add(g)
            if g is not None and a is not None:
                actions.add((g, a))
                goals.add(g)
        return goals, actions

    def _refresh_goals(self, select: int | None = None) -> None:
        bad_goals, _bad = self._problem_rows()
        self.goals_table.setRowCount(len(self._goals))
        for row, g in enumerate(self._goals):
            texts = (g.text, indicator_text(g.indicator), format_date(g.target_on), label(GOAL_STATUS_LABELS, g.status))
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if row in bad_goals:
                    item.setBackground(QBrush(QColor(PROBLEM_ROW_COLOR)))
                self.goals_table.setItem(row, col, item)
        self.goals_table.resizeRowsToContents()
        if select is not None and 0 <= select < len(self._goals):
            self.goals_table.selectRow(select)
        else:
            self.goals_table.clearSelection()
        self._refresh_actions()

    def _goal_selected(self) -> None:
        self._refresh_actions()
        self._update_buttons()

    def _refresh_actions(self, select: int | None = None) -> None:
        g = self.selected_goal()
        actions = self._goals[g].actions if g is not None else ()
        _goals, bad = self._problem_rows()
        self.actions_table.setRowCount(len(actions))
        for row, a in enumerate(actions):
            if a.amount is not None:
                support = format_vnd(a.amount)
            elif a.item:
                qty = format_decimal_number(a.quantity) if a.quantity is not None else ""
                support = f"{a.item} × {qty}" if qty else a.item
            else:
                support = ""
            status = label(ACTION_STATUS_LABELS, a.status)
            if a.status == ActionStatus.DROPPED and a.drop_reason:
                status = f"{status}: {a.drop_reason}"
            texts = (a.text, a.responsible, self._programme_label(a.programme_code), support,
                     format_date(a.start_on), format_date(a.due_on), status)
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if (g, row) in bad:
                    item.setBackground(QBrush(QColor(PROBLEM_ROW_COLOR)))
                self.actions_table.setItem(row, col, item)
        self.actions_table.resizeRowsToContents()
        if select is not None and 0 <= select < len(actions):
            self.actions_table.selectRow(select)
        self._update_buttons()

    # the model-level API (the dialogs and the tests use it)
    def add_goal(self, goal: GoalInput) -> int:
        self._goals.append(goal)
        self._dirty = True
        self._refresh_goals(len(self._goals) - 1)
        return len(self._goals) - 1

    def set_goal(self, index: int, goal: GoalInput) -> None:
        self._goals[index] = replace(goal, actions=self._goals[index].actions, uuid=self._goals[index].uuid)
        self._dirty = True
        self._refresh_goals(index)

    def remove_goal(self, index: int) -> None:
        del self._goals[index]
        self._dirty = True
        self._refresh_goals(min(index, len(self._goals) - 1) if self._goals else None)

    def add_action(self, goal_index: int, action: ActionInput) -> int:
        g = self._goals[goal_index]
        self._goals[goal_index] = replace(g, actions=(*g.actions, action))
        self._dirty = True
        self._refresh_goals(goal_index)
        self._refresh_actions(len(g.actions))
        return len(g.actions)

    def set_action(self, goal_index: int, action_index: int, action: ActionInput) -> None:
        g = self._goals[goal_index]
        actions = list(g.actions)
        actions[action_index] = replace(action, uuid=actions[action_index].uuid)
        self._goals[goal_index] = replace(g, actions=tuple(actions))
        self._dirty = True
        self._refresh_goals(goal_index)
        self._refresh_actions(action_index)

    def remove_action(self, goal_index: int, action_index: int) -> None:
        g = self._goals[goal_index]
        self._goals[goal_index] = replace(g, actions=tuple(a for i, a in enumerate(g.actions) if i != action_index))
        self._dirty = True
        self._refresh_goals(goal_index)

    # suggestions
    def suggestions(self) -> list[GoalSuggestion]:
        """Goals suggested from the household's current deprivations (computed, never written)."""
        if self.household_uuid is None:
            return []
        if self._suggestions is None:
            self._suggestions = self.register.plans.suggestions(self.household_uuid, self.today)
        return self._suggestions

    def add_suggestions(self, indices: list[int]) -> None:
        """Add the chosen suggestions as goals with their actions, to edit and then save."""
        suggestions = self.suggestions()
        for i in indices:
            s = suggestions[i]
            actions = tuple(ActionInput(text=tr(a.msgid, **a.params), programme_code=a.programme_code,
                                        start_on=self.today) for a in s.actions)
            self._goals.append(GoalInput(indicator=s.indicator, text=tr(s.msgid, **s.params), actions=actions))
        if indices:
            self._dirty = True
            self._refresh_goals(len(self._goals) - 1)

    def suggestions_dialog(self) -> SuggestionsDialog:
        return SuggestionsDialog(self.suggestions(), self)

    def open_suggestions(self) -> None:
        try:
            dialog = self.suggestions_dialog()
        except PovcaseError as e:
            show_error(self, e)
            return
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_suggestions(dialog.checked())

    # dialogs
    def goal_dialog(self, index: int | None = None) -> GoalDialog:
        return GoalDialog(self._goals[index] if index is not None else None, self.today, self)

    def open_goal_dialog(self, index: int | None = None) -> None:
        dialog = self.goal_dialog(index if isinstance(index, int) and not isinstance(index, bool) else None)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if isinstance(index, int) and not isinstance(index, bool):
            self.set_goal(index, dialog.goal())
        else:
            self.add_goal(dialog.goal())

    def edit_selected_goal(self) -> None:
        g = self.selected_goal()
        if g is not None and not self.read_only:
            self.open_goal_dialog(g)

    def remove_selected_goal(self) -> bool:
        g = self.selected_goal()
        if g is None or self.read_only:
            return False
        if not confirm(self, tr("Remove the goal \"{goal}\" and its actions from the plan?",
                                goal=self._goals[g].text)):
            return False
        self.remove_goal(g)
        return True

    def action_dialog(self, goal_index: int, action_index: int | None = None) -> ActionDialog:
        action = self._goals[goal_index].actions[action_index] if action_index is not None else None
        return ActionDialog(action, self._programme_names(), self)

    def open_action_dialog(self, action_index: int | None = None) -> None:
        g = self.selected_goal()
        if g is None:
            return
        index = action_index if isinstance(action_index, int) and not isinstance(action_index, bool) else None
        dialog = self.action_dialog(g, index)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if index is None:
            self.add_action(g, dialog.action())
        else:
            self.set_action(g, index, dialog.action())

    def edit_selected_action(self) -> None:
        a = self.selected_action()
        if a is not None and not self.read_only:
            self.open_action_dialog(a)

    def remove_selected_action(self) -> bool:
        g, a = self.selected_goal(), self.selected_action()
        if g is None or a is None or self.read_only:
            return False
        if not confirm(self, tr("Remove the action \"{action}\" from the plan?",
                                action=self._goals[g].actions[a].text)):
            return False
        self.remove_action(g, a)
        return True

    # saving
    def plan_input(self) -> PlanInput:
        return PlanInput(agreed_on=self.agreed_on.value(), registered_escape_on=self.registered_on.value(),
                         notes=self.notes.toPlainText().strip(), goals=tuple(self._goals))

    def _describe(self, p: FieldProblem) -> str:
        g, a, name = problem_location(p.field)
        what = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name
        if g is None:
            where = what
        elif a is None:
            where = tr("Goal {goal}, {field}", goal=g + 1, field=what)
        else:
            where = tr("Goal {goal}, action {action}, {field}", goal=g + 1, action=a + 1, field=what)
        return f"{where}: {problem_text(p)}"

    def _set_problems(self, problems: list[FieldProblem]) -> None:
        self._problems = problems
        header = {"agreed_on": self.agreed_box, "registered_escape_on": self.registered_box}
        for name, box in header.items():
            box.set_problem(next((problem_text(p) for p in problems if p.field == name), None))
        lines = [self._describe(p) for p in problems if p.field not in header]
        self.problem_label.setText("\n".join(lines))
        self.problem_label.setVisible(bool(lines))

    def save(self) -> bool:
        """Save the whole plan; on a refusal show the problems and keep every edit."""
        if self.household_uuid is None or self.read_only:
            return False
        if self.agreed_on.problem() or self.registered_on.problem():
            self._set_problems([])
            self.agreed_box.set_problem(self.agreed_on.problem())
            self.registered_box.set_problem(self.registered_on.problem())
            return False
        selected = self.selected_goal()
        try:
            result = self.register.plans.save(self.actor, self.household_uuid, self.plan_input(), self.today)
        except ValidationError as e:
            self._set_problems(list(e.problems))
            self._refresh_goals(self._first_problem_goal(e.problems, selected))
            return False
        except PovcaseError as e:
            show_error(self, e)
            return False
        self._set_plan(result.value)
        if selected is not None and selected < len(self._goals):
            self._refresh_goals(selected)
        self.saved.emit(result.changes)
        return True

    @staticmethod
    def _first_problem_goal(problems: list[FieldProblem], fallback: int | None) -> int | None:
        for p in problems:
            g, _a, _name = problem_location(p.field)
            if g is not None:
                return g
        return fallback
