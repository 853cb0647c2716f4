"""Shared fixtures: a fresh register in a temporary data folder, an officer, a sample household."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from povcase import i18n
from povcase.domain.facts import HousingFacts
from povcase.services.base import Actor, Role
from povcase.services.dto import HouseholdInput, MemberInput
from povcase.services.register import Register

TODAY = date(2026, 11, 22)
COMMUNE_CODE = "29461"  # Xã Trà Cú, Vĩnh Long (formerly Trà Vinh): many Khmer households


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the real user data folder."""
    monkeypatch.setenv("POVCASE_HOME", str(tmp_path / "home"))
    i18n.install("vi")


@pytest.fixture
def officer() -> Actor:
    return Actor("Thạch Thị Lan", Role.OFFICER)


@pytest.fixture
def empty_register(tmp_path: Path) -> Iterator[Register]:
    home = tmp_path / "register"
    home.mkdir()
    reg = Register.open(home)
    yield reg
    reg.close()


@pytest.fixture
def register(empty_register: Register, officer: Actor) -> Register:
    """A commune register set up with three hamlets and no households."""
    empty_register.communes.setup_commune(
        officer, COMMUNE_CODE, [("Ấp Chợ", "ap"), ("Ấp Đại Mong", "ap"), ("Ấp Sóc Chà", "ap")],
        "Thạch Thị Lan", "UBND tỉnh Vĩnh Long")
    return empty_register


def sample_household(hamlet_uuid: str, **changes: object) -> HouseholdInput:
    """A poor-looking household of four: the head unemployed, no health insurance, a small house."""
    members = (
        MemberInput("Nguyễn Văn Đức", "head", "male", date(1980, 3, 2), "084080001234",
                    employment="unemployed", has_health_insurance=False, qualification="primary",
                    in_school=False),
        MemberInput("Trần Thị Mai", "spouse", "female", date(1982, 5, 1), "084182004321",
                    employment="self_employed", has_health_insurance=True, qualification="lower_secondary",
                    in_school=False),
        MemberInput("Nguyễn Thị Hoa", "child", "female", date(2012, 9, 9), None, in_school=True,
                    has_health_insurance=True, stunted_or_underweight=False),
        MemberInput("Nguyễn Văn Tâm", "child", "male", date(2019, 1, 15), None, in_school=True,
                    has_health_insurance=True, stunted_or_underweight=False),
    )
    base = HouseholdInput(
        hamlet_uuid=hamlet_uuid, members=members, address="Ấp Chợ, xã Trà Cú", area="rural",
        ethnicity_group="Kinh", phone="0912345678",
        housing=HousingFacts(area_m2=24.0, quality="semi_durable", safe_water=True, hygienic_latrine=False,
                             uses_telecom=True, has_information_device=True, waste_treated=False))
    from dataclasses import replace
    return replace(base, **changes)  # type: ignore[arg-type]


def db_dump(reg: Register) -> list[str]:
    """The whole database as SQL text: equal dumps mean nothing at all was written."""
    conn = sqlite3.connect(reg.db.path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def table_counts(reg: Register) -> dict[str, int]:
    """Rows per table: a readable first check before comparing whole dumps."""
    conn = sqlite3.connect(reg.db.path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()
