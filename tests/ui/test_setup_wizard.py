"""The first-start wizard: the commune from the official list, hamlets, the officer's account, the
upstream office, one transaction at Finish; or the demo commune."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QWizard

from povcase.domain import admin_units
from povcase.errors import FieldProblem, ValidationError
from povcase.services.accounts import AuthenticationError
from povcase.services.base import Role
from povcase.ui.setup_wizard import (
    SetupWizard,
    default_hamlet_kind,
    default_upstream_office,
    kind_from_name,
    pasted_names,
    suggest_username,
)


@pytest.fixture
def wizard(qtbot, empty_register):
    w = SetupWizard(empty_register, demo_households=60)
    qtbot.addWidget(w)
    w.show()
    return w


def _fill_to_summary(wizard: SetupWizard, password: str = "matkhau123") -> None:
    assert wizard.currentId() == SetupWizard.PAGE_WELCOME
    wizard.welcome_page.setup_button.click()
    assert wizard.currentId() == SetupWizard.PAGE_COMMUNE
    page = wizard.commune_page
    page.set_province("86")
    page.search_box.setText("tra cu")
    assert page.chosen() is not None and page.chosen().code == "29461"
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_HAMLETS
    hamlets = wizard.hamlets_page
    hamlets.paste_box.setPlainText("1. Ấp Chợ\nẤp Sóc Tre\n\nThôn Mới\n")
    hamlets.paste_button.click()
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    officer = wizard.officer_page
    officer.name_edit.setText("Thạch Thị Lan")
    assert officer.username_edit.text() == "lan.thach"
    officer.password_edit.setText(password)
    officer.confirm_edit.setText(password)
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_UPSTREAM
    assert wizard.upstream_page.office_edit.text() == "UBND tỉnh Vĩnh Long"
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_SUMMARY


def test_wizard_sets_up_the_commune_in_one_go(wizard, empty_register):
    _fill_to_summary(wizard)
    summary = wizard.summary_page.text.toPlainText()
    assert "Xã Trà Cú" in summary and "29461" in summary and "lan.thach" in summary
    assert not empty_register.communes.is_set_up()  # nothing written before Finish
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert empty_register.communes.is_set_up()
    commune = empty_register.communes.local_commune()
    assert commune is not None and commune.code == "29461" and commune.upstream_office == "UBND tỉnh Vĩnh Long"
    hamlets = empty_register.communes.hamlets()
    assert [(h.name, h.kind) for h in hamlets] == [("Ấp Chợ", "ap"), ("Ấp Sóc Tre", "ap"), ("Thôn Mới", "thon")]
    account = empty_register.accounts.authenticate("lan.thach", "matkhau123")
    assert account.role is Role.ADMIN and account.full_name == "Thạch Thị Lan"
    with pytest.raises(AuthenticationError):
        empty_register.accounts.authenticate("lan.thach", "wrong-one")
    assert empty_register.accounts.login_required()
    assert wizard.result_actor is not None and wizard.result_actor.name == "Thạch Thị Lan"
    assert wizard.result_actor.role is Role.ADMIN
    assert not wizard.demo_chosen


def test_without_password_the_account_has_none(wizard, empty_register):
    _fill_to_summary(wizard)
    wizard.back()
    wizard.back()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    wizard.officer_page.protect_check.setChecked(False)
    assert not wizard.officer_page.password_edit.isEnabled()
    wizard.next()
    wizard.next()
    wizard.accept()
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert not empty_register.accounts.login_required()
    [account] = empty_register.accounts.accounts()
    assert account.username == "lan.thach" and not account.has_password


def test_search_without_diacritics_finds_the_commune(wizard):
    wizard.next()
    page = wizard.commune_page
    page.set_province("86")
    page.search_box.setText("tra cu")
    texts = [page.commune_list.item(i).text() for i in range(page.commune_list.count())]
    assert any("Xã Trà Cú" in t and "29461" in t for t in texts)
    assert page.commune_list.count() < len(admin_units.communes_of("86"))
    # All provinces: the name alone finds it, with its province shown.
    page.set_province("")
    page.search_box.setText("tra cu")
    texts = [page.commune_list.item(i).text() for i in range(page.commune_list.count())]
    assert any("Xã Trà Cú" in t and "Vĩnh Long" in t for t in texts)
    # Another province does not have it.
    page.set_province("01")
    assert page.commune_list.count() == 0
    assert page.chosen() is None
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_COMMUNE
    assert page.message.isVisible() and page.message.text()


def test_province_combo_lists_the_34_provinces(wizard):
    combo = wizard.commune_page.province_combo
    codes = [combo.itemData(i) for i in range(combo.count())]
    assert codes[0] == "" and codes[1:] == [p.code for p in admin_units.provinces()]
    assert len(codes[1:]) == 34


def test_mismatched_password_confirmation_blocks_next(wizard):
    wizard.next()
    wizard.commune_page.choose("29461")
    wizard.next()
    wizard.hamlets_page.add_row("Ấp Chợ")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    page = wizard.officer_page
    page.name_edit.setText("Thạch Thị Lan")
    page.password_edit.setText("matkhau123")
    page.confirm_edit.setText("matkhau124")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    assert page.message.isVisible()
    assert "passwords are not the same" in page.message.text() or "mật khẩu" in page.message.text()
    assert page.confirm_edit.text() == ""
    page.confirm_edit.setText("matkhau123")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_UPSTREAM


def test_officer_page_checks_name_user_name_and_password_length(wizard):
    wizard.next()
    wizard.commune_page.choose("29461")
    wizard.next()
    wizard.hamlets_page.add_row("Ấp Chợ")
    wizard.next()
    page = wizard.officer_page
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    assert len(page.problems()) >= 2  # no name, no user name, no password
    page.name_edit.setText("Lê Văn Bình")
    page.username_edit.setText("Bình Lê")  # accents and a space: refused
    page.password_edit.setText("abc")
    page.confirm_edit.setText("abc")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    assert len(page.problems()) == 2
    # The name no longer changes a user name the officer typed.
    page.username_edit.textEdited.emit("binh.le")
    page.username_edit.setText("binh.le")
    page.name_edit.setText("Lê Văn Bình An")
    assert page.username_edit.text() == "binh.le"
    page.password_edit.setText("abcdef")
    page.confirm_edit.setText("abcdef")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_UPSTREAM


def test_hamlet_page_needs_a_named_hamlet_and_refuses_duplicates(wizard):
    wizard.next()
    wizard.commune_page.choose("29461")
    wizard.next()
    page = wizard.hamlets_page
    assert page.default_kind() == "ap"  # Vĩnh Long: the south says ấp
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_HAMLETS
    assert page.message.isVisible()
    page.add_row("Ấp Chợ")
    page.add_row("ấp chợ")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_HAMLETS
    assert "ấp chợ" in page.message.text()
    page.table.setCurrentCell(page.table.rowCount() - 1, 0)
    page.remove_current()
    page.add_row("Tổ dân phố 3")
    page.add_row("Ấp Sóc Chà")
    page.table.setCurrentCell(page.table.rowCount() - 1, 0)
    page.move_current(-1)
    assert page.hamlets() == [("Ấp Chợ", "ap"), ("Ấp Sóc Chà", "ap"), ("Tổ dân phố 3", "to_dan_pho")]
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER


def test_typing_a_name_with_its_kind_sets_the_kind(wizard):
    wizard.next()
    wizard.commune_page.choose("29461")
    wizard.next()
    page = wizard.hamlets_page
    row = page.add_row("")
    page.table.item(row, 0).setText("Khóm 4")
    assert page.hamlets()[-1] == ("Khóm 4", "khom")


def test_paste_skips_names_already_listed(wizard):
    wizard.next()
    wizard.commune_page.choose("29461")
    wizard.next()
    page = wizard.hamlets_page
    page.paste_box.setPlainText("Ấp Chợ\nẤp Chợ\nẤp Ba Cụm")
    page.paste_button.click()
    assert [n for n, _ in page.hamlets()] == ["Ấp Chợ", "Ấp Ba Cụm"]
    assert page.paste_result.text()


def test_a_refused_setup_shows_the_problem_on_its_page_and_stays_open(wizard, empty_register, monkeypatch):
    _fill_to_summary(wizard)

    def refuse(*args, **kwargs):
        raise ValidationError([FieldProblem("account.username", "The user name {name} is taken",
                                            {"name": "lan.thach"})])

    monkeypatch.setattr(empty_register.communes, "setup_commune", refuse)
    wizard.accept()
    assert wizard.isVisible()
    assert wizard.result() != QDialog.DialogCode.Accepted
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    assert "lan.thach" in wizard.officer_page.message.text()
    assert wizard.officer_page.message.isVisible()
    assert wizard.result_actor is None
    assert not empty_register.communes.is_set_up()


def test_hamlet_problems_from_the_service_go_to_the_hamlet_page(wizard, empty_register, monkeypatch):
    _fill_to_summary(wizard)

    def refuse(*args, **kwargs):
        raise ValidationError([FieldProblem("hamlets", "Two hamlets have the same name")])

    monkeypatch.setattr(empty_register.communes, "setup_commune", refuse)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.currentId() == SetupWizard.PAGE_HAMLETS
    assert wizard.hamlets_page.message.isVisible()


def test_demo_path_builds_the_demo_commune(wizard, empty_register):
    wizard.welcome_page.demo_button.click()
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert wizard.demo_chosen
    assert empty_register.communes.is_set_up()
    assert empty_register.communes.local_commune().code == "29461"
    assert empty_register.counts()["households"] == 60
    assert wizard.result_actor is not None and wizard.result_actor.role is Role.OFFICER
    assert not empty_register.accounts.login_required()


def test_demo_path_goes_through_the_task_runner(qtbot, empty_register):
    calls = []

    def run_task(title, fn, on_done):
        calls.append(title)
        seen = []
        result = fn(lambda done: seen.append(done) or True)
        assert seen and seen[-1] <= 30
        on_done(result)

    w = SetupWizard(empty_register, run_task=run_task, demo_households=30)
    qtbot.addWidget(w)
    w.show()
    w.welcome_page.demo_button.click()
    assert len(calls) == 1
    assert w.demo_chosen and w.result() == QDialog.DialogCode.Accepted
    assert empty_register.counts()["households"] == 30


def test_a_failed_demo_before_setup_keeps_the_wizard_open(qtbot, empty_register, monkeypatch):
    shown = []
    monkeypatch.setattr("povcase.ui.setup_wizard.show_error", lambda parent, error, title=None: shown.append(error))

    def run_task(title, fn, on_done):
        on_done(RuntimeError("disk full"))

    w = SetupWizard(empty_register, run_task=run_task, demo_households=30)
    qtbot.addWidget(w)
    w.show()
    w.welcome_page.demo_button.click()
    assert len(shown) == 1
    assert not w.demo_chosen and w.isVisible()
    assert w.welcome_page.demo_button.isEnabled()


def test_helpers():
    assert suggest_username("Thạch Thị Lan") == "lan.thach"
    assert suggest_username("Đặng Văn Đức") == "duc.dang"
    assert suggest_username("  ") == ""
    assert kind_from_name("Tổ dân phố 3") == "to_dan_pho"
    assert kind_from_name("Ấp Chợ") == "ap"
    assert kind_from_name("Bản Mòng") == "ban"
    assert kind_from_name("Chợ") is None
    assert pasted_names("1. Ấp Chợ\n- Thôn 3\n2\tẤp Ba Cụm\n\n") == ["Ấp Chợ", "Thôn 3", "Ấp Ba Cụm"]
    assert default_hamlet_kind(admin_units.commune("29461")) == "ap"
    hanoi_ward = next(c for c in admin_units.communes_of("01") if c.kind == "phường")
    assert default_hamlet_kind(hanoi_ward) == "to_dan_pho"
    hanoi_commune = next(c for c in admin_units.communes_of("01") if c.kind == "xã")
    assert default_hamlet_kind(hanoi_commune) == "thon"
    assert default_upstream_office(admin_units.province("01")) == "UBND thành phố Hà Nội"
    assert default_upstream_office(admin_units.province("86")) == "UBND tỉnh Vĩnh Long"


def test_demo_with_the_real_task_runner(qtbot, empty_register):
    from povcase.ui.tasks import TaskRunner

    runner = TaskRunner(inline=True)
    w = SetupWizard(empty_register, run_task=runner.run, demo_households=25)
    qtbot.addWidget(w)
    w.show()
    w.welcome_page.demo_button.click()
    assert w.demo_chosen and w.result() == QDialog.DialogCode.Accepted
    assert empty_register.counts()["households"] == 25


def test_a_failing_demo_in_the_task_runner_unlocks_the_wizard(qtbot, empty_register, monkeypatch):
    from povcase.ui.tasks import TaskRunner

    shown = []
    monkeypatch.setattr("povcase.ui.setup_wizard.show_error", lambda parent, error, title=None: shown.append(error))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("povcase.ui.setup_wizard.build_demo", broken)
    runner = TaskRunner(inline=True)
    w = SetupWizard(empty_register, run_task=runner.run, demo_households=25)
    qtbot.addWidget(w)
    w.show()
    w.welcome_page.demo_button.click()
    assert [str(e) for e in shown] == ["disk full"]
    assert not w.demo_chosen and w.isVisible()
    assert w.welcome_page.setup_button.isEnabled() and w.button(QWizard.WizardButton.NextButton).isEnabled()


def test_a_cancelled_demo_does_not_leave_the_wizard_busy(qtbot, empty_register, monkeypatch):
    from povcase.ui.tasks import TaskRunner

    shown = []
    monkeypatch.setattr("povcase.ui.setup_wizard.show_error", lambda parent, error, title=None: shown.append(error))
    runner = TaskRunner(inline=True)

    def run_and_cancel(title, fn, on_done=None, on_error=None):
        def cancelled_at_once(progress):
            progress.cancel()
            return fn(progress)
        return runner.run(title, cancelled_at_once, on_done, on_error)

    w = SetupWizard(empty_register, run_task=run_and_cancel, demo_households=25)
    qtbot.addWidget(w)
    w.show()
    w.welcome_page.demo_button.click()
    assert not shown  # a cancel is not an error
    assert empty_register.counts()["households"] == 0
    assert w.welcome_page.demo_button.isEnabled() or w.result() == QDialog.DialogCode.Accepted
    assert not w._busy
