"""The main window: the register list with search, filters and counts; the household editor opens
from here. Everything visible is (re)set in `retranslate()`, so switching language takes effect at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from povcase import APP_TITLE, __version__
from povcase.domain.standards import STANDARDS
from povcase.errors import N_
from povcase.i18n import _, current_language, format_number, tr
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.ui import print_screens
from povcase.ui.household_model import COLUMNS, HouseholdTableModel, status_label
from povcase.ui.messages import show_error
from povcase.ui.resources import icon
from povcase.ui.sync_screens import install_sync

SEARCH_DEBOUNCE_MS = 250
STATUS_FILTERS = (("", N_("All statuses")), ("poor", N_("Poor")), ("near_poor", N_("Near-poor")),
                  ("escaped", N_("Escaped poverty this year")), ("middle", N_("Middle living standard")),
                  ("not_poor", N_("Not poor")), ("none", N_("Not assessed")))


class SettingsDialog(QDialog):
    """Preferences: for now the language (Vietnamese or English)."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        form = QFormLayout(self)
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        form.addRow(_("Language"), self.language)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_language(self) -> str:
        return str(self.language.currentData())


class MainWindow(QMainWindow):
    language_change_requested = Signal(str)

    def __init__(self, register: Register, actor: Actor, today: date | None = None,
                 run_task: Callable[..., Any] | None = None) -> None:
        super().__init__()
        self.register = register
        self.actor = actor
        self.today = today or date.today()
        self.run_task = run_task
        self.setWindowIcon(icon("povcase"))
        self.resize(1280, 720)
        self.setMinimumSize(900, 560)

        self.model = HouseholdTableModel(register.search, self)
        self._screens: dict[str, Any] = {}
        self._build_actions()
        self._build_central()
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.retranslate()  # fills the filters; the list and its counts load once, just below
        self.print_menu = print_screens.install(self)
        self.apply_filters()
        install_sync(self)  # the Sync menu; an office register opens read-only on its communes overview

    # --- construction ------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.act_new = QAction(icon("household-add"), "", self, shortcut=QKeySequence.StandardKey.New)
        self.act_new.triggered.connect(self.new_household)
        self.act_edit = QAction(icon("household-edit"), "", self, shortcut=QKeySequence(Qt.Key.Key_Return))
        self.act_edit.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_edit.triggered.connect(self.edit_selected)
        self.act_delete = QAction(icon("household-delete"), "", self)
        self.act_delete.triggered.connect(self.delete_selected)
        self.act_search = QAction(icon("search"), "", self, shortcut=QKeySequence.StandardKey.Find)
        self.act_search.triggered.connect(self._focus_search)
        self.act_refresh = QAction(icon("refresh"), "", self, shortcut=QKeySequence(Qt.Key.Key_F5))
        self.act_refresh.triggered.connect(self.apply_filters)
        self.act_clear = QAction(icon("filter-clear"), "", self, shortcut=QKeySequence("Ctrl+Shift+L"))
        self.act_clear.triggered.connect(self.clear_filters)
        self.act_sponsors = QAction(icon("sponsor"), "", self)
        self.act_sponsors.triggered.connect(lambda: self.open_screen("sponsors"))
        self.act_due = QAction(icon("due"), "", self, shortcut=QKeySequence("Ctrl+D"))
        self.act_due.triggered.connect(lambda: self.open_screen("due"))
        self.act_review = QAction(icon("review"), "", self, shortcut=QKeySequence("Ctrl+R"))
        self.act_review.triggered.connect(lambda: self.open_screen("review"))
        self.act_support_report = QAction(icon("support"), "", self)
        self.act_support_report.triggered.connect(lambda: self.open_screen("support"))
        self.act_settings = QAction(icon("settings"), "", self)
        self.act_settings.triggered.connect(self.open_settings)
        self.act_quit = QAction("", self, shortcut=QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)
        self.act_about = QAction("", self)
        self.act_about.triggered.connect(self._about)

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_new, self.act_edit, self.act_delete):
            self.toolbar.addAction(a)
        self.toolbar.addSeparator()
        for a in (self.act_review, self.act_due, self.act_sponsors, self.act_support_report):
            self.toolbar.addAction(a)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.act_refresh)
        self.toolbar.addAction(self.act_settings)
        self.addToolBar(self.toolbar)

        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.menu_file.addAction(self.act_new)
        self.menu_file.addAction(self.act_settings)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_household = bar.addMenu("")
        for a in (self.act_edit, self.act_delete, self.act_search, self.act_clear, self.act_refresh):
            self.menu_household.addAction(a)
        self.menu_cases = bar.addMenu("")
        for a in (self.act_review, self.act_due, self.act_sponsors, self.act_support_report):
            self.menu_cases.addAction(a)
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.act_about)

    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)

        row = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.textChanged.connect(lambda _text: self._debounce.start())
        self.search_box.returnPressed.connect(self._search_now)
        row.addWidget(self.search_box, 3)
        self.hamlet_filter = QComboBox()
        self.status_filter = QComboBox()
        self.year_filter = QComboBox()
        self.standard_filter = QComboBox()
        self.ethnic_filter = QComboBox()
        for combo in (self.hamlet_filter, self.status_filter, self.year_filter, self.standard_filter,
                      self.ethnic_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.apply_filters)
            row.addWidget(combo)
        layout.addLayout(row)

        row2 = QHBoxLayout()
        self.no_sponsor = QCheckBox()
        self.overdue = QCheckBox()
        for box in (self.no_sponsor, self.overdue):
            box.toggled.connect(self.apply_filters)
            row2.addWidget(box)
        row2.addStretch(1)
        self.clear_button = QPushButton(icon("filter-clear"), "")
        self.clear_button.clicked.connect(self.clear_filters)
        row2.addWidget(self.clear_button)
        layout.addLayout(row2)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        widths = {"code": 130, "head": 230, "hamlet": 150, "members": 90, "status": 190, "deprivations": 110,
                  "sponsor": 160, "assessed": 130}
        for i, (cid, _label, _key) in enumerate(COLUMNS):
            self.table.setColumnWidth(i, widths[cid])
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.addAction(self.act_edit)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.model.modelReset.connect(self._update_actions)
        layout.addWidget(self.table, 1)

        self.empty_hint = QLabel()
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()
        layout.addWidget(self.empty_hint)
        self.setCentralWidget(central)
        self.count_label = QLabel()
        self.statusBar().addWidget(self.count_label, 1)
        self.user_label = QLabel()
        self.statusBar().addPermanentWidget(self.user_label)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        commune = self.register.communes.local_commune()
        self.setWindowTitle(f"{commune.name} — {APP_TITLE}" if commune else APP_TITLE)
        self.heading.setText(tr("{commune}, {province}", commune=commune.name, province=commune.province_name)
                             if commune else APP_TITLE)
        texts = {self.act_new: _("New household"), self.act_edit: _("Open household"),
                 self.act_delete: _("Remove household"), self.act_search: _("Search"),
                 self.act_refresh: _("Refresh"), self.act_clear: _("Clear filters"),
                 self.act_settings: _("Settings"), self.act_quit: _("Quit"), self.act_about: _("About povcase"),
                 self.act_due: _("Due this week"), self.act_sponsors: _("Sponsors"),
                 self.act_support_report: _("Support report"), self.act_review: _("Review")}
        for action, text in texts.items():
            action.setText(text)
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text} ({shortcut})" if shortcut else text)
        self.menu_file.setTitle(_("&File"))
        self.menu_household.setTitle(_("&Households"))
        self.menu_cases.setTitle(_("&Support"))
        self.menu_help.setTitle(_("&Help"))
        self.search_box.setPlaceholderText(_("Search by name, code, ID number or hamlet — diacritics optional "
                                             "(Ctrl+F)"))
        self.no_sponsor.setText(_("Has no sponsor"))
        self.overdue.setText(_("Has an overdue action"))
        self.no_sponsor.setToolTip(_("Households nobody follows today"))
        self.overdue.setToolTip(_("Households with an escape-plan action past its due date"))
        self.clear_button.setText(_("Clear filters"))
        self.user_label.setText(tr("Signed in: {name}", name=self.actor.name))
        self._fill_filter_choices()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.model.loaded:
            self.model.refresh_rows()
            self._update_counts()

    def _fill_filter_choices(self) -> None:
        """(Re)fill the filter combos, keeping what is chosen."""
        def refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

        refill(self.hamlet_filter, [(_("All hamlets"), "")] + [(h.name, h.uuid) for h in self.register.communes.hamlets()])
        refill(self.status_filter, [(_(label), code) for code, label in STATUS_FILTERS])
        years = list(range(self.today.year + 1, 2021, -1))
        refill(self.year_filter, [(_("All years"), 0)] + [(str(y), y) for y in years])
        refill(self.standard_filter, [(_("All standards"), "")] + [(tr("Standard {code}", code=code), code)
                                                                     for code in STANDARDS])
        refill(self.ethnic_filter, [(_("All ethnic groups"), "")] + [(g, g) for g in self.register.search.ethnicity_groups()])

    # --- filtering ---------------------------------------------------------------------------------
    def current_filter(self) -> HouseholdFilter:
        hamlet = self.hamlet_filter.currentData()
        status = self.status_filter.currentData()
        return HouseholdFilter(
            text=self.search_box.text(),
            hamlet_uuids=(hamlet,) if hamlet else (),
            statuses=(status,) if status else (),
            year=self.year_filter.currentData() or None,
            standard=self.standard_filter.currentData() or None,
            ethnicity_group=self.ethnic_filter.currentData() or None,
            no_sponsor=self.no_sponsor.isChecked(),
            overdue=self.overdue.isChecked(),
            today=self.today,
        )

    def _search_now(self) -> None:
        self._debounce.stop()
        self.apply_filters()

    def apply_filters(self) -> None:
        try:
            self.model.set_filter(self.current_filter())
        except Exception as e:  # a broken register must not take the window down
            show_error(self, e)
            return
        self._update_counts()
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def clear_filters(self) -> None:
        for combo in (self.hamlet_filter, self.status_filter, self.year_filter, self.standard_filter,
                      self.ethnic_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for widget in (self.search_box, self.no_sponsor, self.overdue):
            widget.blockSignals(True)
        self.search_box.clear()
        self.no_sponsor.setChecked(False)
        self.overdue.setChecked(False)
        for widget in (self.search_box, self.no_sponsor, self.overdue):
            widget.blockSignals(False)
        self.apply_filters()

    def _update_counts(self) -> None:
        counts = self.model.status_counts
        total = sum(counts.values())
        parts = [tr("{n} households", n=format_number(total))]
        for status in ("poor", "near_poor", "middle", "not_poor", None):
            if counts.get(status):
                parts.append(f"{status_label(status)}: {format_number(counts[status])}")
        self.count_label.setText("   ·   ".join(parts))
        has_rows = self.model.rowCount() > 0
        self.empty_hint.setVisible(not has_rows)
        if not has_rows:
            self.empty_hint.setText(_("No household matches. Check the spelling, or clear the filters.")
                                    if self.register.search.count(HouseholdFilter())
                                    else _("The register has no households yet. Add one with “New household” "
                                           "(Ctrl+N)."))

    def _update_actions(self) -> None:
        selected = self.selected_uuid() is not None
        writer = self.actor.can_write
        self.act_edit.setEnabled(selected)
        self.act_delete.setEnabled(selected and writer)
        self.act_new.setEnabled(writer)

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- actions -------------------------------------------------------------------------------------
    def selected_uuid(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return self.model.uuid_at(index.row())

    def open_editor(self, uuid: str | None) -> QDialog:
        from povcase.ui.household_editor import HouseholdEditor

        editor = HouseholdEditor(self.register, self.actor, uuid, parent=self, today=self.today)
        editor.saved.connect(lambda _changes: self._after_save())
        return editor

    def new_household(self) -> None:
        if not self.register.communes.hamlets():
            QMessageBox.information(self, APP_TITLE, _("Add a hamlet first (the commune has none)."))
            return
        self.open_editor(None).exec()

    def edit_selected(self) -> None:
        uuid = self.selected_uuid()
        if uuid:
            self.open_editor(uuid).exec()

    def delete_selected(self) -> None:
        uuid = self.selected_uuid()
        if not uuid:
            return
        household = self.register.households.get(uuid)
        reason, ok = QInputDialog.getText(
            self, _("Remove household"),
            tr("Why is household {code} ({head}) removed from the register? (moved away, merged, died out…)\n"
               "It stays in the history and can be restored.", code=household.code, head=household.head_name))
        if not ok:
            return
        try:
            self.register.households.delete(self.actor, uuid, reason)
        except Exception as e:
            show_error(self, e)
            return
        self._after_save()

    def _after_save(self) -> None:
        self._fill_filter_choices()
        self.model.reload()
        self._update_counts()
        for screen in self._screens.values():
            screen.refresh()

    def open_screen(self, which: str) -> QDialog:
        """Sponsors, the due list, the support report or the review, in their own window beside the list."""
        from povcase.ui.case_screens import DueListScreen, SponsorsScreen, SupportReportScreen
        from povcase.ui.review_screens import ReviewScreen
        from povcase.ui.sync_screens import sync_screen

        kinds = {"sponsors": SponsorsScreen, "due": DueListScreen, "support": SupportReportScreen,
                 "review": ReviewScreen, "sync": lambda _r, _a, _t, window: sync_screen(window)}
        screen = self._screens.get(which)
        if screen is None:
            screen = kinds[which](self.register, self.actor, self.today, self)
            if hasattr(screen, "open_household"):
                screen.open_household.connect(self._open_from_screen)
            if hasattr(screen, "register_changed"):  # the review's decision changes statuses
                screen.register_changed.connect(self._after_save)
            self._screens[which] = screen
        else:
            screen.refresh()
        screen.show()
        screen.raise_()
        return screen

    def _open_from_screen(self, uuid: str) -> None:
        self.open_editor(uuid).exec()
        for screen in self._screens.values():
            screen.refresh()

    def open_settings(self) -> None:
        dialog = SettingsDialog(current_language(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen_language() != current_language():
            self.language_change_requested.emit(dialog.chosen_language())

    def _about(self) -> None:
        QMessageBox.about(self, _("About povcase"),
                          tr("povcase {version}\nRegister of poor and near-poor households for commune "
                             "poverty officers.\nFree software under the GNU GPL, version 3 or later.",
                             version=__version__))

    # --- Qt events -----------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            # The side screens are rebuilt in the new language the next time they are opened.
            for screen in self._screens.values():
                screen.close()
                screen.deleteLater()
            self._screens.clear()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        runner = getattr(self.run_task, "__self__", None)
        if runner is not None and hasattr(runner, "wait_idle"):
            runner.wait_idle()
        super().closeEvent(event)
