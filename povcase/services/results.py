"""The year's results: counts and rates of poor and near-poor households by hamlet, by ethnic group and
for the whole commune, against the year before; the trend over years; the lists behind them.

A household's status for year Y is read from its list columns: `status` when `status_year <= Y`, the
`previous_status` when `status_year == Y + 1` (the status it had before that year's decision). Older
years come from the decided annual round of that year (its entries' decided classifications). Since the
list columns change only with a decision (or a first registration), the year's results change only then.

Rates are shares of the live households in the register (the register keeps every household of the
commune, not only poor ones); every figure is one SQL pass grouped by hamlet and ethnic group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import Commune, Decision, Hamlet, Household, ReviewEntry, ReviewRound
from povcase.domain.text import collation_key
from povcase.errors import N_, FieldProblem, ValidationError

POOR = "poor"
NEAR_POOR = "near_poor"
LIST_KINDS = ("poor", "near_poor", "escaped", "newly_poor", "newly_near_poor")


def rate(part: int, whole: int) -> float:
    """Percent of `whole`, two decimals (0 for an empty area)."""
    return round(100.0 * part / whole, 2) if whole else 0.0


class _Rates:
    """Poor and near-poor rates of anything that counts households, poor and near-poor."""

    households: int
    poor: int
    near_poor: int

    @property
    def poor_rate(self) -> float:
        return rate(self.poor, self.households)

    @property
    def near_poor_rate(self) -> float:
        return rate(self.near_poor, self.households)


@dataclass(frozen=True)
class AreaCounts(_Rates):
    households: int
    poor: int
    near_poor: int


@dataclass(frozen=True)
class AreaResult:
    key: str
    name: str
    this_year: AreaCounts
    last_year: AreaCounts
    escaped: int
    newly_poor: int
    newly_near_poor: int

    @property
    def poor_change(self) -> float:
        """Percentage points; negative is a fall in the poor rate."""
        return round(self.this_year.poor_rate - self.last_year.poor_rate, 2)

    @property
    def near_poor_change(self) -> float:
        return round(self.this_year.near_poor_rate - self.last_year.near_poor_rate, 2)


@dataclass(frozen=True)
class YearResults:
    year: int
    decided: bool
    decision_number: str | None
    decided_on: date | None
    overall: AreaResult
    hamlets: list[AreaResult] = field(default_factory=list)
    ethnic_groups: list[AreaResult] = field(default_factory=list)


@dataclass(frozen=True)
class TrendPoint(_Rates):
    year: int
    households: int
    poor: int
    near_poor: int
    decided: bool


_METRICS = ("households", "poor", "near_poor", "last_poor", "last_near_poor", "escaped", "newly_poor",
            "newly_near_poor")


@dataclass
class _Tally:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_METRICS, 0))

    def add(self, row: Any) -> None:
        for m in _METRICS:
            self.values[m] += int(getattr(row, m) or 0)

    def result(self, key: str, name: str) -> AreaResult:
        v = self.values
        return AreaResult(key, name, AreaCounts(v["households"], v["poor"], v["near_poor"]),
                          AreaCounts(v["households"], v["last_poor"], v["last_near_poor"]),
                          v["escaped"], v["newly_poor"], v["newly_near_poor"])


class ResultsService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def year(self, year: int, commune_code: str | None = None) -> YearResults:
        """The year's results; `commune_code` narrows an office register to one commune."""
        _check_year(year)
        with self.db.reading() as s:
            commune = _commune(s, commune_code)
            this, last = _status_for(s, year), _status_for(s, year - 1)
            live = [Household.deleted_at.is_(None)]
            if commune is not None:
                live.append(Household.commune_id == commune.id)
            in_poor = this.in_((POOR, NEAR_POOR))
            was_poor = last.in_((POOR, NEAR_POOR))
            q = (select(Household.hamlet_id, Household.ethnicity_group,
                        func.count().label("households"),
                        _count(this == POOR).label("poor"),
                        _count(this == NEAR_POOR).label("near_poor"),
                        _count(last == POOR).label("last_poor"),
                        _count(last == NEAR_POOR).label("last_near_poor"),
                        # escaped: known to be neither this year (an unknown status is not an escape)
                        _count(and_(was_poor, this.is_not(None), ~in_poor)).label("escaped"),
                        _count(and_(this == POOR, func.coalesce(last, "") != POOR)).label("newly_poor"),
                        _count(and_(this == NEAR_POOR, ~func.coalesce(last, "").in_((POOR, NEAR_POOR))))
                        .label("newly_near_poor"))
                 .where(*live).group_by(Household.hamlet_id, Household.ethnicity_group))
            rows = s.execute(q).all()
            hamlet_q = select(Hamlet).where(Hamlet.deleted_at.is_(None)).order_by(Hamlet.commune_id, Hamlet.position,
                                                                                   Hamlet.sort_key)
            if commune is not None:
                hamlet_q = hamlet_q.where(Hamlet.commune_id == commune.id)
            hamlets = [(h.id, h.uuid, h.name) for h in s.scalars(hamlet_q)]
            decision = _decision(s, year)
            number, decided_on = (decision.number, decision.decided_on) if decision else (None, None)
            overall_name = commune.name if commune is not None else ""

        total, by_hamlet, by_group = _Tally(), {h[0]: _Tally() for h in hamlets}, dict[str, _Tally]()
        for row in rows:
            total.add(row)
            by_hamlet.setdefault(row.hamlet_id, _Tally()).add(row)
            by_group.setdefault(row.ethnicity_group or "", _Tally()).add(row)
        hamlet_results = [by_hamlet[hid].result(uuid, name) for hid, uuid, name in hamlets]
        groups = sorted(by_group.items(), key=lambda kv: (-kv[1].values["households"], collation_key(kv[0])))
        return YearResults(year, number is not None, number, decided_on, total.result("", overall_name),
                           hamlet_results, [t.result(g, g) for g, t in groups])

    def trend(self, to_year: int, years: int = 5, commune_code: str | None = None) -> list[TrendPoint]:
        """Poor and near-poor counts for up to `years` years ending with `to_year`, oldest first; years
        with no known status for any household are left out."""
        _check_year(to_year)
        out: list[TrendPoint] = []
        with self.db.reading() as s:
            commune = _commune(s, commune_code)
            where = [Household.deleted_at.is_(None)]
            if commune is not None:
                where.append(Household.commune_id == commune.id)
            for y in range(to_year - years + 1, to_year + 1):
                status = _status_for(s, y)
                row = s.execute(select(func.count().label("households"), _count(status.is_not(None)).label("known"),
                                       _count(status == POOR).label("poor"),
                                       _count(status == NEAR_POOR).label("near_poor")).where(*where)).one()
                if row.known:
                    out.append(TrendPoint(y, row.households, row.poor or 0, row.near_poor or 0,
                                          _decision(s, y) is not None))
        return out

    def households(self, year: int, kind: str, hamlet_uuid: str | None = None,
                   commune_code: str | None = None) -> list[str]:
        """The uuids of the households on one of the year's lists, in Vietnamese list order."""
        _check_year(year)
        if kind not in LIST_KINDS:
            raise ValidationError([FieldProblem("kind", N_("Unknown list '{kind}'"), {"kind": kind})])
        with self.db.reading() as s:
            this, last = _status_for(s, year), _status_for(s, year - 1)
            cond = {
                "poor": this == POOR,
                "near_poor": this == NEAR_POOR,
                "escaped": and_(last.in_((POOR, NEAR_POOR)), this.is_not(None), ~this.in_((POOR, NEAR_POOR))),
                "newly_poor": and_(this == POOR, func.coalesce(last, "") != POOR),
                "newly_near_poor": and_(this == NEAR_POOR, ~func.coalesce(last, "").in_((POOR, NEAR_POOR))),
            }[kind]
            q = select(Household.uuid).where(Household.deleted_at.is_(None), cond)
            if hamlet_uuid:
                q = q.join(Hamlet, Hamlet.id == Household.hamlet_id).where(Hamlet.uuid == hamlet_uuid)
            if commune_code:
                commune = _commune(s, commune_code)
                assert commune is not None
                q = q.where(Household.commune_id == commune.id)
            return list(s.scalars(q.order_by(Household.head_sort, Household.id)))


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError([FieldProblem("year", N_("Must be between {low} and {high}"),
                                            {"low": 2000, "high": 2100})])


