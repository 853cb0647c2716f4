"""First start: the setup wizard that turns an empty data folder into a commune register.

Six pages: a welcome page with two big choices (set up my commune / try a demo commune), the commune
from the official list, its hamlets, the officer's account, the upstream office, and a summary whose
Finish button calls `CommuneService.setup_commune` once — one transaction, so a refused setup leaves
nothing behind. Each page checks its own input before Next and says what is wrong in plain words.
"""

from __future__ import annotations

import html
import inspect
import logging
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCommandLinkButton,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from povcase.domain import admin_units
from povcase.domain.admin_units import CommuneUnit, Province
from povcase.domain.text import fold, nfc
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.i18n import _, format_number, tr
from povcase.services.accounts import AccountDTO, AccountInput, check_account
from povcase.services.base import Actor, Role
from povcase.services.demo import build_demo
from povcase.services.households import HAMLET_KINDS
from povcase.services.register import Register
from povcase.ui.messages import problem_text, show_error
from povcase.ui.resources import icon

log = logging.getLogger(__name__)

DEMO_HOUSEHOLDS = 2000
HAMLET_NAME_MAX = 120
OFFICER_NAME_MAX = 120
USERNAME_MAX = 40
UPSTREAM_MAX = 200

# What each kind of hamlet is called. The Vietnamese catalog gives the plain Vietnamese word
# ("Thôn", "Ấp", …); the English text keeps the Vietnamese word so the two can be told apart.
HAMLET_KIND_LABELS: dict[str, str] = {
    "thon": N_("Village (thôn)"),
    "ap": N_("Hamlet (ấp)"),
    "ban": N_("Village (bản)"),
    "buon": N_("Village (buôn)"),
    "khom": N_("Neighbourhood (khóm)"),
    "to_dan_pho": N_("Residential group (tổ dân phố)"),
    "xom": N_("Hamlet (xóm)"),
    "khu_pho": N_("Quarter (khu phố)"),
    "plei": N_("Village (plei)"),
    "soc": N_("Village (sóc)"),
}
assert tuple(HAMLET_KIND_LABELS) == HAMLET_KINDS

# Provinces (2025 codes) whose villages are mostly called "ấp": Hồ Chí Minh City, Tây Ninh, Đồng Tháp,
# Vĩnh Long, An Giang, Cần Thơ, Cà Mau and Đồng Nai. Lâm Đồng (with the former Bình Thuận and Đắk Nông)
# mostly says "thôn". Sơn La, Điện Biên and Lai Châu say "bản".
SOUTHERN_PROVINCES = frozenset({"75", "79", "80", "82", "86", "91", "92", "96"})
BAN_PROVINCES = frozenset({"11", "12", "14"})

# The word a hamlet's name often starts with, folded ("Tổ dân phố 3" → to_dan_pho), longest first.
_NAME_PREFIXES: tuple[tuple[str, str], ...] = (
    ("to dan pho", "to_dan_pho"), ("khu pho", "khu_pho"), ("thon", "thon"), ("ap", "ap"), ("ban", "ban"),
    ("buon", "buon"), ("khom", "khom"), ("xom", "xom"), ("plei", "plei"), ("soc", "soc"), ("tdp", "to_dan_pho"),
    ("kp", "khu_pho"),
)
_LIST_MARK = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–])\s+")
_ERROR_STYLE = "color: #b00020;"


# --- pure helpers (no widgets) ------------------------------------------------------------------
def province_short_name(province: Province) -> str:
    """"Tỉnh Vĩnh Long" → "Vĩnh Long"; "Thành phố Hà Nội" → "Hà Nội"."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if province.name.startswith(prefix):
            return province.name[len(prefix):]
    return province.name


def default_upstream_office(province: Province) -> str:
    """The People's Committee of the province: the office above the commune since 1 July 2025."""
    short = province_short_name(province)
    if province.name.startswith("Thành phố "):
        return f"UBND thành phố {short}"
    return f"UBND tỉnh {short}"


