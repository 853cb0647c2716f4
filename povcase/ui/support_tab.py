"""The household editor's Support tab: everything the household received, with totals per programme and
overall, a form to record support, and the household's Social Policy Bank loans with their repayments.

Every write goes through `register.support`; a refused write (an amount above a programme's ceiling, a
repayment above what remains of a loan, a date in the future) shows why under the form and saves
nothing. Viewers see everything and can change nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from povcase.errors import FieldProblem
from povcase.i18n import _, current_language, format_date, format_number, format_vnd, tr
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.services.support import (
    MAX_TERM_MONTHS,
    LoanDTO,
    LoanInput,
    ProgrammeDTO,
    ProgrammeInput,
    SupportDTO,
    SupportInput,
)
from povcase.ui.fields import (
    PROBLEM_STYLE,
    AmountEdit,
    DateEdit,
    FieldBox,
    format_decimal_number,
    parse_decimal,
    problem_label,
    show_form_problems,
    submit_form,
)
from povcase.ui.messages import problem_text
from povcase.ui.sponsor_tab import fill_table, tab_button, tab_table

_MONEY_PARAMS = ("remaining", "ceiling", "given")


def programme_name(p: ProgrammeDTO) -> str:
    return p.name_vi if current_language() == "vi" or not p.name_en else p.name_en


def money_problem_text(p: FieldProblem) -> str:
    """A problem as the officer reads it, with amounts of money grouped (5.000.000, not 5000000)."""
    params = {k: (format_number(v) if k in _MONEY_PARAMS and isinstance(v, int) else v)
              for k, v in p.params.items()}
    return problem_text(replace(p, params=params))


class SupportTab(QWidget):
    """The household's support ledger and loans."""

    saved = Signal(object)  # Changes

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self._uuid: str | None = None
        self._read_only = not actor.can_write
        self._programmes: dict[str, ProgrammeDTO] = {}
        self._loans: list[LoanDTO] = []
        self.setStyleSheet(PROBLEM_STYLE)
        layout = QVBoxLayout(self)

        # record support
        self.support_box = QGroupBox(_("Record support"))
        grid = QGridLayout(self.support_box)
        self.programme = QComboBox()
        self.programme.setMinimumWidth(260)
        self.programme.setMaximumWidth(520)
        self.given_on = DateEdit()
        self.given_on.setValue(today)
        self.member = QComboBox()
        self.amount = AmountEdit()
        self.amount.setFixedWidth(140)
        self.item = QLineEdit()
        self.item.setPlaceholderText(_("or an item, e.g. a breeding cow"))
        self.quantity = QLineEdit()
        self.quantity.setMaximumWidth(70)
        self.source = QLineEdit()
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText(_("bảng kê number"))
        self.notes = QLineEdit()
        self.support_button = tab_button(_("Record support"), "support")
        self.support_button.clicked.connect(self._support_clicked)
        self.support_boxes = {
            "programme_code": FieldBox(self.programme), "given_on": FieldBox(self.given_on),
            "member_uuid": FieldBox(self.member), "amount": FieldBox(self.amount, [QLabel(_("đồng"))]),
            "item": FieldBox(self.item), "quantity": FieldBox(self.quantity),
            "source_of_funds": FieldBox(self.source), "evidence_ref": FieldBox(self.evidence),
            "notes": FieldBox(self.notes),
        }
        b = self.support_boxes
        grid.addWidget(QLabel(_("Programme")), 0, 0)
        programme_row = QHBoxLayout()
        programme_row.setContentsMargins(0, 0, 0, 0)
        programme_row.addWidget(b["programme_code"], 1)
        self.new_programme_button = tab_button(_("New programme…"))
        self.new_programme_button.setToolTip(_("Add a programme of the office to the catalogue"))
        self.new_programme_button.clicked.connect(self._new_programme_clicked)
        programme_row.addWidget(self.new_programme_button, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(programme_row, 0, 1, 1, 3)
        grid.addWidget(QLabel(_("Date")), 0, 4)
        grid.addWidget(b["given_on"], 0, 5)
        grid.addWidget(QLabel(_("Amount")), 1, 0)
        grid.addWidget(b["amount"], 1, 1)
        grid.addWidget(QLabel(_("Item")), 1, 2)
        item_row = QHBoxLayout()
        item_row.setContentsMargins(0, 0, 0, 0)
        item_row.addWidget(b["item"], 1)
        item_row.addWidget(QLabel(_("Quantity")))
        item_row.addWidget(b["quantity"])
        grid.addLayout(item_row, 1, 3)
        grid.addWidget(QLabel(_("Member")), 1, 4)
        grid.addWidget(b["member_uuid"], 1, 5)
        grid.addWidget(QLabel(_("Source of funds")), 2, 0)
        grid.addWidget(b["source_of_funds"], 2, 1)
        grid.addWidget(QLabel(_("Evidence ref.")), 2, 2)
        grid.addWidget(b["evidence_ref"], 2, 3)
        grid.addWidget(QLabel(_("Notes")), 2, 4)
        grid.addWidget(b["notes"], 2, 5)
        grid.addWidget(self.support_button, 2, 6)
        grid.setColumnStretch(3, 1)
        self.support_problem = problem_label()
        grid.addWidget(self.support_problem, 3, 0, 1, 7)
        layout.addWidget(self.support_box)

        # records and totals
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.records_table = tab_table([_("Date"), _("Programme"), _("Member"), _("Amount or item"),
                                     _("Source of funds"), _("Evidence ref."), _("Notes")])
        splitter.addWidget(self.records_table)
        totals = QWidget()
        totals_layout = QVBoxLayout(totals)
        totals_layout.setContentsMargins(0, 0, 0, 0)
        self.total_label = QLabel()
        self.total_label.setTextFormat(Qt.TextFormat.PlainText)
        self.total_label.setStyleSheet("font-weight: bold;")
        totals_layout.addWidget(self.total_label)
        self.totals_table = tab_table([_("Programme"), _("Total")])
        totals_layout.addWidget(self.totals_table, 1)
        splitter.addWidget(totals)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 2)

        # loans
        layout.addWidget(QLabel(_("Social Policy Bank loans")))
        self.loans_table = tab_table([_("Amount"), _("Rate (%/year)"), _("Term (months)"), _("Disbursed"), _("Due"),
                                   _("Repaid"), _("Remaining")])
        self.loans_table.setMaximumHeight(120)
        layout.addWidget(self.loans_table, 1)
        self.repay_box = QGroupBox(_("Record a repayment"))
        rgrid = QGridLayout(self.repay_box)
        self.loan = QComboBox()
        self.paid_on = DateEdit()
        self.paid_on.setValue(today)
        self.repay_amount = AmountEdit()
        self.repay_amount.setFixedWidth(140)
        self.repay_notes = QLineEdit()
        self.repay_button = tab_button(_("Record the repayment"), "support")
        self.repay_button.clicked.connect(self._repay_clicked)
        self.repay_boxes = {"loan": FieldBox(self.loan), "paid_on": FieldBox(self.paid_on),
                            "amount": FieldBox(self.repay_amount, [QLabel(_("đồng"))]),
                            "notes": FieldBox(self.repay_notes)}
        rgrid.addWidget(QLabel(_("Loan")), 0, 0)
        rgrid.addWidget(self.repay_boxes["loan"], 0, 1)
        rgrid.addWidget(QLabel(_("Date")), 0, 2)
        rgrid.addWidget(self.repay_boxes["paid_on"], 0, 3)
        rgrid.addWidget(QLabel(_("Amount")), 0, 4)
        rgrid.addWidget(self.repay_boxes["amount"], 0, 5)
        rgrid.addWidget(QLabel(_("Notes")), 0, 6)
        rgrid.addWidget(self.repay_boxes["notes"], 0, 7)
        rgrid.addWidget(self.repay_button, 0, 8)
        rgrid.setColumnStretch(7, 1)
        self.repay_problem = problem_label()
        rgrid.addWidget(self.repay_problem, 1, 0, 1, 9)
        layout.addWidget(self.repay_box)

        self.loan_box = QGroupBox(_("Record a loan"))
        lgrid = QGridLayout(self.loan_box)
        self.loan_amount = AmountEdit()
        self.loan_amount.setFixedWidth(140)
        self.loan_rate = QLineEdit()
        self.loan_rate.setMaximumWidth(70)
        self.loan_rate.setPlaceholderText(_("e.g. 6,6"))
        self.loan_term = QSpinBox()
        self.loan_term.setRange(1, MAX_TERM_MONTHS)
        self.loan_term.setValue(36)
        self.loan_term.setMaximumWidth(80)
        self.disbursed_on = DateEdit()
        self.disbursed_on.setValue(today)
        self.loan_purpose = QLineEdit()
        self.loan_purpose.setPlaceholderText(_("e.g. raising pigs"))
        self.loan_evidence = QLineEdit()
        self.loan_button = tab_button(_("Record the loan"), "support")
        self.loan_button.clicked.connect(self._loan_clicked)
        self.loan_boxes = {"amount": FieldBox(self.loan_amount, [QLabel(_("đồng"))]),
                           "annual_rate": FieldBox(self.loan_rate), "term_months": FieldBox(self.loan_term),
                           "disbursed_on": FieldBox(self.disbursed_on), "purpose": FieldBox(self.loan_purpose),
                           "evidence_ref": FieldBox(self.loan_evidence)}
        lb = self.loan_boxes
        lgrid.addWidget(QLabel(_("Amount")), 0, 0)
        lgrid.addWidget(lb["amount"], 0, 1)
        lgrid.addWidget(QLabel(_("Rate (%/year)")), 0, 2)
        lgrid.addWidget(lb["annual_rate"], 0, 3)
        lgrid.addWidget(QLabel(_("Term (months)")), 0, 4)
        lgrid.addWidget(lb["term_months"], 0, 5)
        lgrid.addWidget(QLabel(_("Disbursed on")), 0, 6)
        lgrid.addWidget(lb["disbursed_on"], 0, 7)
        lgrid.addWidget(QLabel(_("Purpose")), 1, 0)
        lgrid.addWidget(lb["purpose"], 1, 1, 1, 3)
        lgrid.addWidget(QLabel(_("Evidence ref.")), 1, 4)
        lgrid.addWidget(lb["evidence_ref"], 1, 5, 1, 3)
        lgrid.addWidget(self.loan_button, 1, 8)
        lgrid.setColumnStretch(1, 1)
        self.loan_problem = problem_label()
        lgrid.addWidget(self.loan_problem, 2, 0, 1, 9)
        layout.addWidget(self.loan_box)

        self.programme_dialog: ProgrammeDialog | None = None
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        layout.addWidget(self.hint)
        self.load(None)

    # --- loading -----------------------------------------------------------------------------------
    def load(self, household_uuid: str | None) -> None:
        """Show a household's support and loans; None: a household not saved yet (nothing to show)."""
        self._uuid = household_uuid
        self._fill_programmes()
        writable = household_uuid is not None and not self._read_only
        self.support_box.setEnabled(writable)
        self.support_box.setVisible(not self._read_only)
        self.loan_box.setEnabled(writable)
        self.loan_box.setVisible(not self._read_only)
        self.new_programme_button.setVisible(not self._read_only)
        self.member.clear()
        self.member.addItem(_("The whole household"), None)
        if household_uuid is None:
            fill_table(self.records_table, [])
            fill_table(self.totals_table, [])
            fill_table(self.loans_table, [])
            self._loans = []
            self._fill_loans()
            self.total_label.setText(_("Save the household first, then record support."))
            self.hint.setText("")
            return
        self.hint.setText(_("You can only read this household: your account cannot change it.")
                          if self._read_only else "")
        for m in self.register.households.get(household_uuid).members:
            self.member.addItem(m.full_name, m.uuid)
        ledger = self.register.support.household_support(household_uuid)
        fill_table(self.records_table, [self._record_row(r) for r in ledger.records])
        fill_table(self.totals_table, [(self.programme_label(code), format_vnd(amount))
                                       for code, amount in sorted(ledger.by_programme.items(),
                                                                  key=lambda kv: (-kv[1], kv[0]))])
        self.total_label.setText(tr("Total received: {amount}", amount=format_vnd(ledger.total_amount)))
        self._loans = self.register.support.loans(household_uuid)
        fill_table(self.loans_table, [(format_vnd(x.amount), format_decimal_number(x.annual_rate),
                                       str(x.term_months), format_date(x.disbursed_on), format_date(x.due_on),
                                       format_vnd(x.repaid), format_vnd(x.remaining)) for x in self._loans])
        self._fill_loans()

    def _fill_programmes(self) -> None:
        keep = self.programme.currentData()
        self._programmes = {p.code: p for p in self.register.support.programmes()}
        self.programme.clear()
        for p in self._programmes.values():
            if p.code == "vbsp_loan":  # loans are recorded with their terms, not as plain support
                continue
            self.programme.addItem(programme_name(p), p.code)
            self.programme.setItemData(self.programme.count() - 1, programme_name(p), Qt.ItemDataRole.ToolTipRole)
        self.programme.setCurrentIndex(max(self.programme.findData(keep), 0))

    def _fill_loans(self) -> None:
        self.loan.clear()
        for x in self._loans:
            self.loan.addItem(tr("{amount} from {date}, {remaining} left", amount=format_vnd(x.amount),
                                 date=format_date(x.disbursed_on), remaining=format_vnd(x.remaining)), x.uuid)
        has_open = any(x.remaining > 0 for x in self._loans)
        self.repay_box.setVisible(not self._read_only and bool(self._loans))
        self.repay_box.setEnabled(not self._read_only and has_open)
        open_index = next((i for i, x in enumerate(self._loans) if x.remaining > 0), 0)
        self.loan.setCurrentIndex(open_index if self._loans else -1)

    def programme_label(self, code: str) -> str:
        p = self._programmes.get(code)
        return programme_name(p) if p else code

    def _record_row(self, r: SupportDTO) -> tuple[str, ...]:
        if r.amount is not None:
            what = format_vnd(r.amount)
            if r.item:
                what += f" + {r.item}"
        else:
            quantity = format_decimal_number(r.quantity) if r.quantity is not None else ""
            what = f"{r.item} × {quantity}" if quantity else r.item
        return (format_date(r.given_on), self.programme_label(r.programme_code), r.member_name or "—", what,
                r.source_of_funds, r.evidence_ref, r.notes)

    # --- writes ------------------------------------------------------------------------------------
    def record_support(self, programme_code: str, given_on: date | None, amount: int | None = None,
                       item: str = "", quantity: float | None = None, member_uuid: str | None = None,
                       source_of_funds: str = "", evidence_ref: str = "", notes: str = "") -> bool:
        """Record support the household received; True when saved."""
        if self._read_only or self._uuid is None:
            return False
        problems: dict[str, str] = {}
        other: list[str] = []
        if given_on is None:
            problems["given_on"] = self.given_on.problem() or _("Required")
        if problems:
            return show_form_problems(self.support_boxes, self.support_problem, problems, other)
        assert given_on is not None
        x = SupportInput(programme_code, given_on, amount, item.strip(), quantity, member_uuid,
                         source_of_funds.strip(), evidence_ref.strip(), notes.strip())
        result = submit_form(
            self, lambda: self.register.support.record_support(self.actor, self._uuid, x, today=self.today),
            self.support_boxes, self.support_problem, text=money_problem_text)
        if result is None:
            return False
        for field in (self.amount, self.item, self.quantity, self.evidence, self.notes):
            field.clear()
        self.load(self._uuid)
        self.saved.emit(result.changes)
        return True

    def _support_clicked(self) -> None:
        problems: dict[str, str] = {}
        if (bad := self.amount.problem()):
            problems["amount"] = bad
        try:
            quantity = parse_decimal(self.quantity.text())
        except ValueError as e:
            problems["quantity"] = _(str(e))
            quantity = None
        if problems:
            show_form_problems(self.support_boxes, self.support_problem, problems, [])
            return
        self.record_support(str(self.programme.currentData() or ""), self.given_on.value(), self.amount.value(),
                            self.item.text(), quantity, self.member.currentData(), self.source.text(),
                            self.evidence.text(), self.notes.text())

    def record_repayment(self, loan_uuid: str | None, paid_on: date | None, amount: int | None,
                         notes: str = "") -> bool:
        """Record a loan repayment; refused (message shown, nothing saved) above what remains. True when saved."""
        if self._read_only or self._uuid is None:
            return False
        problems: dict[str, str] = {}
        other: list[str] = []
        if not loan_uuid:
            problems["loan"] = _("Choose a loan")
        if paid_on is None:
            problems["paid_on"] = self.paid_on.problem() or _("Required")
        if amount is None:
            problems["amount"] = self.repay_amount.problem() or _("Required")
        if problems:
            return show_form_problems(self.repay_boxes, self.repay_problem, problems, other)
        assert loan_uuid is not None and paid_on is not None and amount is not None
        result = submit_form(
            self, lambda: self.register.support.record_repayment(self.actor, loan_uuid, paid_on, amount,
                                                                 notes.strip(), today=self.today),
            self.repay_boxes, self.repay_problem, text=money_problem_text)
        if result is None:
            return False
        self.repay_amount.clear()
        self.repay_notes.clear()
        self.load(self._uuid)
        self.saved.emit(result.changes)
        return True

    def _repay_clicked(self) -> None:
        self.record_repayment(self.loan.currentData(), self.paid_on.value(), self.repay_amount.value(),
                              self.repay_notes.text())

    def record_loan(self, amount: int | None, annual_rate: float | None, term_months: int | None,
                    disbursed_on: date | None, purpose: str = "", evidence_ref: str = "") -> bool:
        """Record a Social Policy Bank loan; refused (message shown, nothing saved) on a problem. True when saved."""
        if self._read_only or self._uuid is None:
            return False
        problems: dict[str, str] = {}
        other: list[str] = []
        if amount is None:
            problems["amount"] = self.loan_amount.problem() or _("Required")
        if annual_rate is None:
            problems["annual_rate"] = _("Required")
        if term_months is None:
            problems["term_months"] = _("Required")
        if disbursed_on is None:
            problems["disbursed_on"] = self.disbursed_on.problem() or _("Required")
        if problems:
            return show_form_problems(self.loan_boxes, self.loan_problem, problems, other)
        assert amount is not None and annual_rate is not None and term_months is not None
        assert disbursed_on is not None
        x = LoanInput(amount, annual_rate, term_months, disbursed_on, purpose=purpose.strip(),
                      evidence_ref=evidence_ref.strip())
        result = submit_form(
            self, lambda: self.register.support.record_loan(self.actor, self._uuid, x, today=self.today),
            self.loan_boxes, self.loan_problem, text=money_problem_text)
        if result is None:
            return False
        for field in (self.loan_amount, self.loan_rate, self.loan_purpose, self.loan_evidence):
            field.clear()
        self.load(self._uuid)
        self.saved.emit(result.changes)
        return True

    def _loan_clicked(self) -> None:
        problems: dict[str, str] = {}
        if (bad := self.loan_amount.problem()):
            problems["amount"] = bad
        try:
            rate = parse_decimal(self.loan_rate.text())
        except ValueError as e:
            problems["annual_rate"] = _(str(e))
            rate = None
        if problems:
            show_form_problems(self.loan_boxes, self.loan_problem, problems, [])
            return
        self.record_loan(self.loan_amount.value(), rate, self.loan_term.value(), self.disbursed_on.value(),
                         self.loan_purpose.text(), self.loan_evidence.text())

    def add_programme(self, code: str, name_vi: str, name_en: str = "", max_amount: int | None = None) -> bool:
        """Add a programme of the office to the catalogue and choose it in the form; True when saved.

        Problems show in the open "New programme" dialog, else under the support form."""
        if self._read_only:
            return False
        dialog = self.programme_dialog
        programme = ProgrammeInput(code, name_vi.strip(), name_en.strip(), max_amount=max_amount)
        result = submit_form(self, lambda: self.register.support.add_programme(self.actor, programme),
                             dialog.boxes if dialog is not None else {},
                             dialog.problem if dialog is not None else self.support_problem,
                             text=money_problem_text)
        if result is None:
            return False
        self.support_problem.clear()
        self.support_problem.hide()
        self._fill_programmes()
        self.programme.setCurrentIndex(max(self.programme.findData(result.value.code), 0))
        self.saved.emit(result.changes)
        return True

    def _new_programme_clicked(self) -> None:
        self.programme_dialog = ProgrammeDialog(self)
        try:
            self.programme_dialog.exec()
        finally:
            self.programme_dialog.deleteLater()
            self.programme_dialog = None

    # --- for tests and the editor ------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self._read_only

    @staticmethod
    def table_rows(table: QTableWidget) -> list[list[str]]:
        return [[(table.item(r, c).text() if table.item(r, c) else "") for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    def record_rows(self) -> list[list[str]]:
        """The support records as shown, newest first."""
        return self.table_rows(self.records_table)

    def total_rows(self) -> list[list[str]]:
        """Programme and total as shown, the largest first."""
        return self.table_rows(self.totals_table)

    def loan_rows(self) -> list[list[str]]:
        return self.table_rows(self.loans_table)


class ProgrammeDialog(QDialog):
    """A programme of the office: code, names and an optional ceiling; saved through the tab on OK."""

    def __init__(self, tab: SupportTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.setWindowTitle(_("New programme"))
        self.setStyleSheet(PROBLEM_STYLE)
        form = QFormLayout(self)
        self.code = QLineEdit()
        self.code.setMaxLength(40)
        self.code.setPlaceholderText(_("e.g. xa_ho_tro_giong"))
        self.name_vi = QLineEdit()
        self.name_en = QLineEdit()
        self.max_amount = AmountEdit()
        self.max_amount.setFixedWidth(140)
        self.boxes = {"code": FieldBox(self.code), "name_vi": FieldBox(self.name_vi),
                      "name_en": FieldBox(self.name_en),
                      "max_amount": FieldBox(self.max_amount, [QLabel(_("đồng"))])}
        form.addRow(_("Programme code"), self.boxes["code"])
        form.addRow(_("Vietnamese name"), self.boxes["name_vi"])
        form.addRow(_("English name"), self.boxes["name_en"])
        form.addRow(_("Ceiling (optional)"), self.boxes["max_amount"])
        self.problem = problem_label()
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(440)

    def accept(self) -> None:
        if (bad := self.max_amount.problem()):
            SupportTab._show(self.boxes, self.problem, {"max_amount": bad}, [])
            return
        if self.tab.add_programme(self.code.text(), self.name_vi.text(), self.name_en.text(),
                                  self.max_amount.value()):
            super().accept()
