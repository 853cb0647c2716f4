"""QApplication set-up and the start of a session: fonts, Qt's own strings in our language, then the
setup wizard (empty register), the login (when accounts have passwords), and the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from povcase import APP_NAME, APP_TITLE, i18n
from povcase.services.base import Actor, Role
from povcase.services.register import Register
from povcase.ui.messages import show_error
from povcase.ui.qt_i18n import install_qt_translator
from povcase.ui.resources import icon, load_fonts

LAST_USER = "last_username"


def make_app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setWindowIcon(icon("povcase"))
    load_fonts(app)
    install_qt_translator()
    return app


def session_actor(register: Register, parent: QWidget | None = None) -> Actor | None:
    """Who is working: asks for a password when any account has one; None if they cancel."""
    accounts = register.accounts.accounts()
    if register.accounts.login_required():
        from povcase.ui.login_dialog import LoginDialog

        dialog = LoginDialog(register, parent, last_username=register.communes.setting(LAST_USER) or "")
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.account is None:
            return None
        register.communes.set_setting(dialog.account.actor(), LAST_USER, dialog.account.username)
        return dialog.account.actor()
    if len(accounts) == 1:
        return accounts[0].actor()
    return Actor(register.communes.setting("officer_name") or _fallback_name(), Role.OFFICER)


def _fallback_name() -> str:
    return i18n.tr("Commune officer")


def switch_language(register: Register, actor: Actor, lang: str) -> None:
    """Switch at once: every window gets Qt's LanguageChange event and retranslates itself."""
    chosen = i18n.install(lang)
    register.communes.set_setting(actor, "language", chosen)
    install_qt_translator()


def run(register: Register, lang: str) -> int:
    app = make_app()
    from povcase.ui.main_window import MainWindow
    from povcase.ui.tasks import TaskRunner

    runner = TaskRunner(None)
    try:
        if not register.communes.is_set_up():
            from povcase.ui.setup_wizard import SetupWizard

            wizard = SetupWizard(register, None, run_task=runner.run)
            if wizard.exec() != QDialog.DialogCode.Accepted or not register.communes.is_set_up():
                return 0
            actor = wizard.result_actor or session_actor(register)
        else:
            actor = session_actor(register)
        if actor is None:
            return 0
        window = MainWindow(register, actor, run_task=runner.run)
        window.language_change_requested.connect(lambda new: switch_language(register, actor, new))
        window.show()
        return app.exec()
    except Exception as e:  # last resort: tell the officer, log the details
        show_error(None, e)
        return 1
    finally:
        runner.wait_idle()
        QCoreApplication.processEvents()
