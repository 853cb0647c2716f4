"""Sync screens: the commune's packages and per-record sync state, and the office's overview and imports.

`install_sync(window)` adds the *Đồng bộ* (Sync) menu to the main window. At an office register it also
makes the window read-only (the office never edits a commune's households) and opens the overview.
Exports and imports run through the window's TaskRunner, with a progress bar and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povcase.errors import N_
from povcase.i18n import _, format_date, format_number, tr
from povcase.services.base import Actor, Role
from povcase.services.register import Register
from povcase.services.sync import (
    ACK_HELD,
    ACK_OTHER_FILE,
    ACK_REFUSED,
    COUNT_LABELS,
    HEARTBEAT,
    KIND_LABELS,
    RECORD_LABELS,
    RECORD_TYPES,
    SEND_FULL,
    SYNC_STATES,
    ImportReport,
)
from povcase.sync.keys import read_public_key
from povcase.ui.messages import error_text, problem_text
from povcase.ui.resources import icon
from povcase.ui.tasks import TaskProgress

SCREEN_SIZE = (1100, 640)

STATE_LABELS: dict[str, str] = {"not_sent": N_("Not sent"), "sent": N_("Sent"), "accepted": N_("Accepted"),
                                "rejected": N_("Rejected")}
PREVIEW_COLUMNS = COUNT_LABELS
STATUS_LABELS: dict[str, str] = {"applied": N_("Applied"), "preview": N_("Ready to apply"),
                                 "nothing": N_("Already imported"), "held": N_("Held"), "rejected": N_("Refused")}
PACKAGE_FILTER = N_("Sync packages (*.povsync)")
KEY_FILTER = N_("Public keys (*.povkey *.json)")
ACK_FILTER = N_("Acknowledgements (*.povack)")


def _table(headers: Sequence[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], numeric: frozenset[int] = frozenset()) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _answer(package: dict[str, Any]) -> str:
    """The office's answer to a package sent: when it was acknowledged, or why it was refused or is held."""
    if package["acked_at"]:
        return str(package["acked_at"])[:16]
    refusal = package.get("refusal")
    if not refusal:
        return ""
    msgid, params = refusal["msgid"], refusal["params"]
    status = STATUS_LABELS["held"] if refusal["status"] == "held" else STATUS_LABELS["rejected"]
    return _(status) + ": " + tr(msgid, **params)


def _percent(rate: float) -> str:
    return f"{format_number(round(rate * 100, 1))} %"


def report_line(r: ImportReport) -> str:
    """One line per package: its file, commune and what happened (or why not)."""
    head = f"{r.path.name}"
    if r.commune_code:
        head += f" — {r.commune_name} ({r.commune_code}), " + tr("package {sequence}", sequence=r.sequence)
    why = tr(r.msgid, **r.params) if r.msgid else ""
    return f"{head}: {_(STATUS_LABELS[r.status])}" + (f" — {why}" if why else "")


