"""One household member: every fact the register keeps about a person, checked as it is typed.

The dialog does not know the rules itself: the household editor hands it a `checker` that puts the
member into the household and asks the service what it would refuse, so the messages here are exactly
the ones a save would give (ID number against birth year and sex, duplicate ID numbers, names).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from povcase.errors import N_, FieldProblem
from povcase.i18n import _
from povcase.services.dto import MemberInput
from povcase.ui.fields import (
    EMPLOYMENT_LABELS,
    PROBLEM_STYLE,
    QUALIFICATION_LABELS,
    RELATION_LABELS,
    SEX_LABELS,
    ChoiceCombo,
    DateEdit,
    EthnicityCombo,
    FieldBox,
    IdNumberEdit,
    YesNoField,
    age_text,
)
from povcase.ui.messages import confirm, problem_text
from povcase.ui.resources import icon


class MemberDialog(QDialog):
    """Add or edit one member. `member()` is what the form holds now; OK only when it is valid."""

    def __init__(self, member: MemberInput | None, checker: Callable[[MemberInput], list[FieldProblem]],
                 today: date, parent: QWidget | None = None, new_relation: str = "child") -> None:
        super().__init__(parent)
        self._checker = checker
        self._today = today
        self._uuid = member.uuid if member else None
        self.setWindowTitle(_("Edit member") if member else _("Add member"))
        self.setStyleSheet(PROBLEM_STYLE)
        self.setMinimumWidth(820)

        self.full_name = QLineEdit()
        self.full_name.setMaxLength(120)
        self.full_name.setPlaceholderText(_("Full name, with diacritics"))
        self.relation = ChoiceCombo(RELATION_LABELS)
        self.sex = ChoiceCombo(SEX_LABELS, none_label=N_("Not recorded"))
        self.birth_date = DateEdit()
        self.age_label = QLabel()
        self.id_number = IdNumberEdit()
        self.ethnicity = EthnicityCombo()
        self.notes = QLineEdit()
        self.in_school = YesNoField(yes=N_("Studying"), no=N_("Not studying"))
        self.qualification = ChoiceCombo(QUALIFICATION_LABELS, none_label=N_("Not recorded"))
        self.employment = ChoiceCombo(EMPLOYMENT_LABELS, none_label=N_("Not recorded"))
        self.able_to_work = QCheckBox(_("Able to work"))
        self.has_health_insurance = YesNoField()
        self.disabled_box = QCheckBox(_("Has a severe disability"))
        self.social_allowance = QCheckBox(_("Receives a monthly social allowance"))
        self.stunted = YesNoField()

        self.boxes: dict[str, FieldBox] = {
            "full_name": FieldBox(self.full_name),
            "relation": FieldBox(self.relation),
            "sex": FieldBox(self.sex),
            "birth_date": FieldBox(self.birth_date, [self.age_label]),
            "id_number": FieldBox(self.id_number),
            "ethnicity": FieldBox(self.ethnicity),
            "notes": FieldBox(self.notes),
            "in_school": FieldBox(self.in_school),
            "qualification": FieldBox(self.qualification),
            "employment": FieldBox(self.employment),
            "has_health_insurance": FieldBox(self.has_health_insurance),
            "stunted_or_underweight": FieldBox(self.stunted),
        }

        person = QGroupBox(_("Person"))
        left = QFormLayout(person)
        left.addRow(_("Full name"), self.boxes["full_name"])
        left.addRow(_("Relation to the head"), self.boxes["relation"])
        left.addRow(_("Sex"), self.boxes["sex"])
        left.addRow(_("Birth date"), self.boxes["birth_date"])
        left.addRow(_("ID number (CCCD)"), self.boxes["id_number"])
        left.addRow(_("Ethnicity"), self.boxes["ethnicity"])
        left.addRow(_("Notes"), self.boxes["notes"])

        facts = QGroupBox(_("Schooling, work and health"))
        right = QFormLayout(facts)
        right.addRow(_("School"), self.boxes["in_school"])
        right.addRow(_("Highest qualification"), self.boxes["qualification"])
        right.addRow(_("Work"), self.boxes["employment"])
        right.addRow("", self.able_to_work)
        right.addRow(_("Health insurance card"), self.boxes["has_health_insurance"])
        right.addRow("", self.disabled_box)
        right.addRow("", self.social_allowance)
        right.addRow(_("Stunted or underweight (children under 16)"), self.boxes["stunted_or_underweight"])
        right.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        columns = QHBoxLayout()
        columns.addWidget(person, 1)
        columns.addWidget(facts, 1)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("problemSummary")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.ok_button
        ok.setText(_("OK"))
        ok.setIcon(icon("save"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setIcon(icon("cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        self.set_member(member or MemberInput(full_name="", relation=new_relation))
        self._initial = self.member()
        for line in (self.full_name, self.birth_date, self.id_number, self.notes):
            line.textChanged.connect(self.revalidate)
        self.ethnicity.currentTextChanged.connect(self.revalidate)
        for combo in (self.relation, self.sex, self.qualification, self.employment):
            combo.currentIndexChanged.connect(self.revalidate)
        for yes_no in (self.in_school, self.has_health_insurance, self.stunted):
            yes_no.changed.connect(self.revalidate)
        for box in (self.able_to_work, self.disabled_box, self.social_allowance):
            box.toggled.connect(self.revalidate)
        self.revalidate()
        self.full_name.setFocus()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    # values
    def set_member(self, m: MemberInput) -> None:
        self.full_name.setText(m.full_name)
        self.relation.setValue(m.relation)
        self.sex.setValue(m.sex)
        self.birth_date.setValue(m.birth_date)
        self.id_number.setValue(m.id_number)
        self.ethnicity.setValue(m.ethnicity)
        self.notes.setText(m.notes)
        self.in_school.setValue(m.in_school)
        self.qualification.setValue(m.qualification)
        self.employment.setValue(m.employment)
        self.able_to_work.setChecked(m.able_to_work)
        self.has_health_insurance.setValue(m.has_health_insurance)
        self.disabled_box.setChecked(m.disabled)
        self.social_allowance.setChecked(m.social_allowance)
        self.stunted.setValue(m.stunted_or_underweight)

    def member(self) -> MemberInput:
        return MemberInput(
            full_name=self.full_name.text().strip(), relation=self.relation.value() or "other",
            sex=self.sex.value(), birth_date=self.birth_date.value(), id_number=self.id_number.value(),
            ethnicity=self.ethnicity.value() or "Kinh", in_school=self.in_school.value(),
            qualification=self.qualification.value(), employment=self.employment.value(),
            able_to_work=self.able_to_work.isChecked(),
            has_health_insurance=self.has_health_insurance.value(), disabled=self.disabled_box.isChecked(),
            social_allowance=self.social_allowance.isChecked(),
            stunted_or_underweight=self.stunted.value(), notes=self.notes.text().strip(), uuid=self._uuid)

    def is_changed(self) -> bool:
        return self.member() != self._initial or bool(self.birth_date.problem())

    # validation
    def problems(self) -> dict[str, str]:
        """Field name → message, for every problem the form has now."""
        found: dict[str, list[str]] = {}
        if (bad := self.birth_date.problem()):
            found.setdefault("birth_date", []).append(bad)
        for p in self._checker(self.member()):
            found.setdefault(p.field, []).append(problem_text(p))
        return {k: "\n".join(v) for k, v in found.items()}

    def revalidate(self) -> None:
        problems = self.problems()
        for name, box in self.boxes.items():
            box.set_problem(problems.get(name))
        self.age_label.setText(age_text(self.birth_date.value(), self._today))
        self.ok_button.setEnabled(not problems)
        count = len(problems)
        self.summary.setText(_("Fix the fields marked in red.") if count else "")
        self.summary.setStyleSheet("color: #b3261e;" if count else "")

    # closing
    def accept(self) -> None:
        self.revalidate()
        if not self.ok_button.isEnabled():
            return
        self._initial = self.member()
        super().accept()

    def reject(self) -> None:
        if self.is_changed() and not confirm(self, _("Discard the changes to this member?")):
            return
        super().reject()

