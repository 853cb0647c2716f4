"""Printing from the desktop: a household's plan or certificate (register list context menu, editor
button), batch printing (plans for a hamlet or a sponsor, certificates for a decision) and the lists and
sheets. Files are written in the background through the TaskRunner (progress after 0.5 s, Cancel), then
opened in the system's viewer. The main window gets a *Print* menu through `install()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from povcase.errors import N_, PovcaseError
from povcase.i18n import _, format_number, tr
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.ui.messages import show_error
from povcase.ui.resources import icon
from povcase.ui.tasks import runner_for

LIST_KINDS: tuple[tuple[str, str], ...] = (
    ("posting", N_("Posting list (niêm yết): poor, near-poor and escaped")),
    ("poor", N_("Poor households")),
    ("near_poor", N_("Near-poor households")),
    ("escaped", N_("Households that escaped poverty or near-poverty")),
    ("newly_poor", N_("Newly poor households")),
    ("newly_near_poor", N_("Newly near-poor households")),
    ("sponsors", N_("Sponsor assignment sheet")),
    ("visits", N_("Visit sheet for a sponsor")),
)
FIRST_YEAR = 2022


# --- files: overridable in tests -----------------------------------------------------------------------
def default_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    return Path(base) / "povcase"


def safe_name(text: str) -> str:
    """A suggested file name without the characters Windows refuses ("Phiếu …/…" → "Phiếu …-…")."""
    return "".join("-" if c in '<>:"/\\|?*' else c for c in text).strip()


def ask_save_path(parent: QWidget | None, title: str, suggested: str, extensions: Sequence[str]) -> Path | None:
    """The file to write, asked with the system's save dialog; None when the officer cancels."""
    folder = default_folder()
    folder.mkdir(parents=True, exist_ok=True)
    filters = ";;".join({"pdf": "PDF (*.pdf)", "xlsx": "Excel (*.xlsx)"}[e] for e in extensions)
    path, _selected = QFileDialog.getSaveFileName(parent, title, str(folder / safe_name(suggested)), filters)
    if not path:
        return None
    out = Path(path)
    return out if out.suffix.lower().lstrip(".") in extensions else out.with_suffix("." + extensions[0])


def ask_folder(parent: QWidget | None, title: str) -> Path | None:
    folder = default_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = QFileDialog.getExistingDirectory(parent, title, str(folder))
    return Path(path) if path else None


def open_output(paths: Sequence[Path]) -> None:
    """Open what was written in the system's viewer: the file, or the folder of a one-file-each batch."""
    if not paths:
        return
    target = paths[0] if len(paths) == 1 else paths[0].parent
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def run_print(parent: QWidget, title: str, work: Callable[[Any], Any], total: int,
              on_done: Callable[[Any], None] | None = None) -> Any:
    """Run `work(progress)` in the background with a progress dialog, then open what it wrote."""
    def fn(progress: Any) -> Any:
        progress.update(0, total)
        try:
            return work(lambda done: progress.update(done, total))
        except OSError as e:  # a full disk, a file open in another program, a folder gone
            raise PovcaseError(N_("Cannot write {path}: {error}"), path=e.filename or "",
                               error=e.strerror or str(e)) from e

    def done(result: Any) -> None:
        open_output(result.value.paths)
        if on_done is not None:
            on_done(result)

    return runner_for(parent)(title, fn, done)


# --- one household -----------------------------------------------------------------------------------------
def print_household(parent: QWidget, register: Register, actor: Actor, household_uuid: str, what: str,
                    today: date) -> Any:
    """Print one household's support plan (`what` = "plan") or its certificate in force ("certificate")."""
    try:
        household = register.households.get(household_uuid)
        if what == "certificate":
            certificate = register.reports.household_certificate(household.code)
    except Exception as e:
        show_error(parent, e)
        return None
    name = _("Support plan") if what == "plan" else _("Certificate")
    path = ask_save_path(parent, name, f"{household.code} {name}.pdf", ("pdf",))
    if path is None:
        return None
    if what == "plan":
        def work(progress: Any) -> Any:
            return register.reports.print_plans(actor, [household_uuid], path, progress=progress, today=today,
                                                lang="vi")
    else:
        def work(progress: Any) -> Any:
            return register.reports.print_certificates(actor, [certificate], path, progress=progress, today=today,
                                                       lang="vi")
    return run_print(parent, tr("Printing {what} of household {code}", what=name.lower(), code=household.code),
                     work, 1)