class _Screen(QDialog):
    """Shared: a non-modal window, tasks through the runner (or inline without one), a result line."""

    def __init__(self, register: Register, actor: Actor, parent: QWidget | None,
                 run_task: Callable[..., Any] | None, title: str, icon_name: str) -> None:
        super().__init__(parent)
        self.register = register
        self.actor = actor
        self.run_task = run_task
        self.setWindowTitle(title)
        self.setWindowIcon(icon(icon_name))
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(*SCREEN_SIZE)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _run(self, title: str, fn: Callable[[TaskProgress], Any], on_done: Callable[[Any], None]) -> None:
        if self.run_task is not None:
            self.run_task(title, fn, on_done, self._failed)
            return
        try:
            result = fn(TaskProgress())
        except Exception as e:
            self._failed(e)
            return
        on_done(result)

    def _failed(self, error: BaseException) -> None:
        self.result_label.setStyleSheet("color: #b00020;")
        self.result_label.setText(error_text(error))

    def _said(self, text: str) -> None:
        self.result_label.setStyleSheet("")
        self.result_label.setText(text)

    def refresh(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# --- at the commune --------------------------------------------------------------------------------
class CommuneSyncScreen(_Screen):
    """Send packages to the upstream office, read its acknowledgements, see each record's sync state."""

    def __init__(self, register: Register, actor: Actor, parent: QWidget | None = None,
                 run_task: Callable[..., Any] | None = None) -> None:
        super().__init__(register, actor, parent, run_task, _("Sync with the upstream office"), "sync")
        self.office_label = QLabel("")
        self.office_label.setWordWrap(True)
        self.trust_button = QPushButton(_("Register the office's key…"))
        self.trust_button.clicked.connect(self._choose_office_key)
        self.key_button = QPushButton(_("Save this commune's key…"))
        self.key_button.clicked.connect(self._choose_key_target)
        self.full_box = QCheckBox(_("Full package (every record, not only what the office has not accepted)"))
        self.export_button = QPushButton(icon("export"), _("Export a package…"))
        self.export_button.clicked.connect(self._choose_export_folder)
        self.ack_button = QPushButton(_("Import an acknowledgement…"))
        self.ack_button.clicked.connect(self._choose_ack)
        self.states = _table([_("Record type"), *(_(STATE_LABELS[s]) for s in SYNC_STATES)])
        self.households = _table([_("Household code"), _("Sync state"), _("Why rejected")])
        self.packages = _table([_("Package"), _("Kind"), _("Written"), _("Record count"), _("Office's answer")])

        top = QHBoxLayout()
        top.addWidget(self.office_label, 1)
        top.addWidget(self.trust_button)
        top.addWidget(self.key_button)
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addWidget(self.full_box)
        actions.addStretch(1)
        actions.addWidget(self.ack_button)
        tables = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel(_("Sync state of the records")))
        left.addWidget(self.states)
        left.addWidget(QLabel(_("Packages sent")))
        left.addWidget(self.packages)
        right = QVBoxLayout()
        right.addWidget(QLabel(_("Households and their sync state")))
        right.addWidget(self.households)
        tables.addLayout(left, 1)
        tables.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addLayout(tables, 1)
        layout.addWidget(self.result_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        sync = self.register.sync
        offices = sync.peers("office")
        self.office_label.setText(
            tr("Upstream office: {name} (key {fingerprint})", name=offices[0].name, fingerprint=offices[0].fingerprint)
            if offices else _("No upstream office key yet: register the key file the office gave you."))
        writer = self.actor.can_write
        self.export_button.setEnabled(bool(offices) and writer)
        self.ack_button.setEnabled(bool(offices) and writer)
        self.trust_button.setEnabled(writer)
        counts = sync.state_counts()
        _fill(self.states, [[_(RECORD_LABELS[t]), *(format_number(counts[t][s]) for s in SYNC_STATES)]
                            for t in RECORD_TYPES if sum(counts[t].values())], frozenset(range(1, 5)))
        _fill(self.households, [[s.label, _(STATE_LABELS[s.state]), problem_text(s.reason) if s.reason else ""]
                                for s in sync.record_states("household")])
        _fill(self.packages, [[str(p["sequence"]), _(KIND_LABELS.get(p["kind"], p["kind"])), p["recorded_at"][:16],
                               format_number(sum(p["summary"].values())), _answer(p)]
                              for p in sync.packages() if p["direction"] == "out"], frozenset({0, 3}))

    # file choosers (thin: the work is in the methods below, which tests call directly)
    def _choose_office_key(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, self.trust_button.text(), "", _(KEY_FILTER))
        if path:
            self.trust_office_file(Path(path))

    def _choose_key_target(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, self.key_button.text(), "commune.povkey", _(KEY_FILTER))
        if path:
            self.save_key(Path(path))

    def _choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.export_button.text())
        if folder:
            self.export_to(Path(folder))

    def _choose_ack(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, self.ack_button.text(), "", _(ACK_FILTER))
        if path:
            self.import_ack_file(Path(path))

    def trust_office_file(self, path: Path) -> None:
        try:
            key = read_public_key(path)
            fingerprint = self.register.sync.trust(self.actor, key).value
        except Exception as e:
            self._failed(e)
            return
        self._said(tr("Registered the key of {name} ({code}); fingerprint {fingerprint} — compare it with the "
                      "sender's", name=key.name, code=key.code, fingerprint=fingerprint))
        self.refresh()

    def save_key(self, path: Path) -> None:
        try:
            key = self.register.sync.own_public_key()
            key.write(path)
        except Exception as e:
            self._failed(e)
            return
        self._said(tr("Public key of {name} ({code}) written to {path}; fingerprint {fingerprint}",
                      name=key.name, code=key.code, path=str(path), fingerprint=key.fingerprint))

    def export_to(self, folder: Path) -> None:
        full = self.full_box.isChecked()

        def work(p: TaskProgress) -> Any:
            return self.register.sync.export(self.actor, folder, full=full,
                                             progress=lambda done, total: p.update(done, total)).value

        def done(result: Any) -> None:
            records = sum(result.counts.values())
            self._said(tr("Package {sequence} ({kind}): {records} records", sequence=result.sequence,
                          kind=_(KIND_LABELS[result.kind]), records=records) + f" → {result.path}"
                       + ("" if records else "\n" + tr(HEARTBEAT, sequence=result.sequence)))
            self.refresh()

        self._run(_("Exporting a package"), work, done)

    def import_ack_file(self, path: Path) -> None:
        def done(result: Any) -> None:
            if result.reason is not None:
                head = ACK_HELD if result.status == "held" else ACK_REFUSED
                lines = [tr(head, sequence=result.sequence, reason=problem_text(result.reason))]
                if result.status == "refused":
                    lines.append(_(SEND_FULL))
                if not result.same_file:
                    lines.append(_(ACK_OTHER_FILE))
            else:
                lines = [tr("Acknowledgement of package {sequence}: {accepted} records accepted, {rejected} rejected",
                            sequence=result.sequence, accepted=result.accepted, rejected=len(result.rejected))]
            self._said("\n".join(lines))
            self.refresh()

        self._run(_("Importing an acknowledgement"),
                  lambda p: self.register.sync.import_ack(self.actor, path).value, done)


