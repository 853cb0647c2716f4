"""The login dialog: the right password logs in; a wrong one says so and keeps the dialog open."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from povcase import i18n
from povcase.services.accounts import AccountInput
from povcase.services.base import SYSTEM, Role
from povcase.ui.login_dialog import LoginDialog


@pytest.fixture
def with_accounts(register):
    register.accounts.create(SYSTEM, AccountInput("lan.thach", "Thạch Thị Lan", Role.ADMIN, "matkhau123"))
    register.accounts.create(SYSTEM, AccountInput("binh.le", "Lê Văn Bình", Role.VIEWER, "xemthoi99"))
    return register


def _dialog(qtbot, register, **kwargs) -> LoginDialog:
    dialog = LoginDialog(register, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_right_password_logs_in_with_enter(qtbot, with_accounts):
    dialog = _dialog(qtbot, with_accounts, last_username="lan.thach")
    assert dialog.username_edit.text() == "lan.thach"
    dialog.password_edit.setText("matkhau123")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.account is not None and dialog.account.username == "lan.thach"
    assert dialog.account.role is Role.ADMIN


def test_wrong_password_says_so_and_stays_open(qtbot, with_accounts):
    dialog = _dialog(qtbot, with_accounts)
    assert dialog.username_edit.text() == ""  # two accounts: no guess
    dialog.username_edit.setText("lan.thach")
    dialog.password_edit.setText("matkhau")
    dialog.login_button.click()
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.account is None
    assert dialog.message.isVisible()
    assert dialog.message.text() == i18n.tr("Wrong user name or password")
    assert dialog.password_edit.text() == ""
    # Then the right one works.
    dialog.password_edit.setText("matkhau123")
    dialog.login_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_english_message(qtbot, with_accounts):
    i18n.install("en")
    dialog = _dialog(qtbot, with_accounts)
    dialog.username_edit.setText("nobody")
    dialog.password_edit.setText("whatever1")
    dialog.login_button.click()
    assert dialog.message.text() == "Wrong user name or password"


def test_escape_cancels(qtbot, with_accounts):
    dialog = _dialog(qtbot, with_accounts)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.account is None


def test_empty_user_name_is_asked_for(qtbot, with_accounts):
    dialog = _dialog(qtbot, with_accounts)
    dialog.login_button.click()
    assert dialog.isVisible() and dialog.message.isVisible()
    assert dialog.account is None


def test_single_account_is_filled_in(qtbot, register):
    register.accounts.create(SYSTEM, AccountInput("lan.thach", "Thạch Thị Lan", Role.ADMIN, "matkhau123"))
    dialog = _dialog(qtbot, register)
    assert dialog.username_edit.text() == "lan.thach"
    assert "Xã Trà Cú" in dialog.heading.text()
    assert dialog.password_edit.hasFocus() or not dialog.isActiveWindow()
