"""Reusable input fields for forms: values an officer types, checked as they type.

Each text field parses its own text (`value()`), says what is wrong with it in the officer's language
(`problem()`), and never guesses: an empty field is `None`, "not recorded". A `FieldBox` puts a field
and its message together, so a form shows each problem right under the field it is about.
Label tables hold English msgids (`N_`), translated when shown, so a language switch takes effect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from povcase.domain.facts import MAX_AREA_M2, MAX_INCOME, MAX_SCORE_A
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.i18n import _, current_language, format_number, tr
from povcase.ui.messages import problem_text, show_error

# --- labels for stored values (English msgids, translated when shown) -----------------------------
RELATION_LABELS: dict[str, str] = {
    "head": N_("Head of household"), "spouse": N_("Spouse"), "child": N_("Child"), "parent": N_("Parent"),
    "grandchild": N_("Grandchild"), "sibling": N_("Brother or sister"), "in_law": N_("In-law"),
    "other": N_("Other"),
}
SEX_LABELS: dict[str, str] = {"male": N_("Male"), "female": N_("Female")}
QUALIFICATION_LABELS: dict[str, str] = {
    "none": N_("No qualification"), "primary": N_("Primary school"),
    "lower_secondary": N_("Lower secondary school"), "upper_secondary": N_("Upper secondary school"),
    "vocational": N_("Vocational (intermediate)"), "college": N_("College"), "university": N_("University"),
}
EMPLOYMENT_LABELS: dict[str, str] = {
    "wage_with_contract": N_("Wage work with a labour contract"),
    "wage_without_contract": N_("Wage work without a contract"),
    "self_employed": N_("Self-employed (farming, trade, services)"),
    "unemployed": N_("Unemployed, looking for work"),
    "not_working": N_("Not working (studying, retired, at home)"),
}
# Shorter, for table columns.
EMPLOYMENT_SHORT_LABELS: dict[str, str] = {
    "wage_with_contract": N_("Wage work, with contract"), "wage_without_contract": N_("Wage work, no contract"),
    "self_employed": N_("Self-employed"), "unemployed": N_("Unemployed"), "not_working": N_("Not working"),
}
HOUSING_QUALITY_LABELS: dict[str, str] = {
    "durable": N_("Durable"), "semi_durable": N_("Semi-durable"),
    "non_durable": N_("Makeshift or non-durable"), "none": N_("No house"),
}
AREA_LABELS: dict[str, str] = {"rural": N_("Rural"), "urban": N_("Urban")}

# The 54 ethnic groups of Viet Nam (proper names, not translated); an officer may type another spelling.
ETHNIC_GROUPS: tuple[str, ...] = (
    "Kinh", "Khmer", "Hoa", "Chăm", "Tày", "Thái", "Mường", "Nùng", "H'Mông", "Dao", "Ê Đê", "Ba Na",
    "Gia Rai", "Sán Chay", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông", "Thổ", "Xtiêng",
    "Khơ Mú", "Bru - Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co", "Chơ Ro", "Xinh Mun",
    "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Lự", "Ngái",
    "Chứt", "Lô Lô", "Mảng", "Cơ Lao", "Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
)

PROBLEM_COLOR = "#b3261e"
PROBLEM_STYLE = (f'QLineEdit[problem="true"], QPlainTextEdit[problem="true"] {{ border: 2px solid {PROBLEM_COLOR}; '
                 f'border-radius: 3px; padding: 1px; }}')


def problem_label() -> QLabel:
    """The red line under a form that says why it cannot be saved (hidden while there is none)."""
    lbl = QLabel()
    lbl.setTextFormat(Qt.TextFormat.PlainText)
    lbl.setWordWrap(True)
    lbl.setStyleSheet(f"color: {PROBLEM_COLOR};")
    lbl.hide()
    return lbl


def label(table: dict[str, str], value: str | None, empty: str = "—") -> str:
    """A stored value as the officer reads it; unknown values are shown as they are."""
    if value is None or value == "":
        return empty
    msgid = table.get(value)
    return _(msgid) if msgid else value


def mark_problem(widget: QWidget, on: bool) -> None:
    """Red border through the dynamic property the form's style sheet selects on."""
    if bool(widget.property("problem")) == on:
        return
    widget.setProperty("problem", on)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


# --- parsing ---------------------------------------------------------------------------------------
_DATE_PARTS = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_DATE_DIGITS = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")