def default_hamlet_kind(unit: CommuneUnit) -> str:
    """What a commune's villages are most likely called; the officer can change it."""
    southern = unit.province_code in SOUTHERN_PROVINCES
    if unit.kind == "phường":
        return "khu_pho" if southern else "to_dan_pho"
    if southern:
        return "ap"
    if unit.province_code in BAN_PROVINCES:
        return "ban"
    return "thon"


def kind_from_name(name: str) -> str | None:
    """The kind a name announces by its first word(s): "Ấp Chợ" → "ap", "Tổ dân phố 3" → "to_dan_pho"."""
    folded = fold(nfc(name))
    for prefix, kind in _NAME_PREFIXES:
        if folded == prefix:
            return None  # just the word, no name
        if folded.startswith(prefix + " "):
            return kind
    return None


def suggest_username(full_name: str) -> str:
    """"Thạch Thị Lan" → "lan.thach": given name, a dot, family name, without diacritics."""
    words = [re.sub(r"[^a-z0-9]", "", fold(w)) for w in nfc(full_name).split(" ")]
    words = [w for w in words if w]
    if not words:
        return ""
    name = words[-1] if len(words) == 1 else f"{words[-1]}.{words[0]}"
    return name[:USERNAME_MAX]


def pasted_names(text: str) -> list[str]:
    """Names from a pasted block: one a line; list numbers and bullets dropped; from a row copied out
    of a spreadsheet, the first cell with a letter in it."""
    names = []
    for line in text.splitlines():
        cells = [c for c in line.split("\t") if any(ch.isalpha() for ch in c)]
        if not cells:
            continue
        name = nfc(_LIST_MARK.sub("", cells[0]))
        if name:
            names.append(name)
    return names


