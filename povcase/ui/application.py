"""QApplication set-up and the first window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from povcase import APP_NAME, APP_TITLE
from povcase.services.register import Register
from povcase.ui.main_window import MainWindow


def run(register: Register, lang: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    window = MainWindow(register)
    window.show()
    return app.exec()