def parse_date(text: str) -> date | None:
    """dd/MM/yyyy (also d/M/yyyy, with dots or dashes, or 8 digits ddMMyyyy). Empty: None.

    Raises ValueError with an English msgid when the text is not a date.
    """
    if not text.strip():
        return None
    m = _DATE_PARTS.match(text) or _DATE_DIGITS.match(text)
    if not m:
        raise ValueError(N_("Write the date as dd/mm/yyyy, for example 02/03/1980"))
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(N_("There is no such date")) from None


def parse_decimal(text: str) -> float | None:
    """"24,5" or "24.5" → 24.5 (Vietnamese writes a decimal comma; people type either). Empty: None."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    if not re.fullmatch(r"[0-9]+([.,][0-9]+)?", cleaned):
        raise ValueError(N_("Must be a number"))
    return float(cleaned.replace(",", "."))


def format_decimal_number(value: float) -> str:
    """24.0 → "24", 24.5 → "24,5" in Vietnamese, "24.5" in English; no grouping."""
    locale = "vi_VN" if current_language() == "vi" else "en_US"
    return format_decimal(value, format="0.##", locale=locale)


# --- text fields -----------------------------------------------------------------------------------
class ParsedLineEdit(QLineEdit):
    """A line edit whose text is parsed into a value; `problem()` says why it cannot be."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editingFinished.connect(self._tidy)

    def problem(self) -> str | None:
        try:
            self._parse()
        except ValueError as e:
            return _(str(e))
        return None

    def _parse(self) -> Any:
        raise NotImplementedError

    def value(self) -> Any:
        """The parsed value, or None when the field is empty or cannot be read (see `problem()`)."""
        try:
            return self._parse()
        except ValueError:
            return None

    def _tidy(self) -> None:
        """Rewrite the text in its usual form once the officer leaves the field."""


class DateEdit(ParsedLineEdit):
    """A date typed as dd/MM/yyyy; empty means not recorded (unlike QDateEdit, which cannot be empty)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9/.\- ]{0,12}"), self))
        self.setPlaceholderText(_("dd/mm/yyyy"))
        self.setMinimumWidth(110)
        self.setMaximumWidth(140)

    def _parse(self) -> date | None:
        return parse_date(self.text())

    def setValue(self, value: date | None) -> None:
        self.setText(value.strftime("%d/%m/%Y") if value else "")

    def _tidy(self) -> None:
        value = self.value()
        if value is not None and self.text() != value.strftime("%d/%m/%Y"):
            self.setValue(value)


class IdNumberEdit(ParsedLineEdit):
    """A 12-digit citizen ID (CCCD); spaces, dots and dashes may be typed between the digits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9 .\-]{0,24}"), self))
        self.setPlaceholderText(_("12 digits"))
        self.setMaximumWidth(200)

    def _parse(self) -> str | None:
        return self.value()

    def value(self) -> str | None:
        digits = re.sub(r"[\s.\-]", "", self.text())
        return digits or None

    def setValue(self, value: str | None) -> None:
        self.setText(value or "")


class AmountEdit(ParsedLineEdit):
    """Whole đồng, grouped the Vietnamese way while typing: 1200000 shows as 1.200.000."""

    def __init__(self, parent: QWidget | None = None, maximum: int = MAX_INCOME) -> None:
        super().__init__(parent)
        self.maximum = maximum
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9., ]{0,20}"), self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.textEdited.connect(self._regroup)

    def _parse(self) -> int | None:
        digits = re.sub(r"\D", "", self.text())
        if not digits:
            return None
        value = int(digits)
        if value > self.maximum:
            raise ValueError(N_("Amount too large: check the number of zeros"))
        return value

    def setValue(self, value: int | None) -> None:
        self.setText(format_number(value) if value is not None else "")

    def _regroup(self, text: str) -> None:
        digits = re.sub(r"\D", "", text)
        grouped = format_number(int(digits)) if digits else ""
        if grouped == text:
            return
        # Keep the cursor after the same number of digits it was after.
        before = len(re.sub(r"\D", "", text[:self.cursorPosition()]))
        self.setText(grouped)
        pos, seen = 0, 0
        while pos < len(grouped) and seen < before:
            if grouped[pos].isdigit():
                seen += 1
            pos += 1
        self.setCursorPosition(pos)