def print_button(editor: Any) -> QPushButton:
    """The editor's *Print* button: the household's plan or certificate, as saved."""
    button = QPushButton(icon("print"), _("Print"))
    button.setToolTip(_("Print what is saved for this household"))
    menu = QMenu(button)

    def act(what: str) -> None:
        dto = editor.household
        if dto is not None:
            print_household(editor, editor.register, editor.actor, dto.uuid, what, editor.today)

    plan = menu.addAction(_("Support plan"), lambda: act("plan"))
    certificate = menu.addAction(_("Certificate"), lambda: act("certificate"))

    def before_show() -> None:  # a new household has nothing saved to print yet
        saved = editor.household is not None
        plan.setEnabled(saved)
        certificate.setEnabled(saved)

    menu.aboutToShow.connect(before_show)
    button.setMenu(menu)
    return button


# --- batch printing ----------------------------------------------------------------------------------------
class BatchPrintDialog(QDialog):
    """Plans for a hamlet or a sponsor, or certificates for a decision: one PDF or one file each."""

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.task: Any = None
        self.setWindowTitle(_("Batch printing"))
        self.setMinimumWidth(520)
        form = QFormLayout()
        self.what = QComboBox()
        self.what.addItem(_("Support plans of a hamlet's poor and near-poor households"), "hamlet")
        self.what.addItem(_("Support plans of a sponsor's households"), "sponsor")
        self.what.addItem(_("Certificates issued by a decision"), "decision")
        form.addRow(_("Print"), self.what)
        self.hamlet = QComboBox()
        self.hamlet.addItem(_("Whole commune"), "")
        for h in register.communes.hamlets():
            self.hamlet.addItem(h.name, h.uuid)
        form.addRow(_("Hamlet"), self.hamlet)
        self.sponsor = QComboBox()
        for sp in register.sponsors.list():
            self.sponsor.addItem(sp.name, sp.uuid)
        form.addRow(_("Sponsor"), self.sponsor)
        self.year = QSpinBox()
        self.year.setRange(FIRST_YEAR, today.year + 1)
        self.year.setValue(today.year)
        form.addRow(_("Year"), self.year)
        self.decision = QComboBox()
        form.addRow(_("Decision"), self.decision)
        self.one_file = QRadioButton(_("One PDF for all"))
        self.each = QRadioButton(_("One file per document, in a folder"))
        self.one_file.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.one_file)
        group.addButton(self.each)
        form.addRow(_("Output"), self.one_file)
        form.addRow("", self.each)
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = buttons.addButton(_("Print"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setIcon(icon("print"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._rows = form
        for combo in (self.what, self.hamlet, self.sponsor, self.decision):
            combo.currentIndexChanged.connect(self._update)
        self.year.valueChanged.connect(self._fill_decisions)
        self._fill_decisions()

    def _fill_decisions(self) -> None:
        self.decision.blockSignals(True)
        self.decision.clear()
        for d in self.register.reports.certificate_decisions(self.year.value()):
            self.decision.addItem(tr("No. {number} of {date} — {n} certificates", number=d.number,
                                     date=d.decided_on.strftime("%d/%m/%Y"), n=d.certificates), d.uuid)
        self.decision.blockSignals(False)
        self._update()

    def selection(self) -> list[str]:
        """What would print now: household uuids (plans) or certificate uuids."""
        mode = self.what.currentData()
        if mode == "hamlet":
            return self.register.reports.plan_households(self.today, hamlet_uuid=self.hamlet.currentData() or None)
        if mode == "sponsor":
            uuid = self.sponsor.currentData()
            return self.register.reports.plan_households(self.today, sponsor_uuid=uuid) if uuid else []
        uuid = self.decision.currentData()
        return self.register.reports.year_certificates(self.year.value(), uuid) if uuid else []

    def _update(self) -> None:
        mode = self.what.currentData()
        for widget, visible in ((self.hamlet, mode == "hamlet"), (self.sponsor, mode == "sponsor"),
                                (self.year, mode == "decision"), (self.decision, mode == "decision")):
            widget.setVisible(visible)
            label = self._rows.labelForField(widget) if hasattr(self, "_rows") else None
            if label is not None:
                label.setVisible(visible)
        n = len(self.selection())
        self.count.setText(tr("{n} households", n=format_number(n)) if mode != "decision"
                           else tr("{n} certificates", n=format_number(n)))
        self.print_button.setEnabled(n > 0)

    def start(self) -> Any:
        uuids = self.selection()
        if not uuids:
            return None
        mode = self.what.currentData()
        plans = mode != "decision"
        name = _("Support plans") if plans else _("Certificates")
        if self.one_file.isChecked():
            out = ask_save_path(self, name, safe_name(f"{name} {self._scope()}.pdf"), ("pdf",))
        else:
            out = ask_folder(self, name)
        if out is None:
            return None
        one = self.one_file.isChecked()
        reports, actor, today = self.register.reports, self.actor, self.today

        def work(progress: Any) -> Any:
            if plans:
                return reports.print_plans(actor, uuids, out, one_file=one, progress=progress, today=today)
            return reports.print_certificates(actor, uuids, out, one_file=one, progress=progress, today=today)

        self.task = run_print(self, tr("Printing {n} documents", n=len(uuids)), work, len(uuids),
                              lambda _r: self.accept())
        return self.task

    def _scope(self) -> str:
        mode = self.what.currentData()
        if mode == "hamlet":
            return self.hamlet.currentText()
        if mode == "sponsor":
            return self.sponsor.currentText()
        return str(self.year.value())


# --- lists and sheets --------------------------------------------------------------------------------------
class ListPrintDialog(QDialog):
    """The posting list and the year's lists, the sponsor assignment sheet and a visit sheet; PDF or Excel."""

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.today = today
        self.task: Any = None
        self.setWindowTitle(_("Lists and sheets"))
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        self.kind = QComboBox()
        for code, label in LIST_KINDS:
            self.kind.addItem(_(label), code)
        form.addRow(_("List"), self.kind)
        self.year = QSpinBox()
        self.year.setRange(FIRST_YEAR, today.year + 1)
        self.year.setValue(today.year)
        form.addRow(_("Year"), self.year)
        self.hamlet = QComboBox()
        self.hamlet.addItem(_("Whole commune"), "")
        for h in register.communes.hamlets():
            self.hamlet.addItem(h.name, h.uuid)
        form.addRow(_("Hamlet"), self.hamlet)
        self.sponsor = QComboBox()
        for sp in register.sponsors.list():
            self.sponsor.addItem(sp.name, sp.uuid)
        form.addRow(_("Sponsor"), self.sponsor)
        self.format = QComboBox()
        self.format.addItem("PDF", "pdf")
        self.format.addItem("Excel (.xlsx)", "xlsx")
        form.addRow(_("Format"), self.format)
        note = QLabel(_("Posting lists show only what the procedure needs: no ID numbers, health or ethnicity."))
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = buttons.addButton(_("Print"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setIcon(icon("print"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._form = form
        self.kind.currentIndexChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        kind = self.kind.currentData()
        sheets = kind in ("sponsors", "visits")
        for widget, visible in ((self.year, not sheets), (self.hamlet, not sheets), (self.sponsor, kind == "visits")):
            widget.setVisible(visible)
            label = self._form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)
        self.print_button.setEnabled(kind != "visits" or self.sponsor.count() > 0)

    def start(self) -> Any:
        kind = self.kind.currentData()
        fmt = self.format.currentData()
        title = self.kind.currentText()
        out = ask_save_path(self, title, safe_name(f"{title.split(':')[0]} {self.year.value()}.{fmt}"), (fmt,))
        if out is None:
            return None
        reports, actor, today = self.register.reports, self.actor, self.today
        year, hamlet, sponsor = self.year.value(), self.hamlet.currentData() or None, self.sponsor.currentData()

        def work(_progress: Any) -> Any:
            if kind == "sponsors":
                return reports.print_sponsor_sheet(actor, out, today=today)
            if kind == "visits":
                return reports.print_sponsor_sheet(actor, out, sponsor, today=today)
            return reports.print_list(actor, kind, year, out, hamlet, today=today)

        self.task = run_print(self, tr("Printing {what}", what=title), work, 1, lambda _r: self.accept())
        return self.task


# --- the main window's Print menu -------------------------------------------------------------------------
class _PrintMenu(QObject):
    """The *Print* menu and the list's context-menu actions, retranslated on a language switch."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.act_plan = QAction(icon("print"), "", window)
        self.act_plan.triggered.connect(lambda: self._print_selected("plan"))
        self.act_certificate = QAction(icon("print"), "", window)
        self.act_certificate.triggered.connect(lambda: self._print_selected("certificate"))
        self.act_batch = QAction(icon("print"), "", window)
        self.act_batch.triggered.connect(lambda: self.open_dialog("batch"))
        self.act_lists = QAction("", window)
        self.act_lists.triggered.connect(lambda: self.open_dialog("lists"))
        self.act_report = QAction(icon("export"), "", window)
        self.act_report.triggered.connect(lambda: self.open_dialog("report"))
        self.menu = QMenu(window)
        for a in (self.act_plan, self.act_certificate):
            self.menu.addAction(a)
        self.menu.addSeparator()
        for a in (self.act_batch, self.act_lists, self.act_report):
            self.menu.addAction(a)
        window.menuBar().insertMenu(window.menu_help.menuAction(), self.menu)  # type: ignore[attr-defined]
        table = window.table  # type: ignore[attr-defined]
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addAction(self.act_plan)
        table.addAction(self.act_certificate)
        self.dialogs: dict[str, QDialog] = {}
        self.retranslate()
        window.installEventFilter(self)

    def retranslate(self) -> None:
        self.menu.setTitle(_("&Print"))
        self.act_plan.setText(_("Print support plan"))
        self.act_certificate.setText(_("Print certificate"))
        self.act_batch.setText(_("Batch printing…"))
        self.act_lists.setText(_("Lists and sheets…"))
        self.act_report.setText(_("Commune report…"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            for d in self.dialogs.values():  # rebuilt in the new language when next opened
                d.close()
                d.deleteLater()
            self.dialogs.clear()
        return False

    def _print_selected(self, what: str) -> None:
        uuid = self.window.selected_uuid()  # type: ignore[attr-defined]
        if uuid:
            w = self.window
            print_household(w, w.register, w.actor, uuid, what, w.today)  # type: ignore[attr-defined]

    def open_dialog(self, which: str) -> QDialog:
        from povcase.ui.report_dashboard import ReportDashboard

        w = self.window
        dialog = self.dialogs.get(which)
        if dialog is None:
            kinds = {"batch": BatchPrintDialog, "lists": ListPrintDialog, "report": ReportDashboard}
            dialog = kinds[which](w.register, w.actor, w.today, w)  # type: ignore[attr-defined]
            self.dialogs[which] = dialog
        dialog.show()
        dialog.raise_()
        return dialog


def install(window: QMainWindow) -> _PrintMenu:
    """Give the main window its *Print* menu and the list's context menu; returns the menu's owner."""
    return _PrintMenu(window)
