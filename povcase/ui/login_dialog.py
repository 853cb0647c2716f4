"""Who is at the keyboard: the login dialog shown at start when any account has a password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from povcase import APP_TITLE
from povcase.errors import PovcaseError
from povcase.i18n import _, tr
from povcase.services.accounts import AccountDTO, AuthenticationError
from povcase.services.register import Register
from povcase.ui.messages import error_text
from povcase.ui.resources import icon

_ERROR_STYLE = "color: #b00020;"


class LoginDialog(QDialog):
    """User name and password; Enter logs in, Esc cancels. A wrong password keeps the dialog open,
    says so without telling which of the two was wrong, and empties the password box."""

    def __init__(self, register: Register, parent: QWidget | None = None, last_username: str = "") -> None:
        super().__init__(parent)
        self.register = register
        self.account: AccountDTO | None = None
        self.setWindowTitle(tr("Log in — {app}", app=APP_TITLE))
        pic = icon("login")
        if not pic.isNull():
            self.setWindowIcon(pic)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.setContentsMargins(18, 16, 18, 14)

        commune = register.communes.local_commune()
        self.heading = heading = QLabel(tr("Register of {commune}, {province}", commune=commune.name,
                            province=commune.province_name) if commune else _("Household register"))
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        layout.addWidget(heading)

        form = QFormLayout()
        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(40)
        form.addRow(_("User name:"), self.username_edit)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Password:"), self.password_edit)
        self.show_check = QCheckBox(_("Show the password"))
        self.show_check.toggled.connect(self._show_toggled)
        form.addRow("", self.show_check)
        layout.addLayout(form)

        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(_ERROR_STYLE)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        hint = QLabel(_("Forgot your password? The administrator of this register can set a new one."))
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.login_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.login_button.setText(_("Log in"))
        self.login_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if not last_username:
            accounts = register.accounts.accounts()
            if len(accounts) == 1:  # one officer on this PC: spare them typing their own name
                last_username = accounts[0].username
        self.username_edit.setText(last_username)
        (self.password_edit if last_username else self.username_edit).setFocus()
        self.setMinimumWidth(460)

    def _show_toggled(self, on: bool) -> None:
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def accept(self) -> None:
        username = self.username_edit.text().strip()
        if not username:
            self._say(_("Enter your user name."))
            self.username_edit.setFocus()
            return
        try:
            self.account = self.register.accounts.authenticate(username, self.password_edit.text())
        except AuthenticationError as e:
            self._say(tr(e.msgid, **e.params))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        except PovcaseError as e:
            self._say(error_text(e))
            return
        self._say("")
        super().accept()
