"""Provinces and communes after the July 2025 reform (Quyết định 19/2025/QĐ-TTg), from the
`vietnam-provinces` package: 34 provinces with 2-digit codes, 3,321 communes with 5-digit codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from povcase.domain.text import collation_key, fold
from povcase.errors import N_, PovcaseError


@dataclass(frozen=True)
class Province:
    code: str
    name: str


@dataclass(frozen=True)
class CommuneUnit:
    code: str
    name: str
    kind: str  # xã, phường, đặc khu
    province_code: str

    @property
    def is_urban(self) -> bool:
        return self.kind == "phường"


@cache
def provinces() -> tuple[Province, ...]:
    import vietnam_provinces as vp  # 60 ms of data tables: loaded when first needed, not at start-up

    items = [Province(f"{int(p.code):02d}", p.name) for p in vp.Province.iter_all()]
    return tuple(sorted(items, key=lambda p: collation_key(_bare(p.name))))


@cache
def communes() -> tuple[CommuneUnit, ...]:
    import vietnam_provinces as vp

    return tuple(CommuneUnit(f"{int(w.code):05d}", w.name, str(w.division_type.value), f"{int(w.province_code):02d}")
                 for w in vp.Ward.iter_all())


def _bare(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def province(code: str) -> Province:
    for p in provinces():
        if p.code == code:
            return p
    raise PovcaseError(N_("No province with code {code}"), code=code)


def commune(code: str) -> CommuneUnit:
    for c in communes():
        if c.code == code:
            return c
    raise PovcaseError(N_("No commune with code {code} in the official list"), code=code)


def communes_of(province_code: str) -> list[CommuneUnit]:
    found = [c for c in communes() if c.province_code == province_code]
    return sorted(found, key=lambda c: collation_key(c.name.split(" ", 1)[-1]))


def search_communes(query: str, province_code: str | None = None) -> list[CommuneUnit]:
    """Communes whose name or code contains every folded word of the query."""
    words = fold(query).split()
    pool = communes_of(province_code) if province_code else list(communes())
    return [c for c in pool if all(w in fold(c.name) or c.code.startswith(w) for w in words)]