# --- at the office ----------------------------------------------------------------------------------
class ImportPreviewDialog(QDialog):
    """What the packages would change, per record type, with every refused record and why; Apply or not."""

    def __init__(self, reports: Sequence[ImportReport], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Preview of the import"))
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        self.lines = QLabel("\n".join(report_line(r) for r in reports))
        self.lines.setWordWrap(True)
        layout.addWidget(self.lines)
        totals: dict[str, dict[str, int]] = {}
        for r in reports:
            for t, counts in r.counts.items():
                for k, n in counts.items():
                    totals.setdefault(t, dict.fromkeys(PREVIEW_COLUMNS, 0))[k] += n
        self.counts = _table([_("Record type"), *(_(v) for v in PREVIEW_COLUMNS.values())])
        _fill(self.counts, [[_(RECORD_LABELS[t]), *(format_number(totals[t][k]) for k in PREVIEW_COLUMNS)]
                            for t in RECORD_TYPES if t in totals and sum(totals[t].values())], frozenset(range(1, 5)))
        layout.addWidget(self.counts, 1)
        rejected = [(r, x) for r in reports for x in r.rejected]
        self.rejected = _table([_("Record type"), "UUID", _("Field"), _("Why rejected")])
        _fill(self.rejected, [[_(RECORD_LABELS.get(x.record_type, x.record_type)), x.uuid, x.field,
                               tr(x.msgid, **x.params)] for _r, x in rejected[:2000]])
        layout.addWidget(QLabel(tr("{n} records will be refused", n=format_number(len(rejected)))))
        layout.addWidget(self.rejected, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton(_("Apply"), QDialogButtonBox.ButtonRole.AcceptRole)
        # A refused or held package of a registered commune is "applied" too: held, and acknowledged with why.
        self.apply_button.setEnabled(any(r.to_apply for r in reports))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


class OfficeOverviewScreen(_Screen):
    """The communes side by side, people in two communes, and importing the communes' packages."""

    def __init__(self, register: Register, actor: Actor, parent: QWidget | None = None,
                 run_task: Callable[..., Any] | None = None) -> None:
        s = register.sync.settings()
        super().__init__(register, actor, parent, run_task,
                         tr("{office} — communes", office=s.get("office_name", "")), "sync")
        self.import_button = QPushButton(_("Import packages…"))
        self.import_button.clicked.connect(self._choose_packages)
        self.trust_button = QPushButton(_("Register a commune's key…"))
        self.trust_button.clicked.connect(self._choose_commune_key)
        self.key_button = QPushButton(_("Save this office's key…"))
        self.key_button.clicked.connect(self._choose_key_target)
        self.communes = _table([_("Commune code"), _("Commune"), _("Households"), _("Members"), _("Assessments"),
                                _("Plans"), _("Sponsors"), _("Support records"), _("Poor"), _("Near-poor"),
                                _("Last package"), _("Received"), _("Held")])
        self.shared = _table([_("ID number"), _("Names"), _("Households")])
        actions = QHBoxLayout()
        for b in (self.import_button, self.trust_button, self.key_button):
            actions.addWidget(b)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.communes, 2)
        box = QGroupBox(_("People found in households of two communes (same ID number)"))
        QVBoxLayout(box).addWidget(self.shared)
        layout.addWidget(box, 1)
        layout.addWidget(self.result_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        sync = self.register.sync
        writer = self.actor.can_write
        for b in (self.import_button, self.trust_button):
            b.setEnabled(writer)
        rows = []
        for c in sync.overview():
            n = c.counts
            rows.append([c.code, c.name, *(format_number(n[k]) for k in ("households", "members", "assessments",
                                                                         "plans", "sponsors", "support_records")),
                         _percent(c.poor_rate), _percent(c.near_poor_rate),
                         f"{c.last_sequence} ({_(KIND_LABELS.get(c.last_kind, c.last_kind))})" if c.last_sequence else "—",
                         format_date(c.last_applied), str(c.held) if c.held else ""])
        _fill(self.communes, rows, frozenset(range(2, 10)))
        _fill(self.shared, [[p.id_number, ", ".join(p.names), ", ".join(f"{c} {h}" for c, h in p.households)]
                            for p in sync.shared_people()])

    def _choose_packages(self) -> None:
        paths, _f = QFileDialog.getOpenFileNames(self, self.import_button.text(), "", _(PACKAGE_FILTER))
        if paths:
            self.preview_files([Path(p) for p in paths])

    def _choose_commune_key(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, self.trust_button.text(), "", _(KEY_FILTER))
        if path:
            self.trust_commune_file(Path(path))

    def _choose_key_target(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, self.key_button.text(), "office.povkey", _(KEY_FILTER))
        if path:
            try:
                key = self.register.sync.own_public_key()
                key.write(Path(path))
            except Exception as e:
                self._failed(e)
                return
            self._said(tr("Public key of {name} ({code}) written to {path}; fingerprint {fingerprint}",
                          name=key.name, code=key.code, path=path, fingerprint=key.fingerprint))

    def trust_commune_file(self, path: Path) -> None:
        try:
            key = read_public_key(path)
            fingerprint = self.register.sync.trust(self.actor, key).value
        except Exception as e:
            self._failed(e)
            return
        self._said(tr("Registered the key of {name} ({code}); fingerprint {fingerprint} — compare it with the "
                      "sender's", name=key.name, code=key.code, fingerprint=fingerprint))

    def _import(self, paths: Sequence[Path], dry_run: bool, on_done: Callable[[list[ImportReport]], None]) -> None:
        def work(p: TaskProgress) -> list[ImportReport]:
            p.update(0, len(paths))
            return self.register.sync.import_packages(self.actor, paths, dry_run=dry_run,
                                                      progress=lambda done, total: p.update(done, total))

        self._run(_("Checking the packages") if dry_run else _("Importing the packages"), work, on_done)

    def preview_files(self, paths: Sequence[Path]) -> None:
        """Check everything and show the preview; Apply imports for real."""
        def done(reports: list[ImportReport]) -> None:
            dialog = ImportPreviewDialog(reports, self)
            if self.exec_preview(dialog) == QDialog.DialogCode.Accepted:
                self.apply_files([r.path for r in reports if r.to_apply])
            else:
                self._said("\n".join(report_line(r) for r in reports))

        self._import(paths, True, done)

    def exec_preview(self, dialog: ImportPreviewDialog) -> int:
        return dialog.exec()

    def apply_files(self, paths: Sequence[Path]) -> None:
        def done(reports: list[ImportReport]) -> None:
            lines = [report_line(r) for r in reports]
            lines += [tr("Acknowledgement: {path}", path=str(r.ack_path)) for r in reports if r.ack_path]
            self._said("\n".join(lines))
            self.refresh()

        self._import(paths, False, done)


# --- the hook in the main window ----------------------------------------------------------------------
class _SyncMenu(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction(icon("sync"), "", window)
        self.action.triggered.connect(lambda: window.open_screen("sync"))
        self.menu = window.menuBar().addMenu("")
        self.menu.addAction(self.action)
        window.installEventFilter(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.menu.setTitle(_("S&ync"))
        self.action.setText(_("Communes and packages") if self.window.register.sync.is_office()
                            else _("Sync with the upstream office"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False


def install_sync(window: Any) -> None:
    """Add the Sync menu; at an office, make the register read-only and open the communes overview."""
    window.sync_actor = window.actor
    window.register.sync.ensure_keys()  # a commune just set up in the wizard gets its keys now
    window.sync_menu = _SyncMenu(window)
    if window.register.sync.is_office():
        # The communes own their households: at the office the list and the editor only read.
        window.actor = Actor(window.actor.name, Role.VIEWER)
        window._update_actions()
        window.open_screen("sync")


def sync_screen(window: Any) -> QDialog:
    """The screen `open_screen("sync")` shows: the overview at an office, the commune's sync otherwise."""
    kind = OfficeOverviewScreen if window.register.sync.is_office() else CommuneSyncScreen
    return kind(window.register, window.sync_actor, window, window.run_task)
