"""Showing errors and problems to the officer, in their language, the same way everywhere."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from povcase import APP_TITLE
from povcase.errors import FieldProblem, PovcaseError, ValidationError
from povcase.i18n import _, tr

log = logging.getLogger(__name__)


def problem_text(problem: FieldProblem) -> str:
    """One problem as the officer reads it (the field label is shown by the form beside it)."""
    return tr(problem.msgid, **problem.params)


def error_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "\n".join(problem_text(p) for p in error.problems)
    if isinstance(error, PovcaseError):
        return tr(error.msgid, **error.params)
    return _("Something went wrong. The details are in the log file; nothing was saved.")


def show_error(parent: QWidget | None, error: BaseException, title: str | None = None) -> None:
    """Explain an error in a message box; unexpected ones are logged with their traceback."""
    if not isinstance(error, PovcaseError):
        log.error("unexpected error", exc_info=error)
    QMessageBox.warning(parent, title or APP_TITLE, error_text(error))


def confirm(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    answer = QMessageBox.question(parent, title or APP_TITLE, question,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
