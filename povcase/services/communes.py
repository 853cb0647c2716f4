"""The commune this register belongs to, its hamlets, and facts about the installation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from povcase.db.engine import Database
from povcase.db.models import Account, Commune, Hamlet, Household, Setting, new_uuid
from povcase.domain import admin_units
from povcase.domain.text import collation_key, nfc
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.services.accounts import AccountInput, add_account, check_account
from povcase.services.base import Actor, Auditor, Result
from povcase.services.dto import CommuneDTO, HamletDTO
from povcase.services.households import HAMLET_KINDS, require_writer

KIND_COMMUNE = "commune"
KIND_OFFICE = "office"


def _commune_dto(c: Commune) -> CommuneDTO:
    return CommuneDTO(uuid=c.uuid, code=c.code, name=c.name, province_code=c.province_code,
                      province_name=c.province_name, upstream_office=c.upstream_office)


def _hamlet_dto(h: Hamlet) -> HamletDTO:
    return HamletDTO(uuid=h.uuid, id=h.id, name=h.name, kind=h.kind, position=h.position)


class CommuneService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # settings
    def setting(self, key: str) -> str | None:
        with self.db.reading() as s:
            row = s.get(Setting, key)
            return row.value if row else None

    def set_setting(self, actor: Actor, key: str, value: str) -> None:
        with self.db.session() as s:
            row = s.get(Setting, key)
            audit = Auditor(s, actor)
            old = row.value if row else None
            if row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value
            if old != value:
                audit.updated("setting", key, {key: (old, value)})

    def is_set_up(self) -> bool:
        return self.setting("register_kind") is not None

    def local_commune(self) -> CommuneDTO | None:
        """The commune a commune register belongs to (None before setup, or at an office)."""
        with self.db.reading() as s:
            code = s.get(Setting, "commune_code")
            if code is None:
                return None
            c = s.scalar(select(Commune).where(Commune.code == code.value))
            return _commune_dto(c) if c else None

    def hamlets(self, commune_code: str | None = None) -> list[HamletDTO]:
        with self.db.reading() as s:
            q = select(Hamlet).join(Commune).where(Hamlet.deleted_at.is_(None))
            if commune_code:
                q = q.where(Commune.code == commune_code)
            return [_hamlet_dto(h) for h in s.scalars(q.order_by(Hamlet.position, Hamlet.sort_key))]

    def setup_commune(self, actor: Actor, commune_code: str, hamlets: Sequence[tuple[str, str]],
                      officer_name: str, upstream_office: str,
                      account: AccountInput | None = None) -> Result[CommuneDTO]:
        """Make this register the register of one commune (first start), with the officer's account
        if one is given — all in one transaction, so a refused setup leaves nothing behind."""
        require_writer(actor)
        problems = check_account(account, "account.") if account else []
        try:
            unit = admin_units.commune(commune_code)
        except PovcaseError as e:
            raise ValidationError([FieldProblem("commune_code", e.msgid, e.params)]) from None
        names = [nfc(n) for n, _ in hamlets]
        if not names or any(not n for n in names):
            problems.append(FieldProblem("hamlets", N_("Enter at least one hamlet, each with a name")))
        if len({n.casefold() for n in names}) != len(names):
            problems.append(FieldProblem("hamlets", N_("Two hamlets have the same name")))
        for _, kind in hamlets:
            if kind not in HAMLET_KINDS:
                problems.append(FieldProblem("hamlets", N_("Must be one of: {choices}"),
                                             {"choices": ", ".join(HAMLET_KINDS)}))
                break
        if not nfc(officer_name):
            problems.append(FieldProblem("officer_name", N_("Required")))
        if problems:
            raise ValidationError(problems)
        if self.is_set_up():
            raise PovcaseError(N_("This register is already set up"))
        province = admin_units.province(unit.province_code)
        with self.db.session() as s:
            audit = Auditor(s, actor)
            commune = Commune(uuid=new_uuid(), code=unit.code, name=unit.name, province_code=province.code,
                              province_name=province.name, upstream_office=nfc(upstream_office))
            s.add(commune)
            s.flush()
            audit.created("commune", commune.uuid, {"code": unit.code, "name": unit.name,
                                                    "upstream_office": commune.upstream_office})
            for position, (name, kind) in enumerate(hamlets, start=1):
                hamlet = Hamlet(uuid=new_uuid(), commune_id=commune.id, name=nfc(name), kind=kind,
                                sort_key=collation_key(nfc(name)), position=position)
                s.add(hamlet)
                s.flush()
                audit.created("hamlet", hamlet.uuid, {"name": hamlet.name, "kind": kind})
            if account is not None:
                add_account(s, audit, account)
            for key, value in (("register_kind", KIND_COMMUNE), ("commune_code", unit.code),
                               ("installation_id", new_uuid()), ("officer_name", nfc(officer_name))):
                s.merge(Setting(key=key, value=value))
            dto = _commune_dto(commune)
        return Result(dto, audit.changes)

    def undo_empty_setup(self, actor: Actor) -> Result[None]:
        """Forget a setup that never got a household (a cancelled demo): the register is empty again.

        Refused once any household exists: from then on the register's history is kept for good."""
        require_writer(actor)
        with self.db.session() as s:
            if s.scalar(select(func.count()).select_from(Household)):
                raise PovcaseError(N_("The register already has households; its setup cannot be undone"))
            audit = Auditor(s, actor)
            for model in (Hamlet, Account, Commune):
                for row in s.scalars(select(model)):
                    audit.deleted(model.__tablename__, row.uuid, "setup undone before any household")
                    s.delete(row)
            for key in ("register_kind", "commune_code", "installation_id", "officer_name"):
                row = s.get(Setting, key)
                if row is not None:
                    s.delete(row)
        return Result(None, audit.changes)

    def add_hamlet(self, actor: Actor, commune_code: str, name: str, kind: str = "thon") -> Result[HamletDTO]:
        require_writer(actor)
        name = nfc(name)
        if not name:
            raise ValidationError([FieldProblem("name", N_("Required"))])
        if kind not in HAMLET_KINDS:
            raise ValidationError([FieldProblem("kind", N_("Must be one of: {choices}"),
                                                {"choices": ", ".join(HAMLET_KINDS)})])
        with self.db.session() as s:
            commune = s.scalar(select(Commune).where(Commune.code == commune_code))
            if commune is None:
                raise PovcaseError(N_("No commune with code {code} in the official list"), code=commune_code)
            existing = {h.name.casefold() for h in commune.hamlets if h.deleted_at is None}
            if name.casefold() in existing:
                raise ValidationError([FieldProblem("name", N_("Two hamlets have the same name"))])
            position = (s.scalar(select(func.max(Hamlet.position)).where(Hamlet.commune_id == commune.id)) or 0) + 1
            hamlet = Hamlet(uuid=new_uuid(), commune_id=commune.id, name=name, kind=kind,
                            sort_key=collation_key(name), position=position)
            s.add(hamlet)
            s.flush()
            audit = Auditor(s, actor)
            audit.created("hamlet", hamlet.uuid, {"name": name, "kind": kind})
            dto = _hamlet_dto(hamlet)
        return Result(dto, audit.changes)
