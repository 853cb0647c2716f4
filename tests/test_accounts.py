"""Accounts: set up with the commune, log in, wrong passwords refused and audited, roles respected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from povcase.db.models import Account, AuditEntry
from povcase.errors import PovcaseError, ValidationError
from povcase.services.accounts import AccountInput, AuthenticationError, verify_password
from povcase.services.base import SYSTEM, Actor, Role
from povcase.services.register import Register
from tests.conftest import COMMUNE_CODE


def setup(reg: Register, officer: Actor, password: str | None = "matkhau123") -> None:
    reg.communes.setup_commune(officer, COMMUNE_CODE, [("Ấp Chợ", "ap")], "Thạch Thị Lan", "UBND tỉnh Vĩnh Long",
                               account=AccountInput("lan.thach", "Thạch Thị Lan", Role.ADMIN, password))


def test_setup_creates_the_officer_account_and_login_works(empty_register, officer):
    setup(empty_register, officer)
    assert empty_register.accounts.login_required()
    account = empty_register.accounts.authenticate("lan.thach", "matkhau123")
    assert account.full_name == "Thạch Thị Lan" and account.role is Role.ADMIN
    assert account.last_login_at is not None
    with empty_register.db.reading() as s:
        stored = s.scalar(select(Account.password_hash))
    assert "matkhau123" not in stored and verify_password("matkhau123", stored)


def test_wrong_password_is_refused_with_one_message_and_audited(empty_register, officer):
    setup(empty_register, officer)
    for user, pw in (("lan.thach", "sai"), ("khong.co", "matkhau123")):
        with pytest.raises(AuthenticationError) as e:
            empty_register.accounts.authenticate(user, pw)
        assert e.value.msgid == "Wrong user name or password"
    with empty_register.db.reading() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.record_type == "account")))
    assert actions.count("login_failed") == 2


def test_bad_account_in_setup_leaves_nothing(empty_register, officer):
    with pytest.raises(ValidationError) as e:
        empty_register.communes.setup_commune(
            officer, COMMUNE_CODE, [("Ấp Chợ", "ap")], "Thạch Thị Lan", "UBND",
            account=AccountInput("Lan Thạch", "Thạch Thị Lan", Role.ADMIN, "123"))
    fields = {p.field for p in e.value.problems}
    assert fields == {"account.username", "account.password"}
    assert not empty_register.communes.is_set_up()
    assert empty_register.accounts.accounts() == []


def test_no_password_means_no_login(empty_register, officer):
    setup(empty_register, officer, password=None)
    assert not empty_register.accounts.login_required()


def test_only_admins_create_accounts_and_names_are_unique(empty_register, officer):
    setup(empty_register, officer)
    with pytest.raises(PovcaseError):
        empty_register.accounts.create(Actor("Someone", Role.OFFICER), AccountInput("viewer1", "Người xem"))
    admin = empty_register.accounts.authenticate("lan.thach", "matkhau123").actor()
    made = empty_register.accounts.create(admin, AccountInput("xem.so", "Lý Văn Xem", Role.VIEWER, "xem12345"))
    assert made.value.role is Role.VIEWER and made.changes.touched("account")
    with pytest.raises(ValidationError):
        empty_register.accounts.create(SYSTEM, AccountInput("xem.so", "Another", Role.VIEWER))
    viewer = empty_register.accounts.authenticate("xem.so", "xem12345").actor()
    assert not viewer.can_write


def test_change_password_needs_the_old_one_unless_admin(empty_register, officer):
    setup(empty_register, officer)
    me = Actor("Thạch Thị Lan", Role.OFFICER)
    with pytest.raises(AuthenticationError):
        empty_register.accounts.set_password(me, "lan.thach", "wrong", "moi123456")
    empty_register.accounts.set_password(me, "lan.thach", "matkhau123", "moi123456")
    empty_register.accounts.authenticate("lan.thach", "moi123456")
    with pytest.raises(ValidationError):
        empty_register.accounts.set_password(SYSTEM, "lan.thach", None, "12")