def _count(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _commune(s: Session, code: str | None) -> Commune | None:
    """The commune asked for; without a code, the register's only commune (None at an office with many)."""
    if code:
        c = s.scalar(select(Commune).where(Commune.code == code))
        if c is None:
            raise ValidationError([FieldProblem("commune_code", N_("Unknown commune code {code}"), {"code": code})])
        return c
    communes = list(s.scalars(select(Commune).limit(2)))
    return communes[0] if len(communes) == 1 else None


def _decided_round_ids(s: Session, year: int) -> list[int]:
    return list(s.scalars(select(ReviewRound.id).join(Decision, Decision.round_id == ReviewRound.id)
                          .where(ReviewRound.year == year, ReviewRound.kind == "annual",
                                 ReviewRound.deleted_at.is_(None), Decision.deleted_at.is_(None))))


def _decision(s: Session, year: int) -> Decision | None:
    return s.scalar(select(Decision).join(ReviewRound, Decision.round_id == ReviewRound.id)
                    .where(ReviewRound.year == year, ReviewRound.kind == "annual", ReviewRound.deleted_at.is_(None),
                           Decision.deleted_at.is_(None)).order_by(Decision.id.desc()).limit(1))


def _status_for(s: Session, year: int) -> ColumnElement[str | None]:
    """SQL for a household's status in `year` (NULL when unknown)."""
    from_columns = case((Household.status_year <= year, Household.status),
                        (Household.status_year == year + 1, Household.previous_status), else_=None)
    rounds = _decided_round_ids(s, year)
    if not rounds:
        return from_columns
    # An older year: the decided annual round lists every poor and near-poor household of that year, so a
    # household not on it was neither.
    decided = (select(ReviewEntry.proposed).where(ReviewEntry.round_id.in_(rounds),
                                                  ReviewEntry.household_id == Household.id,
                                                  ReviewEntry.deleted_at.is_(None))
               .order_by(ReviewEntry.id.desc()).limit(1).scalar_subquery())
    return case((Household.status_year <= year + 1, from_columns),
                else_=func.coalesce(decided, literal("not_poor")))
