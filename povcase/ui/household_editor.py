"""The household editor: facts, members, housing, the deprivation profile and the review history.

Everything goes through `register.households`: `check()` for the inline messages, `profile()` and
`preview()` for the live result, `create()`/`update()` to save and `assess()` to record a review. The
form keeps the officer's edits until they are saved or the officer says to drop them: closing a changed
editor asks Save / Don't save / Cancel, and a save refused by the service (someone else saved first,
or a code already taken) leaves every edit in place.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povcase import APP_TITLE
from povcase.domain.deprivation import IndicatorResult, Override, Source
from povcase.domain.facts import HousingFacts, HousingQuality
from povcase.domain.standards import (
    CLASSIFICATION_LABELS,
    STANDARDS,
    Area,
    Classification,
    Standard,
    standard_for,
)
from povcase.errors import N_, ConflictError, FieldProblem, PovcaseError, ValidationError
from povcase.i18n import _, current_language, format_date, format_vnd, ngettext, tr
from povcase.services.base import Actor
from povcase.services.dto import AssessmentDTO, AssessmentInput, HouseholdDTO, HouseholdInput, MemberInput
from povcase.services.register import Register
from povcase.ui.fields import (
    AREA_LABELS,
    EMPLOYMENT_SHORT_LABELS,
    HOUSING_QUALITY_LABELS,
    PROBLEM_COLOR,
    PROBLEM_STYLE,
    QUALIFICATION_LABELS,
    RELATION_LABELS,
    SEX_LABELS,
    AmountEdit,
    AreaEdit,
    ChoiceCombo,
    DateEdit,
    EthnicityCombo,
    FieldBox,
    ScoreEdit,
    YesNoField,
    format_decimal_number,
    label,
    problem_label,
)
from povcase.ui.member_dialog import MemberDialog
from povcase.ui.messages import confirm, error_text, problem_text, show_error
from povcase.ui.plan_tab import PlanTab
from povcase.ui.print_screens import print_button
from povcase.ui.resources import icon
from povcase.ui.sponsor_tab import SponsorTab
from povcase.ui.support_tab import SupportTab

DEBOUNCE_MS = 150
TAB_HOUSEHOLD, TAB_MEMBERS, TAB_HOUSING, TAB_DEPRIVATION, TAB_HISTORY = range(5)

MEMBER_FIELD_LABELS: dict[str, str] = {
    "full_name": N_("Full name"), "relation": N_("Relation to the head"), "sex": N_("Sex"),
    "birth_date": N_("Birth date"), "id_number": N_("ID number (CCCD)"), "ethnicity": N_("Ethnicity"),
    "in_school": N_("School"), "qualification": N_("Highest qualification"), "employment": N_("Work"),
    "has_health_insurance": N_("Health insurance card"),
    "stunted_or_underweight": N_("Stunted or underweight (children under 16)"), "notes": N_("Notes"),
}
SOURCE_LABELS: dict[str, str] = {
    Source.DERIVED: N_("From the facts"), Source.EXPLICIT: N_("From the survey form"),
    Source.OVERRIDE: N_("Set by the officer"), Source.UNKNOWN: N_("Needs facts"),
}
ROW_COLORS: dict[str, str] = {"deprived": "#fdecea", "unknown": "#fff6db", "override": "#e7effc"}
RESULT_COLORS: dict[Classification, str] = {
    Classification.POOR: "#b3261e", Classification.NEAR_POOR: "#a15c00",
    Classification.MIDDLE: "#1f5f8b", Classification.NOT_POOR: "#2e6b30",
}


# --- small helpers ---------------------------------------------------------------------------------
def _lang_index() -> int:
    return 0 if current_language() == "vi" else 1


def standard_label(code: str) -> str:
    return code.replace("-", "–")


def classification_label(value: str | Classification) -> str:
    try:
        return CLASSIFICATION_LABELS[Classification(value)][_lang_index()]
    except ValueError:
        return str(value)


def indicator_label(standard: Standard, code: str) -> str:
    try:
        ind = standard.indicator(code)
    except KeyError:
        return code
    return ind.label_vi if current_language() == "vi" else ind.label_en


def dimension_label(standard: Standard, code: str) -> str:
    try:
        dim = standard.indicator(code).dimension
    except KeyError:
        return ""
    return dim.label_vi if current_language() == "vi" else dim.label_en


def reason_text(result: IndicatorResult) -> str:
    return tr(result.reason.msgid, **result.reason.params)


def _button(text: str, icon_name: str | None = None, tip: str | None = None) -> QPushButton:
    """A push button that Enter in a text field never presses by accident."""
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.setDefault(False)
    if icon_name:
        button.setIcon(icon(icon_name))
    if tip:
        button.setToolTip(tip)
    return button


def _hint(text: str = "") -> QLabel:
    hint = QLabel(text)
    hint.setWordWrap(True)
    hint.setStyleSheet("color: #555;")
    return hint


def ask_override_reason(parent: QWidget, indicator: str, deprived: bool, current: str = "") -> str | None:
    """Ask why the officer sets an indicator themselves; None when they cancel. A reason is required."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(_("Set the indicator yourself"))
    layout = QVBoxLayout(dialog)
    question = (tr("You mark “{indicator}” as deprived.", indicator=indicator) if deprived
                else tr("You mark “{indicator}” as not deprived.", indicator=indicator))
    text = QLabel(question + "\n" + _("Write the reason, so the next reviewer can check it "
                                      "(for example: what you saw on the visit)."))
    text.setWordWrap(True)
    layout.addWidget(text)
    edit = QLineEdit(current)
    edit.setMinimumWidth(460)
    layout.addWidget(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(_("OK"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
    ok.setEnabled(len(current.strip()) >= 3)
    edit.textChanged.connect(lambda t: ok.setEnabled(len(t.strip()) >= 3))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return edit.text().strip()


# --- the member table ------------------------------------------------------------------------------
class MemberTableModel(QAbstractTableModel):
    """The household's members as the editor holds them (unsaved edits included)."""

    COLUMNS = (N_("Full name"), N_("Relation"), N_("Sex"), N_("Birth date"), N_("Age"), N_("ID number (CCCD)"),
               N_("Ethnicity"), N_("School"), N_("Work"), N_("Health insurance"), N_("Other"))

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.members: list[MemberInput] = []
        self.problems: dict[int, list[str]] = {}

    def set_members(self, members: list[MemberInput]) -> None:
        self.beginResetModel()
        self.members = list(members)
        self.problems = {}
        self.endResetModel()

    def set_problems(self, problems: dict[int, list[str]]) -> None:
        if problems == self.problems:
            return
        self.problems = problems
        if self.members:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.members) - 1, len(self.COLUMNS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.members)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(self.COLUMNS[section]) if 0 <= section < len(self.COLUMNS) else None
        return str(section + 1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.members):
            return None
        m = self.members[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(m, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = self.problems.get(index.row())
            return "\n".join(problems) if problems else None
        if role == Qt.ItemDataRole.FontRole and m.relation == "head":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and index.row() in self.problems:
            return QBrush(QColor("#fbd9d6"))
        return None

    def _text(self, m: MemberInput, column: int) -> str:
        if column == 0:
            return m.full_name or _("(no name)")
        if column == 1:
            return label(RELATION_LABELS, m.relation)
        if column == 2:
            return label(SEX_LABELS, m.sex)
        if column == 3:
            return format_date(m.birth_date) or "—"
        if column == 4:
            if m.birth_date is None:
                return ""
            on, b = self.today, m.birth_date
            return str(on.year - b.year - ((on.month, on.day) < (b.month, b.day)))
        if column == 5:
            return m.id_number or "—"
        if column == 6:
            return m.ethnicity
        if column == 7:
            if m.in_school:
                return _("Studying")
            return label(QUALIFICATION_LABELS, m.qualification)
        if column == 8:
            return label(EMPLOYMENT_SHORT_LABELS, m.employment)
        if column == 9:
            return {True: _("Yes"), False: _("No"), None: "—"}[m.has_health_insurance]
        if column == 10:
            flags = []
            if not m.able_to_work:
                flags.append(_("Cannot work"))
            if m.disabled:
                flags.append(_("Disability"))
            if m.social_allowance:
                flags.append(_("Social allowance"))
            if m.stunted_or_underweight:
                flags.append(_("Stunted or underweight"))
            return ", ".join(flags)
        return ""


# --- the editor ------------------------------------------------------------------------------------
class HouseholdEditor(QDialog):
    """Edit one household (or enter a new one). Emits `saved` with the services' Changes."""

    saved = Signal(object)

    def __init__(self, register: Register, actor: Actor, household_uuid: str | None = None,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today or date.today()
        self._uuid = household_uuid
        self._dto: HouseholdDTO | None = None
        self._members: list[MemberInput] = []
        self._overrides: dict[str, Override] = {}
        self._baseline: HouseholdInput | None = None
        self._loading = False
        self._dirty = False
        self._problems: list[FieldProblem] = []
        self._other_problems: list[str] = []  # problems no field of the form shows
        self._results: list[IndicatorResult] = []
        self._facts: dict[str, IndicatorResult] = {}
        self._table_standard: str | None = None
        self._history: list[AssessmentDTO] = []
        self._read_only = not actor.can_write

        self.setStyleSheet(PROBLEM_STYLE)
        self.setSizeGripEnabled(True)
        self.setMinimumSize(900, 560)
        screen = (parent.screen() if parent is not None else QApplication.primaryScreen()).availableGeometry()
        self.resize(min(1100, screen.width() - 20), min(700, screen.height() - 40))

        self._refresh_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._refresh_timer.timeout.connect(self.refresh_now)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setStyleSheet("background: #fff3cd; border: 1px solid #e0b252; padding: 6px; color: #5c3d00;")
        self.banner.hide()

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_household_tab(), _("Household"))
        self.tabs.addTab(self._build_members_tab(), _("Members"))
        self.tabs.addTab(self._build_housing_tab(), _("Housing"))
        self.tabs.addTab(self._build_deprivation_tab(), _("Deprivations"))
        self.tabs.addTab(self._build_history_tab(), _("Review history"))
        # Escape plan, sponsor and support: each tab saves on its own through its service.
        self.plan_tab = PlanTab(register, actor, self.today, self)
        self.sponsor_tab = SponsorTab(register, actor, self.today, self)
        self.support_tab = SupportTab(register, actor, self.today, self)
        self.tabs.addTab(self.plan_tab, icon("plan"), _("Escape plan"))
        self.tabs.addTab(self.sponsor_tab, icon("sponsor"), _("Sponsor"))
        self.tabs.addTab(self.support_tab, icon("support"), _("Support received"))
        for tab in (self.plan_tab, self.sponsor_tab, self.support_tab):
            tab.saved.connect(self.saved.emit)
        self._tabs_uuid: str | None = "-"  # which household the three tabs show
        self._tab_names = [_("Household"), _("Members"), _("Housing"), _("Deprivations"), _("Review history"),
                           _("Escape plan"), _("Sponsor"), _("Support received")]
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self._build_bottom())

        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+M"), self, activated=self.open_member_dialog)
        self.member_table.installEventFilter(self)  # Insert, Delete and Enter on the member table

        if household_uuid is None:
            self._load_new()
        else:
            self._load(register.households.get(household_uuid))
            self._load_history()
        if self._read_only:
            self.banner.setText(tr("{name} may read the register but not change it", name=actor.name))
            self.banner.show()
        self.refresh_now()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.member_table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            key = event.key()
            if key == Qt.Key.Key_Insert:
                self.open_member_dialog()
                return True
            if key == Qt.Key.Key_Delete:
                self.remove_selected_member()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_member() is not None:
                self.edit_selected_member()
                return True
        return super().eventFilter(watched, event)

    # --- building the tabs -------------------------------------------------------------------------
    def _build_household_tab(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.hamlet = QComboBox()
        self.hamlet.setPlaceholderText(_("Choose the hamlet"))
        self.hamlet.setMinimumWidth(260)
        self.hamlet.setMaximumWidth(420)
        self.code = QLineEdit()
        self.code.setReadOnly(True)
        self.code.setMaximumWidth(220)
        self.manual_code = QCheckBox(_("Enter the code by hand"))
        self.manual_code.toggled.connect(self._manual_code_toggled)
        self.address = QLineEdit()
        self.address.setMaxLength(250)
        self.area = ChoiceCombo(AREA_LABELS)
        self.area.setMaximumWidth(220)
        self.ethnicity_group = EthnicityCombo()
        self.ethnicity_group.setMaximumWidth(260)
        self.phone = QLineEdit()
        self.phone.setMaximumWidth(220)
        self.phone.setPlaceholderText(_("e.g. 0912 345 678"))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        self.boxes: dict[str, FieldBox] = {
            "hamlet": FieldBox(self.hamlet),
            "code": FieldBox(self.code, [self.manual_code]),
            "address": FieldBox(self.address),
            "area": FieldBox(self.area),
            "ethnicity_group": FieldBox(self.ethnicity_group),
            "phone": FieldBox(self.phone),
            "notes": FieldBox(self.notes),
        }
        form.addRow(self.status_label)
        form.addRow(_("Hamlet"), self.boxes["hamlet"])
        form.addRow(_("Household code"), self.boxes["code"])
        form.addRow(_("Address"), self.boxes["address"])
        form.addRow(_("Area"), self.boxes["area"])
        form.addRow(_("Ethnic group of the household"), self.boxes["ethnicity_group"])
        form.addRow(_("Phone"), self.boxes["phone"])
        form.addRow(_("Notes"), self.boxes["notes"])
        self.hamlet.currentIndexChanged.connect(self._changed)
        self.code.textChanged.connect(self._changed)
        self.address.textChanged.connect(self._changed)
        self.area.currentIndexChanged.connect(self._changed)
        self.ethnicity_group.currentTextChanged.connect(self._changed)
        self.phone.textChanged.connect(self._changed)
        self.notes.textChanged.connect(self._changed)
        return page

    def _build_members_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        bar = QHBoxLayout()
        self.add_member_button = _button(_("Add member"), "member-add", _("Ctrl+M or Insert"))
        self.add_member_button.clicked.connect(lambda: self.open_member_dialog())
        self.edit_member_button = _button(_("Edit member"), "member-edit", _("Enter or double-click"))
        self.edit_member_button.clicked.connect(self.edit_selected_member)
        self.remove_member_button = _button(_("Remove member"), "member-remove", _("Delete"))
        self.remove_member_button.clicked.connect(self.remove_selected_member)
        self.head_label = QLabel()
        self.head_label.setTextFormat(Qt.TextFormat.PlainText)
        for b in (self.add_member_button, self.edit_member_button, self.remove_member_button):
            bar.addWidget(b)
        bar.addSpacing(16)
        bar.addWidget(self.head_label, 1)
        layout.addLayout(bar)
        self.member_model = MemberTableModel(self.today, self)
        self.member_table = QTableView()
        self.member_table.setModel(self.member_model)
        self.member_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.member_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.member_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.member_table.setAlternatingRowColors(True)
        self.member_table.setWordWrap(False)
        header = self.member_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.member_table.doubleClicked.connect(lambda index: self.open_member_dialog(index.row()))
        self.member_table.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.member_table, 1)
        self.members_problem = problem_label()
        layout.addWidget(self.members_problem)
        return page

    def _build_housing_tab(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        self.house_area = AreaEdit()
        self.per_person = _hint()
        self.house_quality = ChoiceCombo(HOUSING_QUALITY_LABELS, none_label=N_("Not recorded"))
        self.house_quality.setMaximumWidth(300)
        self.safe_water = YesNoField()
        self.latrine = YesNoField()
        self.telecom = YesNoField()
        self.devices = YesNoField()
        self.loudspeaker = YesNoField()
        self.waste = YesNoField()
        self.housing_boxes: dict[str, FieldBox] = {
            "housing.area_m2": FieldBox(self.house_area, [QLabel("m²  "), self.per_person]),
            "housing.quality": FieldBox(self.house_quality),
            "housing.safe_water": FieldBox(self.safe_water),
            "housing.hygienic_latrine": FieldBox(self.latrine),
            "housing.uses_telecom": FieldBox(self.telecom),
            "housing.has_information_device": FieldBox(self.devices),
            "housing.hears_loudspeaker": FieldBox(self.loudspeaker),
            "housing.waste_treated": FieldBox(self.waste),
        }
        only_2022 = " " + tr("(standard {period})", period=standard_label("2022-2026"))
        only_2027 = " " + tr("(standard {period})", period=standard_label("2027-2030"))
        form.addRow(_("Living area"), self.housing_boxes["housing.area_m2"])
        form.addRow(_("Quality of the house"), self.housing_boxes["housing.quality"])
        form.addRow(_("Safe domestic water"), self.housing_boxes["housing.safe_water"])
        form.addRow(_("Hygienic latrine"), self.housing_boxes["housing.hygienic_latrine"])
        form.addRow(_("A member uses telephone or internet services"), self.housing_boxes["housing.uses_telecom"])
        form.addRow(_("Has a TV, radio, computer or phone") + only_2022,
                    self.housing_boxes["housing.has_information_device"])
        form.addRow(_("Can hear the village loudspeaker") + only_2022,
                    self.housing_boxes["housing.hears_loudspeaker"])
        form.addRow(_("Household waste is collected or treated") + only_2027,
                    self.housing_boxes["housing.waste_treated"])
        self.house_area.textChanged.connect(self._changed)
        self.house_quality.currentIndexChanged.connect(self._changed)
        for field in (self.safe_water, self.latrine, self.telecom, self.devices, self.loudspeaker, self.waste):
            field.changed.connect(self._changed)
        return page

    def _build_deprivation_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_hint(_("The indicators follow from the members and the housing. Tick or untick one to "
                                 "decide it yourself; you will be asked for the reason.")))
        self.indicator_table = QTableWidget(0, 5)
        self.indicator_table.setHorizontalHeaderLabels(
            [_("Indicator"), _("Dimension"), _("Source"), _("Why"), ""])
        self.indicator_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.indicator_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.indicator_table.setWordWrap(True)
        self.indicator_table.verticalHeader().setVisible(False)
        header = self.indicator_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(4, _button(_("Use the facts")).sizeHint().width() + 8)
        self.indicator_table.itemChanged.connect(self._indicator_item_changed)
        header.sectionResized.connect(lambda *_: QTimer.singleShot(0, self.indicator_table.resizeRowsToContents))
        layout.addWidget(self.indicator_table, 1)
        self.overrides_problem = problem_label()
        layout.addWidget(self.overrides_problem)
        return page

    def _build_history_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.record_box = QGroupBox(_("Record a review result"))
        grid = QGridLayout(self.record_box)
        self.record_date = DateEdit()
        self.record_standard = QComboBox()
        for code in STANDARDS:
            self.record_standard.addItem(standard_label(code), code)
        self.record_income = AmountEdit()
        self.record_income.setFixedWidth(130)
        self.record_score_a = ScoreEdit()
        self.record_assessor = QLineEdit(self.actor.name)
        self.record_notes = QLineEdit()
        self.record_button = _button(_("Record the review result"), "assessment")
        self.record_button.clicked.connect(self.record_assessment)
        self.record_boxes: dict[str, FieldBox] = {
            "assessed_on": FieldBox(self.record_date),
            "standard": FieldBox(self.record_standard),
            "income_per_capita": FieldBox(self.record_income, [QLabel(_("đồng/person/month"))]),
            "score_a": FieldBox(self.record_score_a),
            "assessor": FieldBox(self.record_assessor),
            "notes": FieldBox(self.record_notes),
        }
        score_row = QHBoxLayout()
        score_row.setContentsMargins(0, 0, 0, 0)
        score_row.addWidget(self.record_boxes["income_per_capita"])
        score_row.addSpacing(12)
        score_row.addWidget(QLabel(_("or score A")))
        score_row.addWidget(self.record_boxes["score_a"])
        score_row.addStretch(1)
        grid.addWidget(QLabel(_("Review date")), 0, 0)
        grid.addWidget(self.record_boxes["assessed_on"], 0, 1)
        grid.addWidget(QLabel(_("Standard")), 0, 2)
        grid.addWidget(self.record_boxes["standard"], 0, 3)
        grid.addWidget(QLabel(_("Reviewed by")), 0, 4)
        grid.addWidget(self.record_boxes["assessor"], 0, 5)
        grid.addWidget(QLabel(_("Income per person")), 1, 0)
        grid.addLayout(score_row, 1, 1, 1, 3)
        grid.addWidget(QLabel(_("Notes")), 1, 4)
        grid.addWidget(self.record_boxes["notes"], 1, 5)
        grid.addWidget(self.record_button, 1, 6)
        grid.setColumnStretch(5, 1)
        self.record_problem = problem_label()
        grid.addWidget(self.record_problem, 2, 0, 1, 7)
        self.round_hint = _hint()  # says when the result goes to the open annual review, not to the status
        self.round_hint.hide()
        grid.addWidget(self.round_hint, 3, 0, 1, 7)
        self.record_date.textChanged.connect(self._record_date_changed)
        layout.addWidget(self.record_box)
        self.history_hint = _hint()
        layout.addWidget(self.history_hint)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.timeline = QTreeWidget()
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        self.timeline.setHeaderLabels([_("Date"), _("Standard"), _("Result"), _("Score B"), _("Deprived"),
                                       _("Reviewed by")])
        self.timeline.currentItemChanged.connect(self._timeline_selected)
        splitter.addWidget(self.timeline)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.detail_heading = QLabel()
        self.detail_heading.setWordWrap(True)
        self.detail_heading.setTextFormat(Qt.TextFormat.PlainText)
        detail_layout.addWidget(self.detail_heading)
        self.detail_table = QTableWidget(0, 3)
        self.detail_table.setHorizontalHeaderLabels([_("Indicator"), _("Deprived"), _("Why")])
        self.detail_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.detail_table.verticalHeader().setVisible(False)
        self.detail_table.setWordWrap(True)
        dh = self.detail_table.horizontalHeader()
        dh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        dh.resizeSection(0, 190)
        dh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        dh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        dh.sectionResized.connect(lambda *_: QTimer.singleShot(0, self.detail_table.resizeRowsToContents))
        detail_layout.addWidget(self.detail_table, 1)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 9)
        splitter.setStretchFactor(1, 11)
        splitter.setSizes([470, 590])
        layout.addWidget(splitter, 1)
        return page

    def _build_bottom(self) -> QWidget:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        row = QHBoxLayout()
        self.standard = QComboBox()
        in_force = standard_for(self.today).code
        for code in STANDARDS:
            text = standard_label(code)
            if code == in_force:
                text = tr("{period} (in force)", period=text)
            self.standard.addItem(text, code)
        self.standard.setCurrentIndex(self.standard.findData(in_force))
        self.standard.currentIndexChanged.connect(self.refresh_now)
        self.income = AmountEdit()
        self.income.setFixedWidth(120)
        self.income.setPlaceholderText(_("đồng"))
        self.score_a = ScoreEdit()
        self.score_a.setFixedWidth(64)
        self.thresholds_hint = _hint()
        row.addWidget(QLabel(_("Standard")))
        row.addWidget(self.standard)
        row.addSpacing(12)
        row.addWidget(QLabel(_("Income per person per month")))
        row.addWidget(self.income)
        row.addWidget(QLabel(_("or score A")))
        row.addWidget(self.score_a)
        row.addSpacing(8)
        row.addWidget(self.thresholds_hint, 1)
        layout.addLayout(row)
        self.income.textChanged.connect(self._preview_inputs_changed)
        self.score_a.textChanged.connect(self._preview_inputs_changed)

        self.result_line = QLabel()
        self.result_line.setTextFormat(Qt.TextFormat.PlainText)
        self.result_line.setWordWrap(True)
        font = self.result_line.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.result_line.setFont(font)
        layout.addWidget(self.result_line)

        actions = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        actions.addWidget(self.summary, 1)
        self.save_button = _button(_("Save"), "save", _("Ctrl+S"))
        self.save_button.clicked.connect(self.save)
        self.close_button = _button(_("Close"), "cancel", _("Esc"))
        self.close_button.clicked.connect(self.reject)
        actions.addWidget(print_button(self))
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        layout.addLayout(actions)
        return frame

    # --- loading -----------------------------------------------------------------------------------
    def _fill_hamlets(self, commune_code: str | None) -> None:
        self.hamlet.blockSignals(True)
        self.hamlet.clear()
        for h in self.register.communes.hamlets(commune_code):
            self.hamlet.addItem(h.name, h.uuid)
        self.hamlet.setCurrentIndex(-1)
        self.hamlet.blockSignals(False)

    def _load_new(self) -> None:
        self._loading = True
        commune = self.register.communes.local_commune()
        self._fill_hamlets(commune.code if commune else None)
        if self.hamlet.count() == 1:
            self.hamlet.setCurrentIndex(0)
        self.code.clear()
        self.code.setPlaceholderText(_("Given when saved"))
        self.area.setValue("urban" if commune and commune.name.startswith("Phường") else "rural")
        self.ethnicity_group.setValue("Kinh")
        self._set_members([])
        self._overrides = {}
        self._set_housing(HousingFacts())
        self.status_label.setText(_("A new household. Choose the hamlet, then add the members."))
        self.record_box.setEnabled(False)
        self.history_hint.setText(_("Save the household first; then its reviews can be recorded here."))
        self.history_hint.show()
        self._load_case_tabs(None)
        self._loading = False
        self._baseline = self.current_input()
        self._update_dirty()

    def _load(self, dto: HouseholdDTO) -> None:
        """Show a household as saved; the form's baseline for "changed" becomes this state."""
        self._loading = True
        self._dto = dto
        self._load_case_tabs(dto.uuid)
        self._uuid = dto.uuid
        self._fill_hamlets(dto.commune_code or None)
        index = self.hamlet.findData(dto.hamlet_uuid)
        if index < 0:
            self.hamlet.addItem(dto.hamlet_name, dto.hamlet_uuid)
            index = self.hamlet.count() - 1
        self.hamlet.setCurrentIndex(index)
        self.manual_code.blockSignals(True)
        self.manual_code.setChecked(False)
        self.manual_code.blockSignals(False)
        self.code.setReadOnly(True)
        self.code.setText(dto.code)
        self.address.setText(dto.address)
        self.area.setValue(dto.area)
        self.ethnicity_group.setValue(dto.ethnicity_group)
        self.phone.setText(dto.phone)
        self.notes.setPlainText(dto.notes)
        self._set_members([m.as_input() for m in dto.members])
        self._overrides = dict(dto.overrides)
        self._set_housing(dto.housing)
        self.status_label.setText(self._status_text(dto))
        self._prefill_preview(dto)
        self.record_box.setEnabled(not self._read_only)
        self.history_hint.setText("")
        self.history_hint.hide()
        self._loading = False
        self._baseline = self.current_input()
        self._update_dirty()

    def _prefill_preview(self, dto: HouseholdDTO) -> None:
        """Start the live result from the last review's income or score A, so an assessed household
        opens showing its classification (the preview inputs are not household data, not "changes")."""
        if self.income.value() is not None or self.score_a.value() is not None or not dto.last_assessed_on:
            return
        history = self.register.households.assessments(dto.uuid)
        if not history:
            return
        last = history[0]
        self.income.setValue(last.income_per_capita)
        if last.income_per_capita is None:
            self.score_a.setValue(last.score_a)

    def _status_text(self, dto: HouseholdDTO) -> str:
        if not dto.status:
            return tr("Code {code} · not reviewed yet · revision {revision}", code=dto.code,
                      revision=dto.revision)
        return tr("Code {code} · {status} in {year} (standard {standard}), last reviewed {date} · revision "
                  "{revision}", code=dto.code, status=classification_label(dto.status), year=dto.status_year,
                  standard=standard_label(dto.status_standard or ""), date=format_date(dto.last_assessed_on),
                  revision=dto.revision)

    def _set_housing(self, h: HousingFacts) -> None:
        self.house_area.setValue(h.area_m2)
        self.house_quality.setValue(h.quality.value if isinstance(h.quality, HousingQuality) else h.quality)
        self.safe_water.setValue(h.safe_water)
        self.latrine.setValue(h.hygienic_latrine)
        self.telecom.setValue(h.uses_telecom)
        self.devices.setValue(h.has_information_device)
        self.loudspeaker.setValue(h.hears_loudspeaker)
        self.waste.setValue(h.waste_treated)

    def _set_members(self, members: list[MemberInput]) -> None:
        selected = self.selected_member()
        self._members = list(members)
        self.member_model.set_members(self._members)
        if self._members:
            self.member_table.selectRow(min(selected, len(self._members) - 1) if selected is not None else 0)
        head = next((m.full_name for m in self._members if m.relation == "head"), None)
        self.head_label.setText(tr("Head of household: {name}", name=head) if head
                                else _("No head of household chosen yet"))
        self.tabs.setTabText(TAB_MEMBERS, tr("Members ({n})", n=len(self._members)))
        self._update_buttons()

    # --- the form's value --------------------------------------------------------------------------
    def current_input(self) -> HouseholdInput:
        """What a save would send now (fields that do not parse count as empty)."""
        quality = self.house_quality.value()
        housing = HousingFacts(
            area_m2=self.house_area.value(), quality=HousingQuality(quality) if quality else None,
            safe_water=self.safe_water.value(), hygienic_latrine=self.latrine.value(),
            uses_telecom=self.telecom.value(), has_information_device=self.devices.value(),
            hears_loudspeaker=self.loudspeaker.value(), waste_treated=self.waste.value())
        if self.manual_code.isChecked():
            code = self.code.text().strip() or None
        else:
            code = self._dto.code if self._dto else None
        return HouseholdInput(
            hamlet_uuid=self.hamlet.currentData() or "", members=tuple(self._members),
            address=self.address.text().strip(), area=self.area.value() or "rural",
            ethnicity_group=self.ethnicity_group.value(), phone=self.phone.text().strip(),
            notes=self.notes.toPlainText().strip(), housing=housing, overrides=dict(self._overrides), code=code)

    def standard_code(self) -> str:
        return str(self.standard.currentData())

    def is_dirty(self) -> bool:
        return self._dirty

    def _load_case_tabs(self, uuid: str | None) -> None:
        """Point the plan, sponsor and support tabs at a household — once per household, so a reload
        after saving the household's facts keeps plan edits that are not saved yet."""
        if uuid == self._tabs_uuid:
            return
        self._tabs_uuid = uuid
        for tab in (self.plan_tab, self.sponsor_tab, self.support_tab):
            tab.load(uuid)

    def _update_dirty(self) -> None:
        self._dirty = (self._baseline is not None and self.current_input() != self._baseline) or \
            bool(self.house_area.problem())
        if self._dto is None:
            title = _("New household")
        else:
            head = next((m.full_name for m in self._members if m.relation == "head"), self._dto.head_name)
            title = tr("Household {code} — {head}", code=self._dto.code, head=head)
        self.setWindowTitle(f"{title}[*] — {APP_TITLE}")
        self.setWindowModified(self._dirty)

    # --- reacting to edits -------------------------------------------------------------------------
    def _changed(self) -> None:
        if self._loading:
            return
        self._update_dirty()
        self._update_buttons()
        self._refresh_timer.start()

    def _preview_inputs_changed(self) -> None:
        self._refresh_timer.start()

    def _manual_code_toggled(self, on: bool) -> None:
        self.code.setReadOnly(not on)
        if on:
            self.code.setFocus()
        elif self._dto is not None:
            self.code.setText(self._dto.code)
        else:
            self.code.clear()
        self._changed()

    def refresh_now(self) -> None:
        """Check the form and redraw the profile and the result line (normally 150 ms after an edit)."""
        self._refresh_timer.stop()
        inp = self.current_input()
        problems = self._local_problems() + self.register.households.check(inp, self.today)
        self._problems = problems
        self._show_problems(problems)
        self._update_profile(inp)
        self._update_preview(inp)
        self._update_per_person()
        self._update_buttons()

    def _local_problems(self) -> list[FieldProblem]:
        """What the form knows before the service sees it: text that does not parse, no hamlet."""
        problems = []
        if not self.hamlet.currentData():
            problems.append(FieldProblem("hamlet", N_("Choose the hamlet")))
        if self.manual_code.isChecked() and not self.code.text().strip():
            problems.append(FieldProblem("code", N_("Required")))
        if (bad := self.house_area.problem()):
            problems.append(FieldProblem("housing.area_m2", bad))
        return problems

    def problems(self) -> list[str]:
        """Every problem the form shows now, as text (for tests and the summary)."""
        return [problem_text(p) for p in self._problems]

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(problem_text(p))
        tabs_with_problems: set[int] = set()
        boxes = {**self.boxes, **self.housing_boxes}
        for name, box in boxes.items():
            texts = by_field.pop(name, [])
            box.set_problem("\n".join(texts) or None)
            if texts:
                tabs_with_problems.add(TAB_HOUSING if name.startswith("housing.") else TAB_HOUSEHOLD)
        member_rows: dict[int, list[str]] = {}
        member_lines: list[str] = by_field.pop("members", [])
        override_lines: list[str] = []
        other: list[str] = []
        for field, texts in by_field.items():
            if field.startswith("members["):
                index_text, _sep, attr = field[len("members["):].partition("].")
                try:
                    i = int(index_text)
                except ValueError:
                    other.extend(texts)
                    continue
                name = self._members[i].full_name if 0 <= i < len(self._members) else ""
                field_label = _(MEMBER_FIELD_LABELS.get(attr, attr)) if attr else ""
                for text in texts:
                    member_rows.setdefault(i, []).append(f"{field_label}: {text}" if field_label else text)
                    member_lines.append(tr("Member {n} ({name}) — {field}: {problem}", n=i + 1,
                                           name=name or _("(no name)"), field=field_label, problem=text))
            elif field.startswith("overrides."):
                code = field.split(".", 1)[1]
                std = STANDARDS.get(self.standard_code())
                name = indicator_label(std, code) if std else code
                override_lines.extend(f"{name}: {t}" for t in texts)
            else:
                other.extend(texts)
        self.member_model.set_problems(member_rows)
        if member_lines:
            tabs_with_problems.add(TAB_MEMBERS)
        self.members_problem.setText("\n".join(member_lines))
        self.members_problem.setVisible(bool(member_lines))
        if override_lines:
            tabs_with_problems.add(TAB_DEPRIVATION)
        self.overrides_problem.setText("\n".join(override_lines))
        self.overrides_problem.setVisible(bool(override_lines))
        bar = self.tabs.tabBar()
        for i in range(self.tabs.count()):
            bar.setTabTextColor(i, QColor(PROBLEM_COLOR) if i in tabs_with_problems else QColor())
        self._other_problems = other

    def _update_buttons(self) -> None:
        if not hasattr(self, "save_button"):
            return
        has_problems = bool(self._problems)
        writable = not self._read_only
        self.save_button.setEnabled(writable and not has_problems and (self._dirty or self._dto is None))
        row = self.selected_member()
        self.add_member_button.setEnabled(writable)
        self.edit_member_button.setEnabled(writable and row is not None)
        self.remove_member_button.setEnabled(writable and row is not None)
        self.record_button.setEnabled(writable and self._dto is not None)
        if has_problems:
            n = len(self._problems)
            text = ngettext("{n} problem to fix before saving", "{n} problems to fix before saving", n).format(n=n)
            if self._other_problems:
                text += ": " + "; ".join(self._other_problems)
            self.summary.setStyleSheet(f"color: {PROBLEM_COLOR};")
        elif self._dirty:
            text = _("Changes not saved yet")
            self.summary.setStyleSheet("color: #5c3d00;")
        elif self._dto is not None:
            text = tr("Saved (revision {revision})", revision=self._dto.revision)
            self.summary.setStyleSheet("color: #2e6b30;")
        else:
            text = ""
            self.summary.setStyleSheet("")
        self.summary.setText(text)

    def _update_per_person(self) -> None:
        area = self.house_area.value()
        if area is not None and self._members:
            self.per_person.setText(tr("{per} m² per person", per=format_decimal_number(area / len(self._members))))
        else:
            self.per_person.setText("")

    # --- the deprivation checklist -----------------------------------------------------------------
    def _update_profile(self, inp: HouseholdInput) -> None:
        code = self.standard_code()
        std = STANDARDS[code]
        self._results = self.register.households.profile(inp, self.today, code)
        plain = replace(inp, overrides={})
        self._facts = {r.code: r for r in self.register.households.profile(plain, self.today, code)}
        table = self.indicator_table
        table.blockSignals(True)
        if self._table_standard != code or table.rowCount() != len(self._results):
            table.setRowCount(0)
            table.setRowCount(len(self._results))
            for row, r in enumerate(self._results):
                first = QTableWidgetItem(indicator_label(std, r.code))
                first.setData(Qt.ItemDataRole.UserRole, r.code)
                first.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                table.setItem(row, 0, first)
                for col in (1, 2, 3):
                    item = QTableWidgetItem()
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    table.setItem(row, col, item)
            self._table_standard = code
        for row, r in enumerate(self._results):
            self._fill_indicator_row(std, row, r)
        table.blockSignals(False)
        table.resizeRowsToContents()
        QTimer.singleShot(0, table.resizeRowsToContents)
        n = sum(1 for r in self._results if r.deprived)
        self.tabs.setTabText(TAB_DEPRIVATION, tr("Deprivations ({n}/{total})", n=n, total=len(self._results)))

    def _fill_indicator_row(self, std: Standard, row: int, r: IndicatorResult) -> None:
        table = self.indicator_table
        first = table.item(row, 0)
        first.setData(Qt.ItemDataRole.UserRole, r.code)
        first.setText(indicator_label(std, r.code))
        first.setCheckState(Qt.CheckState.Checked if r.deprived else Qt.CheckState.Unchecked)
        if self._read_only:
            first.setFlags(Qt.ItemFlag.ItemIsEnabled)
        table.item(row, 1).setText(dimension_label(std, r.code))
        table.item(row, 2).setText(_(SOURCE_LABELS[r.source]))
        why = reason_text(r)
        facts = self._facts.get(r.code)
        if r.source is Source.OVERRIDE and facts is not None:
            state = (_("not enough information") if not facts.known
                     else _("deprived") if facts.deprived else _("not deprived"))
            why += "\n" + tr("The facts say: {state} — {reason}", state=state, reason=reason_text(facts))
        table.item(row, 3).setText(why)
        table.item(row, 0).setToolTip(std.indicator(r.code).rule_vi if current_language() == "vi"
                                      else std.indicator(r.code).rule_en)
        color = (ROW_COLORS["override"] if r.source is Source.OVERRIDE
                 else ROW_COLORS["unknown"] if r.source is Source.UNKNOWN
                 else ROW_COLORS["deprived"] if r.deprived else None)
        brush = QBrush(QColor(color)) if color else QBrush()
        for col in range(4):
            table.item(row, col).setBackground(brush)
        # The view shows every cell widget it has, so the button exists only on overridden rows.
        wants_button = r.source is Source.OVERRIDE and not self._read_only
        if wants_button and table.cellWidget(row, 4) is None:
            button = _button(_("Use the facts"), tip=_("Drop your decision; the facts decide again"))
            code = r.code
            button.clicked.connect(lambda _checked=False: QTimer.singleShot(0, lambda: self.clear_override(code)))
            table.setCellWidget(row, 4, button)
        elif not wants_button and table.cellWidget(row, 4) is not None:
            table.removeCellWidget(row, 4)

    def indicator_row(self, code: str) -> int:
        for row in range(self.indicator_table.rowCount()):
            if self.indicator_table.item(row, 0).data(Qt.ItemDataRole.UserRole) == code:
                return row
        raise KeyError(code)

    def _indicator_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or self._read_only:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        wanted = item.checkState() == Qt.CheckState.Checked
        current = next((r for r in self._results if r.code == code), None)
        if current is None or current.deprived == wanted:
            return
        # Decide after the table has finished its own signal: the reason dialog runs an event loop.
        QTimer.singleShot(0, lambda: self.officer_sets(code, wanted))

    def officer_sets(self, code: str, deprived: bool) -> None:
        """The officer ticked or unticked an indicator: back to the facts when they agree, else a reason."""
        facts = self._facts.get(code)
        if code in self._overrides and facts is not None and facts.known and facts.deprived == deprived:
            self.clear_override(code)
            return
        std = STANDARDS[self.standard_code()]
        current = self._overrides.get(code)
        reason = ask_override_reason(self, indicator_label(std, code), deprived, current.reason if current else "")
        if reason is None:
            self.refresh_now()  # puts the tick back where it was
            return
        self.set_override(code, deprived, reason)

    def set_override(self, code: str, deprived: bool, reason: str) -> None:
        self._overrides[code] = Override(deprived, reason.strip())
        self._changed()
        self.refresh_now()

    def clear_override(self, code: str) -> None:
        if self._overrides.pop(code, None) is not None:
            self._changed()
            self.refresh_now()

    # --- the live result ---------------------------------------------------------------------------
    def _update_preview(self, inp: HouseholdInput) -> None:
        code = self.standard_code()
        std = STANDARDS[code]
        try:
            thresholds = std.thresholds.get(Area(inp.area))
        except ValueError:
            thresholds = None
        hint = ""
        if thresholds is not None:
            hint = tr("Income line {amount}", amount=format_vnd(thresholds.income_line))
            if thresholds.score_a_cutoff is not None:
                hint += " · " + tr("score A at most {points}", points=thresholds.score_a_cutoff)
        self.thresholds_hint.setText(hint)

        total = len(self._results)
        n = sum(1 for r in self._results if r.deprived)
        unknown = sum(1 for r in self._results if r.source is Source.UNKNOWN)
        b = n * std.points_per_indicator
        color = "#333"
        income_problem = self.income.problem()
        score_problem = self.score_a.problem()
        income, score_a = self.income.value(), self.score_a.value()
        if income_problem or score_problem:
            text = income_problem or score_problem or ""
            color = PROBLEM_COLOR
        elif income is None and score_a is None:
            text = tr("Deprived in {n}/{total} indicators (score B = {b}) — enter the income per person or "
                      "score A to classify", n=n, total=total, b=b)
        else:
            try:
                result = self.register.households.preview(inp, self.today, code, income, score_a)
            except PovcaseError as e:
                text = error_text(e)
                color = PROBLEM_COLOR
            else:
                assert result is not None
                text = tr("{label} — deprived in {n}/{total} indicators (score B = {b})",
                          label=classification_label(result.classification), n=result.deprivation_count,
                          total=len(result.indicators), b=result.score_b)
                color = RESULT_COLORS.get(result.classification, color)
        if unknown:
            text += " · " + ngettext("{n} indicator lacks information", "{n} indicators lack information",
                                     unknown).format(n=unknown)
        self.result_line.setText(text)
        self.result_line.setStyleSheet(f"color: {color};")

    # --- members -----------------------------------------------------------------------------------
    def selected_member(self) -> int | None:
        if not hasattr(self, "member_table"):
            return None
        rows = self.member_table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _member_problems(self, index: int, member: MemberInput) -> list[FieldProblem]:
        """The service's problems for one member, as if it stood at `index` in the household."""
        members = list(self._members)
        if index < len(members):
            members[index] = member
        else:
            members.append(member)
        inp = replace(self.current_input(), members=tuple(members))
        prefix = f"members[{index}]."
        return [FieldProblem(p.field[len(prefix):], p.msgid, p.params)
                for p in self.register.households.check(inp, self.today) if p.field.startswith(prefix)]

    def open_member_dialog(self, index: int | None = None) -> MemberDialog | None:
        """Open the member dialog (window-modal, not blocking) to add a member or edit one.

        Returns the dialog, so a test can fill it in and accept it.
        """
        if self._read_only:
            return None
        member = self._members[index] if index is not None and 0 <= index < len(self._members) else None
        position = index if member is not None and index is not None else len(self._members)
        # A new member is a child unless the household has no head yet.
        relation = "child" if any(m.relation == "head" for m in self._members) else "head"
        dialog = MemberDialog(member, lambda m: self._member_problems(position, m), self.today, self,
                              new_relation=relation)
        dialog.accepted.connect(lambda: self._member_dialog_accepted(position, dialog.member()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def edit_selected_member(self) -> MemberDialog | None:
        row = self.selected_member()
        return self.open_member_dialog(row) if row is not None else None

    def _member_dialog_accepted(self, index: int, member: MemberInput) -> None:
        if index < len(self._members):
            self.set_member(index, member)
        else:
            self.add_member(member)

    def add_member(self, member: MemberInput) -> None:
        self._set_members([*self._members, member])
        self.member_table.selectRow(len(self._members) - 1)
        self._changed()

    def set_member(self, index: int, member: MemberInput) -> None:
        members = list(self._members)
        members[index] = member
        self._set_members(members)
        self._changed()

    def remove_selected_member(self) -> bool:
        row = self.selected_member()
        return self.remove_member(row) if row is not None else False

    def remove_member(self, index: int) -> bool:
        """Remove a member after the officer confirms; nothing is deleted until the household is saved."""
        if self._read_only or not 0 <= index < len(self._members):
            return False
        m = self._members[index]
        question = tr("Remove {name} from the household?", name=m.full_name or _("(no name)"))
        if m.relation == "head":
            question += "\n" + _("This is the head of household: choose a new head before saving.")
        if m.uuid:
            question += "\n" + _("The person's record is kept in the history; it leaves the household when you "
                                 "save.")
        if not confirm(self, question, _("Remove member")):
            return False
        self._set_members([x for i, x in enumerate(self._members) if i != index])
        self._changed()
        return True

    # --- saving ------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the whole household; True when saved. On any refusal the form keeps every edit."""
        if self._read_only:
            return False
        if self.plan_tab.is_dirty() and not self.plan_tab.save():
            self.tabs.setCurrentWidget(self.plan_tab)
            return False
        self.refresh_now()
        if self._problems:
            self._focus_first_problem()
            return False
        if self._dto is not None and not self._dirty:
            return True
        inp = self.current_input()
        households = self.register.households
        try:
            if self._uuid is None:
                result = households.create(self.actor, inp, self.today)
            else:
                assert self._dto is not None
                result = households.update(self.actor, self._uuid, inp, self._dto.revision, self.today)
        except ConflictError as e:
            self.banner.setText(_("Someone else saved this household after you opened it. Your changes are "
                                  "still here and have not been saved: note them, close without saving, "
                                  "reopen the household and enter them again."))
            self.banner.show()
            show_error(self, e, _("Not saved"))
            return False
        except ValidationError as e:
            self._problems = self._local_problems() + list(e.problems)
            self._show_problems(self._problems)
            self._update_buttons()
            show_error(self, e, _("Not saved"))
            self._focus_first_problem()
            return False
        except PovcaseError as e:
            show_error(self, e, _("Not saved"))
            return False
        self.banner.setVisible(self._read_only)
        self._load(result.value)
        self._load_history()
        self.refresh_now()
        self.saved.emit(result.changes)
        return True

    def _focus_first_problem(self) -> None:
        if not self._problems:
            return
        field = self._problems[0].field
        boxes = {**self.boxes, **self.housing_boxes}
        if field in boxes:
            self.tabs.setCurrentIndex(TAB_HOUSING if field.startswith("housing.") else TAB_HOUSEHOLD)
            boxes[field].field.setFocus()
        elif field.startswith("members"):
            self.tabs.setCurrentIndex(TAB_MEMBERS)
            if field.startswith("members["):
                with contextlib.suppress(ValueError):
                    self.member_table.selectRow(int(field[len("members["):].split("]", 1)[0]))
            self.member_table.setFocus()
        elif field.startswith("overrides."):
            self.tabs.setCurrentIndex(TAB_DEPRIVATION)

    # --- closing -----------------------------------------------------------------------------------
    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Save / Don't save / Cancel for a changed household."""
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle().replace("[*]", ""),
                          _("This household has changes that are not saved. Save them?"),
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(_("If you do not save, the changes are lost."))
        box.button(QMessageBox.StandardButton.Save).setText(_("Save"))
        box.button(QMessageBox.StandardButton.Discard).setText(_("Don't save"))
        box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        return QMessageBox.StandardButton(box.exec())

    def reject(self) -> None:
        """Esc, Close and the window's close button: ask before dropping unsaved changes."""
        if self.is_dirty() or self.plan_tab.is_dirty():
            answer = self.ask_unsaved()
            if answer == QMessageBox.StandardButton.Save:
                if self.save():
                    self.done(QDialog.DialogCode.Accepted)
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    # --- review history ----------------------------------------------------------------------------
    def _load_history(self, select: str | None = None) -> None:
        if self._uuid is None:
            return
        self._history = self.register.households.assessments(self._uuid)
        self.timeline.blockSignals(True)
        self.timeline.clear()
        selected_item = None
        for i, a in enumerate(self._history):
            older = self._history[i + 1] if i + 1 < len(self._history) else None
            result = classification_label(a.classification)
            if older is not None and older.classification != a.classification:
                result = tr("{now} (was {before})", now=result, before=classification_label(older.classification))
            item = QTreeWidgetItem([format_date(a.assessed_on), standard_label(a.standard), result, str(a.score_b),
                                    f"{a.deprivation_count}/{len(a.indicators)}", a.assessor])
            item.setData(0, Qt.ItemDataRole.UserRole, a.uuid)
            item.setForeground(2, QBrush(QColor(RESULT_COLORS.get(Classification(a.classification), "#333"))
                                         if a.classification in set(Classification) else QBrush()))
            self.timeline.addTopLevelItem(item)
            if a.uuid == select or (select is None and i == 0):
                selected_item = item
        for col in range(self.timeline.columnCount()):
            self.timeline.resizeColumnToContents(col)
        self.timeline.blockSignals(False)
        if selected_item is not None:
            self.timeline.setCurrentItem(selected_item)
        else:
            self._show_assessment(None)
        if not self._history:
            self.history_hint.setText(_("No review recorded for this household yet."))
            self.history_hint.show()
        else:
            self.history_hint.setText("")
            self.history_hint.hide()
        self.tabs.setTabText(TAB_HISTORY, tr("Review history ({n})", n=len(self._history)))

    def _timeline_selected(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        uuid = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self._show_assessment(next((a for a in self._history if a.uuid == uuid), None))

    def _show_assessment(self, a: AssessmentDTO | None) -> None:
        self.detail_table.setRowCount(0)
        if a is None:
            self.detail_heading.setText("")
            return
        std = STANDARDS.get(a.standard)
        heading = tr("{date}: {result}, score B = {b}, standard {standard}", date=format_date(a.assessed_on),
                     result=classification_label(a.classification), b=a.score_b,
                     standard=standard_label(a.standard))
        if a.income_per_capita is not None:
            heading += " · " + tr("income {amount} per person", amount=format_vnd(a.income_per_capita))
        if a.score_a is not None:
            heading += " · " + tr("score A = {score}", score=a.score_a)
        if a.notes:
            heading += "\n" + a.notes
        self.detail_heading.setText(heading)
        self.detail_table.setRowCount(len(a.indicators))
        for row, r in enumerate(a.indicators):
            name = indicator_label(std, r.code) if std else r.code
            state = _("Deprived") if r.deprived else (_("Not known") if not r.known else _("No"))
            items = [QTableWidgetItem(name), QTableWidgetItem(state), QTableWidgetItem(reason_text(r))]
            for col, item in enumerate(items):
                if r.deprived:
                    item.setBackground(QBrush(QColor(ROW_COLORS["deprived"])))
                self.detail_table.setItem(row, col, item)
        self.detail_table.resizeRowsToContents()
        QTimer.singleShot(0, self.detail_table.resizeRowsToContents)

    def _round_hint_text(self, day: date | None) -> str:
        """Statuses change only with the chairman's decision: during the year's open annual review a
        recorded result is the household's survey there (a first registration still sets the status)."""
        if day is None or self._dto is None or self._dto.status is None:
            return ""
        rnd = self.register.review.annual_round(day.year)
        if rnd is None or rnd.status != "open" or not rnd.starts_on <= day <= rnd.ends_on:
            app = self.register.review.waiting_application(self._dto.uuid, day)
            if app is None:
                return ""
            return tr("The household's application (Mẫu {form}) of {date} waits for the chairman's decision: this "
                      "result becomes its survey; the status changes only with the decision.", form=app.form,
                      date=format_date(app.received_on))
        entry = self.register.review.entry(rnd.uuid, self._dto.uuid)
        if entry is not None and entry.monthly_decision:
            return tr("Monthly decision {number} of {date} decided this household; the annual review of {year} keeps "
                      "that result. This result stays in the history (the survey of a new application); the status "
                      "does not change.", number=entry.monthly_decision, year=rnd.year,
                      date=format_date(entry.monthly_decided_on) if entry.monthly_decided_on else "")
        return tr("The annual review of {year} is open: this result becomes the household's survey in it; the "
                  "status changes only with the chairman's decision.", year=rnd.year)

    def _record_date_changed(self) -> None:
        day = self.record_date.value()
        text = self._round_hint_text(day)
        self.round_hint.setText(text)
        self.round_hint.setVisible(bool(text))
        if day is not None:
            try:
                code = standard_for(day).code
            except PovcaseError:
                return
            self.record_standard.setCurrentIndex(self.record_standard.findData(code))

    def _tab_changed(self, index: int) -> None:
        if index == TAB_HISTORY and not self.record_income.text() and not self.record_score_a.text():
            # Start from what the officer was previewing with.
            self.record_income.setValue(self.income.value())
            self.record_score_a.setValue(self.score_a.value())
        if index == TAB_HISTORY and not self.record_date.text():
            self.record_date.setValue(self.today)

    def record_assessment(self) -> bool:
        """Record a review from the income or score A and the date; True when it was recorded."""
        if self._read_only or self._uuid is None:
            return False
        if self.is_dirty():
            if not confirm(self, _("The review is worked out from the saved household. Save your changes "
                                   "first?"), _("Record the review result")):
                return False
            if not self.save():
                return False
        problems: dict[str, str] = {}
        if not self.record_date.text().strip():
            problems["assessed_on"] = _("Required")
        elif (bad := self.record_date.problem()):
            problems["assessed_on"] = bad
        for name, field in (("income_per_capita", self.record_income), ("score_a", self.record_score_a)):
            if (bad := field.problem()):
                problems[name] = bad
        if not self.record_income.text().strip() and not self.record_score_a.text().strip():
            problems["income_per_capita"] = _("Enter the income per person, or score A from the survey form")
        other: list[str] = []
        if not problems:
            a = AssessmentInput(assessed_on=self.record_date.value() or self.today,
                                income_per_capita=self.record_income.value(), score_a=self.record_score_a.value(),
                                standard=str(self.record_standard.currentData()),
                                assessor=self.record_assessor.text().strip(), notes=self.record_notes.text().strip())
            try:
                result = self.register.households.assess(self.actor, self._uuid, a, self.today)
            except ValidationError as e:
                for p in e.problems:
                    if p.field in self.record_boxes:
                        problems.setdefault(p.field, problem_text(p))
                    else:
                        other.append(problem_text(p))
            except PovcaseError as e:
                show_error(self, e, _("Not recorded"))
                return False
        for name, box in self.record_boxes.items():
            box.set_problem(problems.get(name))
        self.record_problem.setText("\n".join(other))
        self.record_problem.setVisible(bool(other))
        if problems or other:
            return False
        in_round = self._round_hint_text(result.value.assessed_on) if result.changes.touched("review_entry") else ""
        # A survey of an applicant leaves the status alone too (the monthly review decides).
        waiting = "" if in_round or result.changes.touched("household") else \
            self._round_hint_text(result.value.assessed_on)
        self._load(self.register.households.get(self._uuid))
        self._load_history(select=result.value.uuid)
        if in_round:
            self.history_hint.setText(tr("Recorded as the survey of household {code} in the annual review of {year}; "
                                         "its status stays until the chairman's decision.",
                                         code=self._dto.code if self._dto else "", year=result.value.assessed_on.year))
            self.history_hint.show()
        elif waiting:
            self.history_hint.setText(waiting)
            self.history_hint.show()
        self.record_income.clear()
        self.record_score_a.clear()
        self.record_notes.clear()
        self.refresh_now()
        self.saved.emit(result.changes)
        return True

    # --- for tests and the main window -------------------------------------------------------------
    @property
    def household(self) -> HouseholdDTO | None:
        """The household as last saved (None for a new one not saved yet)."""
        return self._dto

    @property
    def members(self) -> list[MemberInput]:
        return list(self._members)

    @property
    def indicator_results(self) -> list[IndicatorResult]:
        return list(self._results)