class AreaEdit(ParsedLineEdit):
    """Square metres, with a decimal comma or point."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,6}([.,][0-9]{0,2})?"), self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaximumWidth(120)

    def _parse(self) -> float | None:
        value = parse_decimal(self.text())
        if value is not None and value > MAX_AREA_M2:
            raise ValueError(N_("That is more than any house: check the number"))
        return value

    def setValue(self, value: float | None) -> None:
        self.setText(format_decimal_number(value) if value is not None else "")


class ScoreEdit(ParsedLineEdit):
    """A whole number of points (score A of the survey form, 0–1000)."""

    def __init__(self, parent: QWidget | None = None, maximum: int = MAX_SCORE_A) -> None:
        super().__init__(parent)
        self.maximum = maximum
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,5}"), self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaximumWidth(80)

    def _parse(self) -> int | None:
        text = self.text().strip()
        if not text:
            return None
        value = int(text)
        if value > self.maximum:
            raise ValueError(N_("Score A is at most 1000 points"))
        return value

    def setValue(self, value: int | None) -> None:
        self.setText(str(value) if value is not None else "")


# --- choices ---------------------------------------------------------------------------------------
class ChoiceCombo(QComboBox):
    """A fixed list of stored values shown by label; optionally a first entry for "not recorded"."""

    def __init__(self, labels: dict[str, str], none_label: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if none_label is not None:
            self.addItem(_(none_label), None)
        for value, msgid in labels.items():
            self.addItem(_(msgid), value)

    def value(self) -> str | None:
        data = self.currentData()
        return str(data) if data is not None else None

    def setValue(self, value: str | None) -> None:
        index = self.findData(value)
        if index < 0 and value is not None:  # a value from an import this list does not know: keep it
            self.addItem(value, value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class EthnicityCombo(QComboBox):
    """The ethnic groups to pick from, or any name typed in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(ETHNIC_GROUPS)
        completer = QCompleter(list(ETHNIC_GROUPS), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)

    def value(self) -> str:
        return self.currentText().strip()

    def setValue(self, value: str) -> None:
        self.setCurrentText(value)


class YesNoField(QWidget):
    """Yes / No / Not recorded as three radio buttons, so every answer is visible at a glance."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, yes: str = N_("Yes"), no: str = N_("No"),
                 unknown: str = N_("Not recorded")) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[bool | None, QRadioButton] = {}
        for value, text in ((True, yes), (False, no), (None, unknown)):
            button = QRadioButton(_(text))
            self.buttons[value] = button
            self.group.addButton(button)
            layout.addWidget(button)
        layout.addStretch(1)
        self.buttons[None].setChecked(True)
        self.group.buttonToggled.connect(self._toggled)

    def _toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> bool | None:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return None

    def setValue(self, value: bool | None) -> None:
        self.buttons[value].setChecked(True)


# --- a field with its message ----------------------------------------------------------------------
class FieldBox(QWidget):
    """A field with its problem message under it (hidden while there is none)."""

    def __init__(self, field: QWidget, extra: Iterable[QWidget] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field)
        for widget in extra:
            row.addWidget(widget)
        if field.maximumWidth() < 10_000:
            row.addStretch(1)
        outer.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("problemMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {PROBLEM_COLOR};")
        self.message.hide()
        outer.addWidget(self.message)

    def set_problem(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))
        mark_problem(self.field, bool(text))

    def problem(self) -> str | None:
        return self.message.text() or None


def join_problems(texts: Sequence[str]) -> str | None:
    return "\n".join(texts) if texts else None


def age_text(birth: date | None, on: date) -> str:
    if birth is None:
        return ""
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return tr("{age} years old", age=years) if years >= 0 else ""


def show_form_problems(boxes: dict[str, FieldBox], label: QLabel, problems: dict[str, str],
                       other: list[str]) -> bool:
    """Each problem under its field, the rest under the form; True when there is none."""
    for name, box in boxes.items():
        box.set_problem(problems.get(name))
    label.setText("\n".join(other))
    label.setVisible(bool(other))
    return not problems and not other


def submit_form[T](parent: QWidget, write: Callable[[], T], boxes: dict[str, FieldBox], label: QLabel,
                   text: Callable[[FieldProblem], str] = problem_text) -> T | None:
    """Run one service write for a form. Refused: the service's problems shown (under their fields
    when the form has them), nothing saved, None. Saved: the form's problems cleared, the result."""
    try:
        result = write()
    except ValidationError as e:
        problems: dict[str, str] = {}
        other: list[str] = []
        for p in e.problems:
            if p.field in boxes:
                problems.setdefault(p.field, text(p))
            else:
                other.append(text(p))
        show_form_problems(boxes, label, problems, other)
        return None
    except PovcaseError as e:
        show_error(parent, e, _("Not saved"))
        return None
    show_form_problems(boxes, label, {}, [])
    return result
