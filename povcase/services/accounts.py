"""Accounts: who may open the register and with which role (personal data law: limit access by role).

Passwords are stored as scrypt hashes with a per-account salt. An account without a password is a
choice the administrator makes (the demo register; a PC only the officer uses); as soon as any
account has a password, the app asks who is there at start.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import Account, new_uuid, utcnow
from povcase.domain.text import nfc
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.services.base import Actor, Auditor, Result, Role

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
MIN_PASSWORD = 6
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AuthenticationError(PovcaseError):
    """Wrong user name or password. Says nothing about which of the two was wrong."""


@dataclass(frozen=True)
class AccountInput:
    username: str
    full_name: str
    role: Role = Role.OFFICER
    password: str | None = None


@dataclass(frozen=True)
class AccountDTO:
    uuid: str
    username: str
    full_name: str
    role: Role
    has_password: bool
    last_login_at: datetime | None

    def actor(self) -> Actor:
        return Actor(self.full_name, self.role)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def check_account(a: AccountInput, prefix: str = "") -> list[FieldProblem]:
    problems = []
    if not _USERNAME.match(a.username or ""):
        problems.append(FieldProblem(prefix + "username", N_(
            "A user name has 3 to 40 lower-case letters, digits, dots, dashes or underscores, no accents")))
    if not nfc(a.full_name):
        problems.append(FieldProblem(prefix + "full_name", N_("Required")))
    if a.role not in (Role.ADMIN, Role.OFFICER, Role.VIEWER):
        problems.append(FieldProblem(prefix + "role", N_("Must be one of: {choices}"),
                                     {"choices": "admin, officer, viewer"}))
    if a.password is not None and len(a.password) < MIN_PASSWORD:
        problems.append(FieldProblem(prefix + "password", N_("A password has at least {n} characters"),
                                     {"n": MIN_PASSWORD}))
    return problems


def _dto(a: Account) -> AccountDTO:
    return AccountDTO(uuid=a.uuid, username=a.username, full_name=a.full_name, role=Role(a.role),
                      has_password=a.password_hash is not None, last_login_at=a.last_login_at)


def add_account(s: Session, audit: Auditor, a: AccountInput) -> Account:
    """Insert an already-checked account inside a caller's unit of work."""
    if s.scalar(select(Account.id).where(Account.username == a.username)) is not None:
        raise ValidationError([FieldProblem("username", N_("The user name {name} is taken"), {"name": a.username})])
    account = Account(uuid=new_uuid(), username=a.username, full_name=nfc(a.full_name), role=a.role.value,
                      password_hash=hash_password(a.password) if a.password else None)
    s.add(account)
    s.flush()
    audit.created("account", account.uuid, {"username": a.username, "full_name": account.full_name,
                                            "role": a.role.value, "password": "***" if a.password else None})
    return account


class AccountService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def accounts(self) -> list[AccountDTO]:
        with self.db.reading() as s:
            return [_dto(a) for a in s.scalars(select(Account).where(Account.deleted_at.is_(None))
                                               .order_by(Account.username))]

    def login_required(self) -> bool:
        with self.db.reading() as s:
            return s.scalar(select(Account.id).where(Account.deleted_at.is_(None),
                                                     Account.password_hash.is_not(None)).limit(1)) is not None

    def create(self, actor: Actor, a: AccountInput) -> Result[AccountDTO]:
        if actor.role not in (Role.ADMIN, Role.SYSTEM):
            raise PovcaseError(N_("Only an administrator can manage accounts"))
        problems = check_account(a)
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            audit = Auditor(s, actor)
            dto = _dto(add_account(s, audit, a))
        return Result(dto, audit.changes)

    def authenticate(self, username: str, password: str) -> AccountDTO:
        """The account, if the password is right; the failure is audited and explained the same way
        whether the name or the password was wrong."""
        with self.db.session() as s:
            account = s.scalar(select(Account).where(Account.username == username.strip().lower(),
                                                     Account.deleted_at.is_(None)))
            ok = account is not None and (account.password_hash is None
                                          or verify_password(password, account.password_hash))
            audit = Auditor(s, Actor(account.full_name if account else username, Role(account.role)
                                     if account else Role.VIEWER))
            audit.event("login" if ok else "login_failed", "account", account.uuid if account else None)
            if not ok:
                s.commit()  # the failed attempt stays in the audit log
                raise AuthenticationError(N_("Wrong user name or password"))
            assert account is not None
            account.last_login_at = utcnow()
            return _dto(account)

    def set_password(self, actor: Actor, username: str, old: str | None, new: str | None) -> Result[AccountDTO]:
        """Change one's own password (knowing the old one), or any password as an administrator."""
        with self.db.session() as s:
            account = s.scalar(select(Account).where(Account.username == username, Account.deleted_at.is_(None)))
            if account is None:
                raise ValidationError([FieldProblem("username", N_("No account {name}"), {"name": username})])
            is_admin = actor.role in (Role.ADMIN, Role.SYSTEM)
            if not is_admin and (account.password_hash is not None
                                 and not verify_password(old or "", account.password_hash)):
                raise AuthenticationError(N_("Wrong user name or password"))
            if new is not None and len(new) < MIN_PASSWORD:
                raise ValidationError([FieldProblem("password", N_("A password has at least {n} characters"),
                                                    {"n": MIN_PASSWORD})])
            audit = Auditor(s, actor)
            account.password_hash = hash_password(new) if new else None
            account.revision += 1
            account.updated_at = utcnow()
            audit.updated("account", account.uuid, {"password": ("***", "***" if new else None)})
            dto = _dto(account)
        return Result(dto, audit.changes)