def _accepts_on_error(run_task: Callable[..., Any]) -> bool:
    """Whether a task runner takes `on_error` (TaskRunner.run does; a bare three-argument one doesn't)."""
    try:
        params = inspect.signature(run_task).parameters
    except (TypeError, ValueError):
        return False
    return "on_error" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(_ERROR_STYLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setVisible(False)
    return label


def _hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class _Page(QWizardPage):
    """A page with a message line at the bottom for what stops the officer going on."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.message = _error_label()

    def show_problems(self, lines: list[str]) -> None:
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))

    def clear_problems(self) -> None:
        self.show_problems([])

    def setup_wizard(self) -> SetupWizard:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard


# --- 1. welcome ---------------------------------------------------------------------------------
class WelcomePage(_Page):
    def __init__(self, demo_households: int) -> None:
        super().__init__(_("Welcome to povcase"))
        layout = QVBoxLayout(self)
        intro = _hint_label(_("This register is still empty. How do you want to start?"))
        layout.addWidget(intro)
        layout.addSpacing(8)
        self.setup_button = QCommandLinkButton(
            _("Set up my commune"),
            _("Choose your commune from the official list, enter its villages and hamlets and your "
              "account. It takes about five minutes."))
        self.demo_button = QCommandLinkButton(
            _("Try with a demo commune"),
            tr("An invented Xã Trà Cú with {n} households, to look around and practise. The people and "
               "their data are made up.", n=format_number(demo_households)))
        for button, name in ((self.setup_button, "commune"), (self.demo_button, "demo")):
            pic = icon(name)
            if not pic.isNull():
                button.setIcon(pic)
            button.setMinimumHeight(72)
            layout.addWidget(button)
        layout.addStretch(1)
        layout.addWidget(self.message)


# --- 2. province and commune --------------------------------------------------------------------
class CommunePage(_Page):
    def __init__(self) -> None:
        super().__init__(_("Your commune"))
        layout = QVBoxLayout(self)
        layout.addWidget(_hint_label(_(
            "Choose the province, then find your commune in the official list (2025). You can type the "
            "name without diacritics, or the commune code.")))
        form = QFormLayout()
        self.province_combo = QComboBox()
        self.province_combo.addItem(_("All provinces"), "")
        for p in admin_units.provinces():
            self.province_combo.addItem(p.name, p.code)
        self.province_combo.setMaxVisibleItems(20)
        form.addRow(_("Province:"), self.province_combo)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(_("For example: tra cu"))
        self.search_box.setClearButtonEnabled(True)
        form.addRow(_("Find commune:"), self.search_box)
        layout.addLayout(form)
        self.commune_list = QListWidget()
        self.commune_list.setUniformItemSizes(True)
        self.commune_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.commune_list, 1)
        self.count_label = QLabel()
        self.chosen_label = QLabel()
        self.chosen_label.setWordWrap(True)
        self.chosen_label.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.chosen_label.font()
        bold.setBold(True)
        self.chosen_label.setFont(bold)
        layout.addWidget(self.count_label)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.message)
        self.province_combo.currentIndexChanged.connect(self.refresh)
        self.search_box.textChanged.connect(self.refresh)
        self.commune_list.currentItemChanged.connect(self._current_changed)
        self.commune_list.itemDoubleClicked.connect(self._double_clicked)
        self._chosen: CommuneUnit | None = None
        self.refresh()

    def province_code(self) -> str:
        return str(self.province_combo.currentData() or "")

    def set_province(self, code: str) -> None:
        index = self.province_combo.findData(code)
        if index >= 0:
            self.province_combo.setCurrentIndex(index)

    def refresh(self) -> None:
        code = self.province_code()
        found = admin_units.search_communes(self.search_box.text(), code or None)
        keep = self._chosen
        self.commune_list.blockSignals(True)
        self.commune_list.clear()
        names = {p.code: p.name for p in admin_units.provinces()}
        current_row = -1
        for i, unit in enumerate(found):
            if code:
                text = tr("{name} — code {code}", name=unit.name, code=unit.code)
            else:
                text = tr("{name}, {province} — code {code}", name=unit.name,
                          province=names.get(unit.province_code, ""), code=unit.code)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, unit.code)
            self.commune_list.addItem(item)
            if keep is not None and unit.code == keep.code:
                current_row = i
        if current_row < 0 and len(found) == 1:
            current_row = 0
        self.commune_list.setCurrentRow(current_row)
        self.commune_list.blockSignals(False)
        self._set_chosen(found[current_row] if current_row >= 0 else None)
        if found:
            self.count_label.setText(tr("{n} communes", n=format_number(len(found))))
        else:
            self.count_label.setText(_("No commune matches. Check the province, or type fewer letters."))

    def _current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        code = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self._set_chosen(admin_units.commune(code) if code else None)

    def _double_clicked(self, _item: QListWidgetItem) -> None:
        wizard = self.wizard()
        if wizard is not None:
            wizard.next()

    def _set_chosen(self, unit: CommuneUnit | None) -> None:
        self._chosen = unit
        if unit is None:
            self.chosen_label.setText("")
            return
        self.clear_problems()
        province = admin_units.province(unit.province_code)
        self.chosen_label.setText(tr("Chosen: {name}, {province} (code {code})", name=unit.name,
                                     province=province.name, code=unit.code))

    def chosen(self) -> CommuneUnit | None:
        return self._chosen

    def choose(self, code: str) -> None:
        """Select a commune by its code (for callers and tests)."""
        unit = admin_units.commune(code)
        self.set_province(unit.province_code)
        self.search_box.setText(unit.code)
        self._set_chosen(unit)
        self.refresh()

    def validatePage(self) -> bool:
        if self._chosen is None:
            self.show_problems([_("Choose your commune in the list.")])
            self.commune_list.setFocus()
            return False
        self.clear_problems()
        return True


# --- 3. hamlets ---------------------------------------------------------------------------------
class HamletsPage(_Page):
    NAME, KIND = 0, 1

    def __init__(self) -> None:
        super().__init__(_("Villages and hamlets"))
        outer = QVBoxLayout(self)
        outer.addWidget(_hint_label(_(
            "Enter every village or residential group of the commune, written the way people write it "
            "(for example: Ấp Chợ, Thôn 3, Tổ dân phố 5). The order here is the order of the lists.")))
        row = QHBoxLayout()
        outer.addLayout(row, 1)

        left = QVBoxLayout()
        row.addLayout(left, 3)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([_("Name"), _("Kind")])
        self.table.verticalHeader().setVisible(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.KIND, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemChanged.connect(self._name_changed)
        left.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("Add a row"))
        self.remove_button = QPushButton(_("Remove row"))
        self.up_button = QPushButton(_("Move up"))
        self.down_button = QPushButton(_("Move down"))
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left.addLayout(buttons)
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))

        paste = QGroupBox(_("Paste many names"))
        row.addWidget(paste, 2)
        box = QVBoxLayout(paste)
        kind_row = QFormLayout()
        self.default_kind_combo = self._kind_combo()
        kind_row.addRow(_("Kind:"), self.default_kind_combo)
        box.addLayout(kind_row)
        box.addWidget(_hint_label(_("One name a line, for example copied from Excel:")))
        self.paste_box = QPlainTextEdit()
        self.paste_box.setPlaceholderText("Ấp Chợ\nẤp Sóc Tre\nThôn 3")
        box.addWidget(self.paste_box, 1)
        self.paste_button = QPushButton(_("Add these names"))
        self.paste_button.clicked.connect(self.add_pasted)
        box.addWidget(self.paste_button)
        self.paste_result = QLabel()
        self.paste_result.setWordWrap(True)
        box.addWidget(self.paste_result)

        outer.addWidget(self.message)
        self._commune_code = ""

    def initializePage(self) -> None:
        unit = self.setup_wizard().commune_page.chosen()
        if unit is not None and unit.code != self._commune_code:
            self._commune_code = unit.code
            self._set_combo_kind(self.default_kind_combo, default_hamlet_kind(unit))
        if self.table.rowCount() == 0:
            self.add_row()
        self.clear_problems()

    # rows
    def _kind_combo(self) -> QComboBox:
        combo = QComboBox()
        for kind in HAMLET_KINDS:
            combo.addItem(_(HAMLET_KIND_LABELS[kind]), kind)
        combo.setMaxVisibleItems(len(HAMLET_KINDS))
        return combo

    @staticmethod
    def _set_combo_kind(combo: QComboBox, kind: str) -> None:
        index = combo.findData(kind)
        if index >= 0:
            combo.setCurrentIndex(index)

    def default_kind(self) -> str:
        return str(self.default_kind_combo.currentData())

    def add_row(self, name: str = "", kind: str | None = None) -> int:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        self.table.setItem(row, self.NAME, QTableWidgetItem(name))
        self.table.blockSignals(False)
        combo = self._kind_combo()
        self._set_combo_kind(combo, kind or kind_from_name(name) or self.default_kind())
        self.table.setCellWidget(row, self.KIND, combo)
        return row

    def _add_clicked(self) -> None:
        # Reuse a trailing empty row rather than piling up blank ones.
        rows = self.table.rowCount()
        row = rows - 1 if rows and not self._name(rows - 1) else self.add_row()
        self.table.setCurrentCell(row, self.NAME)
        self.table.editItem(self.table.item(row, self.NAME))

    def _name(self, row: int) -> str:
        item = self.table.item(row, self.NAME)
        return nfc(item.text()) if item is not None else ""

    def _kind(self, row: int) -> str:
        combo = self.table.cellWidget(row, self.KIND)
        assert isinstance(combo, QComboBox)
        return str(combo.currentData())

    def _name_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != self.NAME:
            return
        kind = kind_from_name(item.text())
        combo = self.table.cellWidget(item.row(), self.KIND)
        if kind and isinstance(combo, QComboBox):
            self._set_combo_kind(combo, kind)

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def move_current(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        a = (self._name(row), self._kind(row))
        b = (self._name(target), self._kind(target))
        self._put(row, *b)
        self._put(target, *a)
        self.table.setCurrentCell(target, self.NAME)

    def _put(self, row: int, name: str, kind: str) -> None:
        self.table.blockSignals(True)
        self.table.item(row, self.NAME).setText(name)
        self.table.blockSignals(False)
        combo = self.table.cellWidget(row, self.KIND)
        assert isinstance(combo, QComboBox)
        self._set_combo_kind(combo, kind)

    def add_pasted(self) -> None:
        names = pasted_names(self.paste_box.toPlainText())
        seen = {self._name(r).casefold() for r in range(self.table.rowCount())}
        added = skipped = 0
        # Fill the blank rows at the end first.
        while self.table.rowCount() and not self._name(self.table.rowCount() - 1):
            self.table.removeRow(self.table.rowCount() - 1)
        for name in names:
            if name.casefold() in seen:
                skipped += 1
                continue
            seen.add(name.casefold())
            self.add_row(name[:HAMLET_NAME_MAX])
            added += 1
        if added:
            self.paste_box.clear()
            self.clear_problems()
        text = tr("{n} names added.", n=added)
        if skipped:
            text += " " + tr("{n} were already in the list.", n=skipped)
        self.paste_result.setText(text if names else _("Nothing to add: write one name a line."))

    def hamlets(self) -> list[tuple[str, str]]:
        """The (name, kind) rows in order, blank rows left out."""
        return [(self._name(r), self._kind(r)) for r in range(self.table.rowCount()) if self._name(r)]

    def problems(self) -> list[str]:
        rows = self.hamlets()
        if not rows:
            return [_("Enter at least one hamlet, each with a name")]
        out = []
        seen: set[str] = set()
        for name, _kind in rows:
            if len(name) > HAMLET_NAME_MAX:
                out.append(tr("{name}: a name has at most {n} characters", name=name[:30] + "…",
                              n=HAMLET_NAME_MAX))
            key = name.casefold()
            if key in seen:
                out.append(tr("{name} is in the list twice", name=name))
            seen.add(key)
        return out

    def validatePage(self) -> bool:
        problems = self.problems()
        self.show_problems(problems)
        if problems:
            self.table.setFocus()
        return not problems


# --- 4. officer and account ---------------------------------------------------------------------
class OfficerPage(_Page):
    def __init__(self) -> None:
        super().__init__(_("You and your account"))
        layout = QVBoxLayout(self)
        layout.addWidget(_hint_label(_(
            "The officer who keeps this register. This first account is the administrator: it can later "
            "add accounts for colleagues.")))
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(OFFICER_NAME_MAX)
        self.name_edit.setPlaceholderText(_("For example: Thạch Thị Lan"))
        form.addRow(_("Full name:"), self.name_edit)
        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(USERNAME_MAX)
        username_box = QWidget()
        username_layout = QVBoxLayout(username_box)
        username_layout.setContentsMargins(0, 0, 0, 0)
        username_layout.setSpacing(2)
        username_layout.addWidget(self.username_edit)
        username_layout.addWidget(_hint_label(_("Without diacritics or spaces, for example lan.thach. You type "
                                                "it when you open povcase.")))
        form.addRow(_("User name:"), username_box)
        self.protect_check = QCheckBox(_("Protect with a password (recommended)"))
        self.protect_check.setChecked(True)
        form.addRow("", self.protect_check)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Password:"), self.password_edit)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Password again:"), self.confirm_edit)
        self.show_check = QCheckBox(_("Show the password"))
        form.addRow("", self.show_check)
        self.role_label = QLabel(_("Administrator"))
        form.addRow(_("Role:"), self.role_label)
        layout.addLayout(form)
        self.no_password_note = _hint_label(_(
            "Without a password anyone who uses this computer can open the register. Household data "
            "are personal data: use a password unless only you use this computer."))
        layout.addWidget(self.no_password_note)
        layout.addStretch(1)
        layout.addWidget(self.message)
        self._username_touched = False
        self.name_edit.textChanged.connect(self._name_changed)
        self.username_edit.textEdited.connect(self._username_edited)
        self.protect_check.toggled.connect(self._protect_toggled)
        self.show_check.toggled.connect(self._show_toggled)
        self._protect_toggled(True)

    def _name_changed(self, text: str) -> None:
        if not self._username_touched:
            self.username_edit.setText(suggest_username(text))

    def _username_edited(self, text: str) -> None:
        self._username_touched = bool(text)

    def _protect_toggled(self, on: bool) -> None:
        for w in (self.password_edit, self.confirm_edit, self.show_check):
            w.setEnabled(on)
        self.no_password_note.setVisible(not on)

    def _show_toggled(self, on: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        self.password_edit.setEchoMode(mode)
        self.confirm_edit.setEchoMode(mode)

    def officer_name(self) -> str:
        return nfc(self.name_edit.text())

    def account(self) -> AccountInput:
        password = self.password_edit.text() if self.protect_check.isChecked() else None
        return AccountInput(username=self.username_edit.text().strip(), full_name=self.officer_name(),
                            role=Role.ADMIN, password=password)

    def field_label(self, field: str) -> str:
        key = field.rsplit(".", 1)[-1]
        return {"full_name": _("Full name"), "username": _("User name"), "password": _("Password"),
                "role": _("Role"), "officer_name": _("Full name")}.get(key, "")

    def _problems(self) -> list[tuple[QWidget, str]]:
        """What is wrong, each with the box to put the cursor in."""
        account = self.account()
        widgets = {"full_name": self.name_edit, "username": self.username_edit, "password": self.password_edit}
        out = [(widgets.get(p.field, self.name_edit), self._line(p)) for p in check_account(account)]
        if account.password is not None and account.password != self.confirm_edit.text():
            out.append((self.confirm_edit,
                        _("The two passwords are not the same. Type the password again in both boxes.")))
        return sorted(out, key=lambda wp: [self.name_edit, self.username_edit, self.password_edit,
                                           self.confirm_edit].index(wp[0]))

    def problems(self) -> list[str]:
        return [text for _widget, text in self._problems()]

    def _line(self, problem: FieldProblem) -> str:
        label = self.field_label(problem.field)
        text = problem_text(problem)
        return tr("{field}: {problem}", field=label, problem=text) if label else text

    def show_field_problems(self, problems: list[FieldProblem]) -> None:
        self.show_problems([self._line(p) for p in problems])

    def validatePage(self) -> bool:
        problems = self._problems()
        self.show_problems([text for _widget, text in problems])
        if problems:
            widget = problems[0][0]
            if widget is self.confirm_edit:
                self.confirm_edit.clear()
            widget.setFocus()
        return not problems


# --- 5. upstream office -------------------------------------------------------------------------
class UpstreamPage(_Page):
    def __init__(self) -> None:
        super().__init__(_("The office you report to"))
        layout = QVBoxLayout(self)
        layout.addWidget(_hint_label(_(
            "Lists and sync packages of this commune go to the office above it. Since 1 July 2025 that "
            "is the province; where a district office still receives your reports, write its name "
            "instead.")))
        form = QFormLayout()
        self.office_edit = QLineEdit()
        self.office_edit.setMaxLength(UPSTREAM_MAX)
        form.addRow(_("Upstream office:"), self.office_edit)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.message)
        self._default = ""

    def initializePage(self) -> None:
        unit = self.setup_wizard().commune_page.chosen()
        if unit is None:
            return
        default = default_upstream_office(admin_units.province(unit.province_code))
        # Follow a change of province unless the officer wrote a name of their own.
        if nfc(self.office_edit.text()) in ("", self._default):
            self.office_edit.setText(default)
        self._default = default
        self.clear_problems()

    def office(self) -> str:
        return nfc(self.office_edit.text())

    def validatePage(self) -> bool:
        if not self.office():
            self.show_problems([_("Enter the name of the upstream office.")])
            self.office_edit.setFocus()
            return False
        self.clear_problems()
        return True


# --- 6. summary ---------------------------------------------------------------------------------
class SummaryPage(_Page):
    def __init__(self) -> None:
        super().__init__(_("Check and create"))
        layout = QVBoxLayout(self)
        layout.addWidget(_hint_label(_("This is what will be created. Press Back to change something.")))
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)

    def initializePage(self) -> None:
        self.clear_problems()
        self.text.setHtml(self.setup_wizard().summary_html())
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Create the register"))

    def validatePage(self) -> bool:
        return self.setup_wizard().create_register()


# --- the wizard ---------------------------------------------------------------------------------

class SetupWizard(QWizard):
    """Emits nothing special; after exec() == Accepted the register is set up (commune or demo).
    `result_actor` is the Actor to run the session as (the new officer account, or the demo officer)."""

    PAGE_WELCOME, PAGE_COMMUNE, PAGE_HAMLETS, PAGE_OFFICER, PAGE_UPSTREAM, PAGE_SUMMARY = range(6)

    def __init__(self, register: Register, parent: QWidget | None = None,
                 run_task: Callable[..., Any] | None = None, demo_households: int = DEMO_HOUSEHOLDS) -> None:
        super().__init__(parent)
        self.register = register
        self.run_task = run_task
        self.demo_households = demo_households
        self.result_actor: Actor | None = None
        self.result_account: AccountDTO | None = None
        self.demo_chosen = False
        self._busy = False
        self.setWindowTitle(_("Set up povcase"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Finish"))
        self.welcome_page = WelcomePage(demo_households)
        self.commune_page = CommunePage()
        self.hamlets_page = HamletsPage()
        self.officer_page = OfficerPage()
        self.upstream_page = UpstreamPage()
        self.summary_page = SummaryPage()
        for page_id, page in enumerate((self.welcome_page, self.commune_page, self.hamlets_page,
                                        self.officer_page, self.upstream_page, self.summary_page)):
            self.setPage(page_id, page)
        self.setStartId(self.PAGE_WELCOME)
        self.welcome_page.setup_button.clicked.connect(self.next)
        self.welcome_page.demo_button.clicked.connect(self.start_demo)
        # Fits a 1366×768 screen with the taskbar and title bar, and leaves room around it.
        self.resize(860, 620)
        self.setMinimumSize(720, 540)

    def demo_actor(self) -> Actor:
        return Actor(_("Demo officer"), Role.OFFICER)

    # demo ------------------------------------------------------------------------------------
    def start_demo(self) -> None:
        """Build the demo commune (in the background if a task runner was given), then finish."""
        if self._busy:
            return
        self._set_busy(True)
        actor = self.demo_actor()
        total = self.demo_households
        register = self.register

        def work(progress: Callable[[int], bool] | None) -> Any:
            # A TaskRunner's TaskProgress also takes the total, for a determinate progress bar.
            update = getattr(progress, "update", None)
            report = (lambda done: bool(update(done, total))) if callable(update) else progress
            try:
                return build_demo(register, actor, total, progress=report)
            except PovcaseError:
                if getattr(progress, "cancelled", False):
                    return None  # cancelled: still come back to _demo_done, which unlocks the page
                raise

        title = tr("Creating the demo commune ({n} households)…", n=format_number(total))
        if self.run_task is not None:
            if _accepts_on_error(self.run_task):
                self.run_task(title, work, self._demo_done, on_error=self._demo_done)
            else:
                self.run_task(title, work, self._demo_done)
            return
        dialog = QProgressDialog(title, _("Cancel"), 0, total, self)
        dialog.setWindowTitle(_("Try with a demo commune"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)

        def progress(done: int) -> bool:
            dialog.setValue(min(done, total))
            return not dialog.wasCanceled()

        outcome: object
        try:
            outcome = work(progress)
        except PovcaseError as e:
            outcome = None if dialog.wasCanceled() else e  # Cancel pressed: quiet, like the task runner
        except Exception as e:  # shown by _demo_done, logged there if unexpected
            outcome = e
        finally:
            dialog.close()
            dialog.deleteLater()
        self._demo_done(outcome)

    def _demo_done(self, outcome: object = None, *_rest: object) -> None:
        """Called when the demo build ends: with its result, or with the exception that stopped it."""
        self._set_busy(False)
        if isinstance(outcome, BaseException):
            show_error(self, outcome, _("Try with a demo commune"))
        if not self.register.communes.is_set_up():
            return  # cancelled or failed before anything was written: the officer can choose again
        # The demo commune exists (even if filling it stopped early): the session runs in it.
        self.demo_chosen = True
        self.result_actor = self.demo_actor()
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.welcome_page.setup_button.setEnabled(not busy)
        self.welcome_page.demo_button.setEnabled(not busy)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton):
            b = self.button(which)
            if b is not None:
                b.setEnabled(not busy)

    def reject(self) -> None:
        if self._busy:
            return  # the demo is being built; its progress dialog has the Cancel button
        super().reject()

    # creating the register ---------------------------------------------------------------------
    def summary_html(self) -> str:
        unit = self.commune_page.chosen()
        account = self.officer_page.account()
        hamlets = self.hamlets_page.hamlets()
        e = html.escape

        def row(label: str, value: str) -> str:
            return f"<tr><td style='padding-right:16px'><b>{e(label)}</b></td><td>{value}</td></tr>"

        rows = []
        if unit is not None:
            province = admin_units.province(unit.province_code)
            rows.append(row(_("Commune"), e(tr("{name}, {province} (code {code})", name=unit.name,
                                               province=province.name, code=unit.code))))
        kinds = ", ".join(f"{e(n)} <i>({e(_(HAMLET_KIND_LABELS[k]))})</i>" for n, k in hamlets)
        rows.append(row(tr("{n} villages and hamlets", n=len(hamlets)), kinds))
        rows.append(row(_("Officer"), e(account.full_name)))
        rows.append(row(_("User name"), e(account.username)))
        rows.append(row(_("Password"), e(_("Yes") if account.password else _("No password"))))
        rows.append(row(_("Role"), e(_("Administrator"))))
        rows.append(row(_("Upstream office"), e(self.upstream_page.office())))
        return "<table cellspacing='4'>" + "".join(rows) + "</table>"

    def create_register(self) -> bool:
        """Finish: set the commune up in one transaction. On refusal, show why on the right page."""
        unit = self.commune_page.chosen()
        if unit is None:
            self._go_to(self.PAGE_COMMUNE)
            self.commune_page.validatePage()
            return False
        account = self.officer_page.account()
        actor = Actor(account.full_name, Role.ADMIN)
        try:
            self.register.communes.setup_commune(
                actor, unit.code, self.hamlets_page.hamlets(), self.officer_page.officer_name(),
                self.upstream_page.office(), account=account)
        except ValidationError as e:
            self._show_validation(e)
            return False
        except Exception as e:  # explained (and logged if unexpected); nothing was written
            show_error(self, e)
            return False
        self.result_account = next((a for a in self.register.accounts.accounts()
                                    if a.username == account.username), None)
        self.result_actor = self.result_account.actor() if self.result_account else actor
        return True

    def _page_for(self, field: str) -> int:
        if field.startswith("account.") or field in ("officer_name", "username"):
            return self.PAGE_OFFICER
        if field.startswith("hamlets"):
            return self.PAGE_HAMLETS
        if field.startswith("upstream"):
            return self.PAGE_UPSTREAM
        if field.startswith("commune"):
            return self.PAGE_COMMUNE
        return self.PAGE_SUMMARY

    def _show_validation(self, error: ValidationError) -> None:
        by_page: dict[int, list[FieldProblem]] = {}
        for p in error.problems:
            by_page.setdefault(self._page_for(p.field), []).append(p)
        first = min(by_page)
        for page_id, problems in by_page.items():
            page = self.page(page_id)
            if page is self.officer_page:
                self.officer_page.show_field_problems(problems)
            elif isinstance(page, _Page):
                page.show_problems([problem_text(p) for p in problems])
        self._go_to(first)

    def _go_to(self, page_id: int) -> None:
        """Step back to an earlier page (keeping what was typed on the pages in between)."""
        while self.currentId() > page_id:
            self.back()

