"""The main window. For now: the commune, its counts and a searchable first page of the register;
on an empty register, an offer to set up a demo commune. (The full desktop comes with issue #3.)"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from povcase import APP_TITLE
from povcase.domain.standards import CLASSIFICATION_LABELS, Classification
from povcase.i18n import _, current_language, tr
from povcase.services.base import SYSTEM
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter

PAGE = 500


class MainWindow(QMainWindow):
    def __init__(self, register: Register) -> None:
        super().__init__()
        self.register = register
        self.setWindowTitle(APP_TITLE)
        self.resize(1200, 720)
        central = QWidget()
        layout = QVBoxLayout(central)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.heading)
        self.demo_button = QPushButton(_("Try with a demo commune"))
        self.demo_button.clicked.connect(self._make_demo)
        layout.addWidget(self.demo_button)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(_("Search by name, code, ID number or hamlet — diacritics optional"))
        self.search_box.setClearButtonEnabled(True)
        layout.addWidget(self.search_box)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Code"), _("Head of household"), _("Hamlet"), _("Status"),
                                              _("Members")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.setCentralWidget(central)
        # Debounce typing so a search runs once the officer pauses, not on every key.
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._debounce.start)
        self.refresh()

    def refresh(self) -> None:
        commune = self.register.communes.local_commune()
        self.demo_button.setVisible(commune is None)
        self.search_box.setEnabled(commune is not None)
        if commune is None:
            self.heading.setText(_("This register is empty. Set up your commune, or try povcase with a demo "
                                   "commune."))
            self.table.setRowCount(0)
            return
        page = self.register.search.search(HouseholdFilter(text=self.search_box.text()), limit=PAGE)
        self.heading.setText(tr("{commune}, {province} — {n} households", commune=commune.name,
                                province=commune.province_name, n=page.total))
        lang_index = 0 if current_language() == "vi" else 1
        self.table.setRowCount(len(page.rows))
        for i, row in enumerate(page.rows):
            status = CLASSIFICATION_LABELS[Classification(row.status)][lang_index] if row.status else "—"
            for j, value in enumerate((row.code, row.head_name, row.hamlet_name, status, str(row.members_count))):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _make_demo(self) -> None:
        from povcase.services.demo import build_demo

        try:
            build_demo(self.register, SYSTEM, 2000)
        except Exception as e:  # shown to the officer, and logged
            QMessageBox.critical(self, APP_TITLE, str(e))
            raise
        self.refresh()
