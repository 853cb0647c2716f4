"""Households and their members: create, edit, soft-delete, restore, assess.

Validation runs on the whole input before anything is written; the write is one transaction; every
field that changed gets an audit row with its old and new value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session, selectinload

from povcase.db.engine import Database
from povcase.db.models import Assessment, Commune, Hamlet, Household, Member, new_uuid, utcnow
from povcase.domain.classification import ClassificationResult, classify_values
from povcase.domain.deprivation import (
    IndicatorResult,
    Override,
    Reason,
    Source,
    derive_indicators,
    validate_overrides,
)
from povcase.domain.facts import (
    Employment,
    HousingFacts,
    HousingQuality,
    MemberFacts,
    Qualification,
    Sex,
)
from povcase.domain.standards import STANDARDS, Area, Standard, get_standard, standard_for
from povcase.domain.text import nfc, person_sort_key
from povcase.domain.validation import (
    check_amount,
    check_area,
    check_birth_date,
    check_id_number,
    check_name,
    check_phone,
    normalise_id_number,
)
from povcase.errors import N_, ConflictError, FieldProblem, NotFoundError, PovcaseError, ValidationError
from povcase.services.base import Actor, Auditor, Result
from povcase.services.dto import (
    AssessmentDTO,
    AssessmentInput,
    HouseholdDTO,
    HouseholdInput,
    MemberDTO,
    MemberInput,
)
from povcase.services.search import reindex

RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "in_law", "other")
HAMLET_KINDS = ("thon", "ap", "ban", "buon", "khom", "to_dan_pho", "xom", "khu_pho", "plei", "soc")

_MEMBER_FIELDS = ("full_name", "relation", "sex", "birth_date", "id_number", "ethnicity", "in_school",
                  "qualification", "employment", "able_to_work", "has_health_insurance", "disabled",
                  "social_allowance", "stunted_or_underweight", "notes")
_HOUSING_COLUMNS = {"area_m2": "house_area_m2", "quality": "house_quality", "safe_water": "safe_water",
                    "hygienic_latrine": "hygienic_latrine", "uses_telecom": "uses_telecom",
                    "has_information_device": "has_information_device",
                    "hears_loudspeaker": "hears_loudspeaker", "waste_treated": "waste_treated"}
_HOUSEHOLD_FIELDS = ("address", "area", "ethnicity_group", "phone", "notes")


def require_writer(actor: Actor) -> None:
    if not actor.can_write:
        raise PovcaseError(N_("{name} may read the register but not change it"), name=actor.name)


# --- validation and normalisation --------------------------------------------------------------
# Allowed enum values as frozensets, built once: this check runs for every member of a 300,000-household load.
_MEMBER_CHOICES = tuple((attr, frozenset(e.value for e in enum), ", ".join(e.value for e in enum))
                        for attr, enum in (("sex", Sex), ("qualification", Qualification),
                                           ("employment", Employment)))
_RELATION_SET = frozenset(RELATIONS)
_AREAS = frozenset(a.value for a in Area)
_QUALITIES = frozenset(q.value for q in HousingQuality)


def clean_member(m: MemberInput, index: int, today: date, problems: list[FieldProblem]) -> MemberInput:
    """NFC text, normalised ID number, and every value checked; problems appended, not raised."""
    p = f"members[{index}]."
    name = nfc(m.full_name)
    if (bad := check_name(p + "full_name", name)):
        problems.append(bad)
    if m.relation not in _RELATION_SET:
        problems.append(FieldProblem(p + "relation", N_("Must be one of: {choices}"),
                                     {"choices": ", ".join(RELATIONS)}))
    for attr, allowed, choices in _MEMBER_CHOICES:
        value = getattr(m, attr)
        if value is not None and value not in allowed:
            problems.append(FieldProblem(p + attr, N_("Must be one of: {choices}"), {"choices": choices}))
    if m.birth_date is not None and (bad := check_birth_date(p + "birth_date", m.birth_date, today)):
        problems.append(bad)
    id_number = normalise_id_number(m.id_number) if m.id_number else None
    if id_number and (bad := check_id_number(p + "id_number", id_number, m.sex, m.birth_date)):
        problems.append(bad)
    ethnicity = nfc(m.ethnicity) or "Kinh"
    notes = nfc(m.notes) if m.notes else ""
    if (name, id_number or None, ethnicity, notes) == (m.full_name, m.id_number, m.ethnicity, m.notes):
        return m  # already clean: the common case in imports, no copy
    return replace(m, full_name=name, id_number=id_number or None, ethnicity=ethnicity, notes=notes)


def clean_household(h: HouseholdInput, today: date, standard: Standard | None = None) -> HouseholdInput:
    """Validate a whole household input; raise ValidationError listing every problem."""
    problems: list[FieldProblem] = []
    members = tuple(clean_member(m, i, today, problems) for i, m in enumerate(h.members))
    if not members:
        problems.append(FieldProblem("members", N_("A household has at least one member")))
    heads = [m for m in members if m.relation == "head"]
    if members and len(heads) != 1:
        problems.append(FieldProblem("members", N_("Exactly one member must be the head of household")))
    seen: dict[str, int] = {}
    for i, m in enumerate(members):
        if m.id_number:
            if m.id_number in seen:
                problems.append(FieldProblem(f"members[{i}].id_number",
                                             N_("The same ID number is entered for two members")))
            seen[m.id_number] = i
    if h.area not in _AREAS:
        problems.append(FieldProblem("area", N_("Must be one of: {choices}"), {"choices": "rural, urban"}))
    if (bad := check_phone("phone", h.phone)):
        problems.append(bad)
    if (bad := check_area("housing.area_m2", h.housing.area_m2)):
        problems.append(bad)
    if h.housing.quality is not None and h.housing.quality not in _QUALITIES:
        problems.append(FieldProblem("housing.quality", N_("Must be one of: {choices}"),
                                     {"choices": ", ".join(q.value for q in HousingQuality)}))
    if h.overrides:
        # An override is kept per indicator code; one for an indicator of the other standard (e.g. waste
        # treatment, 2027–2030, set while 2022–2026 is in force) is valid and applies under that standard.
        in_force = standard or standard_for(today)
        for code, o in h.overrides.items():
            owner = in_force if code in in_force.indicator_codes else next(
                (s for s in STANDARDS.values() if code in s.indicator_codes), in_force)
            try:
                validate_overrides(owner, {code: o})
            except ValidationError as e:
                problems.extend(e.problems)
    if problems:
        raise ValidationError(problems)
    housing = _typed_housing(h.housing)
    return HouseholdInput(hamlet_uuid=h.hamlet_uuid, members=members, address=nfc(h.address),
                          area=h.area, ethnicity_group=nfc(h.ethnicity_group) or "Kinh",
                          phone=nfc(h.phone), notes=h.notes.strip(), housing=housing,
                          overrides=dict(h.overrides), code=nfc(h.code) if h.code else None)


def _typed_housing(housing: HousingFacts) -> HousingFacts:
    """The quality as the enum the rules compare by identity (forms and imports may give its text)."""
    if housing.quality is not None and not isinstance(housing.quality, HousingQuality):
        try:
            quality = HousingQuality(housing.quality)
        except ValueError:
            return housing  # clean_household reports it; a preview just cannot use it
        return HousingFacts(**{**{f.name: getattr(housing, f.name) for f in fields(housing)}, "quality": quality})
    return housing


# --- rows ------------------------------------------------------------------------------------------
def member_row(m: MemberInput, household_id: int, position: int) -> dict[str, Any]:
    values = m.__dict__  # plain dict lookups: this runs for every member of a bulk load
    row = {name: values[name] for name in _MEMBER_FIELDS}
    row.update(household_id=household_id, position=position, name_sort=person_sort_key(m.full_name))
    return row


def household_row(h: HouseholdInput, head_name: str) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(h, name) for name in _HOUSEHOLD_FIELDS}
    for attr, column in _HOUSING_COLUMNS.items():
        value = getattr(h.housing, attr)
        row[column] = value.value if isinstance(value, HousingQuality) else value
    row["overrides"] = overrides_json(h.overrides)
    row["head_name"] = head_name
    row["head_sort"] = person_sort_key(head_name)
    row["members_count"] = len(h.members)
    return row


def overrides_json(overrides: dict[str, Override]) -> str:
    if not overrides:
        return "{}"
    return json.dumps({c: {"deprived": o.deprived, "reason": o.reason} for c, o in sorted(overrides.items())},
                      ensure_ascii=False)


def overrides_from_json(text: str) -> dict[str, Override]:
    data = json.loads(text or "{}")
    return {c: Override(bool(v["deprived"]), str(v["reason"])) for c, v in data.items()}


def head_of(members: Sequence[MemberInput]) -> str:
    return next(m.full_name for m in members if m.relation == "head")


# --- facts for the rules -----------------------------------------------------------------------
def member_facts(m: MemberInput | MemberDTO | Member) -> MemberFacts:
    return MemberFacts(
        name=m.full_name, birth_date=m.birth_date, sex=Sex(m.sex) if m.sex else None,
        in_school=m.in_school, qualification=Qualification(m.qualification) if m.qualification else None,
        employment=Employment(m.employment) if m.employment else None, able_to_work=m.able_to_work,
        has_health_insurance=m.has_health_insurance, stunted_or_underweight=m.stunted_or_underweight,
        disabled=m.disabled, social_allowance=m.social_allowance)


def housing_facts(h: Household) -> HousingFacts:
    values = {attr: getattr(h, column) for attr, column in _HOUSING_COLUMNS.items()}
    if values["quality"] is not None:
        values["quality"] = HousingQuality(values["quality"])
    return HousingFacts(**values)


def evaluate(standard: Standard, area: str, members: Sequence[MemberInput | MemberDTO | Member],
             housing: HousingFacts, overrides: dict[str, Override], on: date,
             income_per_capita: int | None = None, score_a: int | None = None,
             explicit: dict[str, bool] | None = None) -> ClassificationResult:
    """Derive the profile and classify: the one path the editor preview, assessments and the demo
    generator share, so what the officer sees is what gets recorded."""
    results = derive_indicators(standard, tuple(member_facts(m) for m in members), housing, on,
                                explicit=explicit, overrides=overrides)
    count = sum(1 for r in results if r.deprived)
    classification, basis = classify_values(standard, Area(area), count, income_per_capita, score_a)
    return ClassificationResult(standard=standard.code, area=Area(area), classification=classification,
                                indicators=tuple(results), score_b=count * standard.points_per_indicator,
                                basis=basis)


def indicators_json(results: Iterable[IndicatorResult]) -> str:
    return json.dumps([{"code": r.code, "deprived": r.deprived, "source": r.source.value,
                        "reason": {"msgid": r.reason.msgid, "params": dict(r.reason.params)},
                        "override_reason": r.override_reason} for r in results], ensure_ascii=False)


def indicators_from_json(text: str) -> tuple[IndicatorResult, ...]:
    return tuple(IndicatorResult(d["code"], d["deprived"], Source(d["source"]),
                                 Reason(d["reason"]["msgid"], d["reason"]["params"]), d.get("override_reason"))
                 for d in json.loads(text))


def assessment_row(result: ClassificationResult, a: AssessmentInput, household_id: int,
                   members_count: int) -> dict[str, Any]:
    return {"household_id": household_id, "assessed_on": a.assessed_on, "standard": result.standard,
                "area": result.area.value, "income_per_capita": a.income_per_capita, "score_a": a.score_a,
                "score_b": result.score_b, "deprivation_count": result.deprivation_count,
                "classification": result.classification.value, "basis": result.basis,
                "indicators": indicators_json(result.indicators), "members_count": members_count,
                "assessor": nfc(a.assessor), "notes": a.notes.strip()}


def status_columns(result: ClassificationResult, on: date, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The household's list columns after an assessment on `on`, given its current ones.

    `previous_status` keeps the status from before this year's first assessment, so a second survey
    in the same year does not hide that the household escaped (or fell into) poverty this year.
    """
    current = current or {}
    if current.get("status_year") == on.year:
        previous = current.get("previous_status")
    else:
        previous = current.get("status")
    return {"status": result.classification.value, "previous_status": previous, "status_standard": result.standard,
            "status_year": on.year, "score_b": result.score_b, "deprived": ",".join(result.deprived),
            "last_assessed_on": on}


def check_assessment(a: AssessmentInput, today: date) -> Standard:
    problems = []
    if a.assessed_on > today:
        problems.append(FieldProblem("assessed_on", N_("Cannot be in the future")))
    if (bad := check_amount("income_per_capita", a.income_per_capita, allow_zero=True)):
        problems.append(bad)
    if a.score_a is not None and not 0 <= a.score_a <= 1000:
        problems.append(FieldProblem("score_a", N_("Must be between {low} and {high}"), {"low": 0, "high": 1000}))
    if a.income_per_capita is None and a.score_a is None:
        problems.append(FieldProblem("income_per_capita", N_("Give income_per_capita or score_a")))
    standard = None
    try:
        standard = get_standard(a.standard) if a.standard else standard_for(a.assessed_on)
    except PovcaseError as e:
        problems.append(FieldProblem("standard", e.msgid, e.params))
    if standard:
        for code in a.indicators:
            if code not in standard.indicator_codes:
                problems.append(FieldProblem(f"indicators.{code}", N_("Unknown indicator '{code}' for standard {standard}"),
                                             {"code": code, "standard": standard.code}))
    if problems:
        raise ValidationError(problems)
    assert standard is not None
    return standard


# --- the service -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ctx:
    commune: Commune
    hamlet: Hamlet


class HouseholdService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # reading
    def get(self, uuid: str) -> HouseholdDTO:
        with self.db.reading() as s:
            return self._dto(s, self._load(s, uuid, include_deleted=True))

    def get_by_code(self, code: str) -> HouseholdDTO:
        with self.db.reading() as s:
            h = s.scalar(select(Household).where(Household.code == code))
            if h is None:
                raise NotFoundError(N_("No household with code {code}"), code=code)
            return self._dto(s, h)

    def assessments(self, uuid: str) -> list[AssessmentDTO]:
        """The household's assessment history, newest first."""
        with self.db.reading() as s:
            h = self._load(s, uuid, include_deleted=True)
            rows = s.scalars(select(Assessment).where(Assessment.household_id == h.id,
                                                      Assessment.deleted_at.is_(None))
                             .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())).all()
            return [AssessmentDTO(uuid=a.uuid, assessed_on=a.assessed_on, standard=a.standard, area=a.area,
                                  income_per_capita=a.income_per_capita, score_a=a.score_a,
                                  score_b=a.score_b, deprivation_count=a.deprivation_count,
                                  classification=a.classification, basis=a.basis,
                                  indicators=indicators_from_json(a.indicators), assessor=a.assessor,
                                  notes=a.notes) for a in rows]

    def preview(self, h: HouseholdInput, on: date, standard: str | None = None,
                income_per_capita: int | None = None, score_a: int | None = None) -> ClassificationResult | None:
        """The live result line of the editor: no validation errors raised, nothing written.

        Returns None when there is neither income nor score A to classify with; the indicators are
        still worth showing, so callers use `profile()` for those.
        """
        std = get_standard(standard) if standard else standard_for(on)
        overrides = {c: o for c, o in h.overrides.items() if c in std.indicator_codes}
        if income_per_capita is None and score_a is None:
            return None
        return evaluate(std, h.area, h.members, _typed_housing(h.housing), overrides, on, income_per_capita,
                        score_a)

    def profile(self, h: HouseholdInput, on: date, standard: str | None = None) -> list[IndicatorResult]:
        std = get_standard(standard) if standard else standard_for(on)
        overrides = {c: o for c, o in h.overrides.items() if c in std.indicator_codes}
        return derive_indicators(std, tuple(member_facts(m) for m in h.members), _typed_housing(h.housing), on,
                                 overrides=overrides)

    def check(self, h: HouseholdInput, today: date | None = None) -> list[FieldProblem]:
        """Every problem the save would refuse, without saving: for inline validation in forms."""
        try:
            clean_household(h, today or date.today())
        except ValidationError as e:
            return list(e.problems)
        return []

    # writing
    def create(self, actor: Actor, h: HouseholdInput, today: date | None = None) -> Result[HouseholdDTO]:
        require_writer(actor)
        today = today or date.today()
        clean = clean_household(h, today)
        with self.db.session() as s:
            ctx = self._context(s, clean.hamlet_uuid)
            code = clean.code or next_household_code(s, ctx.commune, ctx.hamlet)
            self._check_code_free(s, ctx.commune.id, code, None)
            audit = Auditor(s, actor)
            row = household_row(clean, head_of(clean.members))
            household = Household(uuid=new_uuid(), commune_id=ctx.commune.id, hamlet_id=ctx.hamlet.id,
                                  code=code, **row)
            s.add(household)
            s.flush()
            audit.created("household", household.uuid, {"code": code, "hamlet": ctx.hamlet.name,
                                                        **{k: row[k] for k in (*_HOUSEHOLD_FIELDS, "overrides")},
                                                        **{c: row[c] for c in _HOUSING_COLUMNS.values()}})
            for i, m in enumerate(clean.members):
                member = Member(uuid=new_uuid(), **member_row(m, household.id, i))
                s.add(member)
                audit.created("member", member.uuid, {n: getattr(m, n) for n in _MEMBER_FIELDS})
            s.flush()
            reindex(s, [household.id])
            dto = self._dto(s, household)
        return Result(dto, audit.changes)

    def update(self, actor: Actor, uuid: str, h: HouseholdInput, expected_revision: int,
               today: date | None = None) -> Result[HouseholdDTO]:
        """Save the editor's whole household: changed fields, added, edited and removed members."""
        require_writer(actor)
        today = today or date.today()
        clean = clean_household(h, today)
        with self.db.session() as s:
            household = self._load(s, uuid)
            if household.revision != expected_revision:
                raise ConflictError(N_("Someone saved this household after you opened it; reopen it to see "
                                       "their changes"))
            audit = Auditor(s, actor)
            ctx = self._context(s, clean.hamlet_uuid)
            new_row = household_row(clean, head_of(clean.members))
            diffs: dict[str, tuple[Any, Any]] = {}
            if ctx.hamlet.id != household.hamlet_id:
                diffs["hamlet"] = (household.hamlet.name, ctx.hamlet.name)
                household.hamlet = ctx.hamlet  # the relationship, so the returned DTO names the new hamlet
            if clean.code and clean.code != household.code:
                self._check_code_free(s, household.commune_id, clean.code, household.id)
                diffs["code"] = (household.code, clean.code)
                household.code = clean.code
            for column, value in new_row.items():
                old = getattr(household, column)
                if old != value:
                    if column not in ("head_sort", "members_count"):
                        diffs[column] = (old, value)
                    setattr(household, column, value)
            member_changes = self._sync_members(s, audit, household, clean.members)
            if diffs or member_changes:
                household.revision += 1
                household.updated_at = utcnow()
                audit.updated("household", household.uuid, diffs)
                if not diffs:
                    audit.changes.add("household", household.uuid, "update", ("members",))
                s.flush()
                reindex(s, [household.id])
            dto = self._dto(s, household)
        return Result(dto, audit.changes)

    def delete(self, actor: Actor, uuid: str, reason: str) -> Result[HouseholdDTO]:
        """Soft delete: a tombstone, the record and its history stay."""
        require_writer(actor)
        if len(nfc(reason)) < 3:
            raise ValidationError([FieldProblem("reason", N_("Say why the household is removed"))])
        with self.db.session() as s:
            household = self._load(s, uuid)
            audit = Auditor(s, actor)
            household.deleted_at = utcnow()
            household.updated_at = household.deleted_at
            household.revision += 1
            audit.deleted("household", household.uuid, nfc(reason))
            reindex(s, [household.id])
            dto = self._dto(s, household)
        return Result(dto, audit.changes)

    def restore(self, actor: Actor, uuid: str) -> Result[HouseholdDTO]:
        require_writer(actor)
        with self.db.session() as s:
            household = self._load(s, uuid, include_deleted=True)
            audit = Auditor(s, actor)
            if household.deleted_at is not None:
                self._check_code_free(s, household.commune_id, household.code, household.id)
                household.deleted_at = None
                household.updated_at = utcnow()
                household.revision += 1
                audit.restored("household", household.uuid)
                reindex(s, [household.id])
            dto = self._dto(s, household)
        return Result(dto, audit.changes)

    def assess(self, actor: Actor, uuid: str, a: AssessmentInput,
               today: date | None = None) -> Result[AssessmentDTO]:
        """Record a survey result, derived from the register's facts as they stand now. While the year's
        annual review is open it becomes the household's survey there and the status waits for the decision
        (the result's changes then include the review entry)."""
        require_writer(actor)
        today = today or date.today()
        standard = check_assessment(a, today)
        with self.db.session() as s:
            household = self._load(s, uuid)
            members = [m for m in household.members if m.deleted_at is None]
            overrides = {c: o for c, o in overrides_from_json(household.overrides).items()
                         if c in standard.indicator_codes}
            result = evaluate(standard, household.area, members, housing_facts(household), overrides,
                              a.assessed_on, a.income_per_capita, a.score_a, a.indicators)
            audit = Auditor(s, actor)
            row = assessment_row(result, a, household.id, len(members))
            assessment = Assessment(uuid=new_uuid(), **row)
            s.add(assessment)
            s.flush()
            audit.created("assessment", assessment.uuid,
                          {k: row[k] for k in ("assessed_on", "standard", "income_per_capita", "score_a",
                                               "score_b", "classification")})
            # Statuses change only with the chairman's decision (DOMAIN.md §2): once the household has one, a
            # survey made while the year's annual review is open is that review's survey, not a new status.
            # A first registration still sets it. Imported here: review builds on this module.
            from povcase.services.review import attach_to_open_round

            in_round = household.status is not None and attach_to_open_round(s, audit, household, assessment)
            latest = household.last_assessed_on
            if not in_round and (latest is None or a.assessed_on >= latest):
                status = status_columns(result, a.assessed_on, {k: getattr(household, k) for k in
                                         ("status", "status_year", "previous_status")})
                diffs = {k: (getattr(household, k), v) for k, v in status.items() if getattr(household, k) != v}
                for k, v in status.items():
                    setattr(household, k, v)
                household.revision += 1
                household.updated_at = utcnow()
                audit.updated("household", household.uuid, diffs)
            dto = AssessmentDTO(uuid=assessment.uuid, assessed_on=a.assessed_on, standard=result.standard,
                                area=result.area.value, income_per_capita=a.income_per_capita, score_a=a.score_a,
                                score_b=result.score_b, deprivation_count=result.deprivation_count,
                                classification=result.classification.value, basis=result.basis,
                                indicators=result.indicators, assessor=row["assessor"], notes=row["notes"])
        return Result(dto, audit.changes)

    # internals
    def _load(self, s: Session, uuid: str, include_deleted: bool = False) -> Household:
        h = s.scalar(select(Household).where(Household.uuid == uuid)
                     .options(selectinload(Household.members), selectinload(Household.hamlet)))
        if h is None or (h.deleted_at is not None and not include_deleted):
            raise NotFoundError(N_("No household with id {uuid}"), uuid=uuid)
        return h

    def _context(self, s: Session, hamlet_uuid: str) -> _Ctx:
        hamlet = s.scalar(select(Hamlet).where(Hamlet.uuid == hamlet_uuid, Hamlet.deleted_at.is_(None)))
        if hamlet is None:
            raise ValidationError([FieldProblem("hamlet", N_("Choose a hamlet of this commune"))])
        return _Ctx(hamlet.commune, hamlet)

    def _check_code_free(self, s: Session, commune_id: int, code: str, own_id: int | None) -> None:
        clash = s.scalar(select(Household.id).where(Household.commune_id == commune_id, Household.code == code))
        if clash is not None and clash != own_id:
            raise ValidationError([FieldProblem("code", N_("Household code {code} is already used"),
                                                {"code": code})])

    def _sync_members(self, s: Session, audit: Auditor, household: Household,
                      wanted: Sequence[MemberInput]) -> bool:
        current = {m.uuid: m for m in household.members if m.deleted_at is None}
        changed = False
        for position, m in enumerate(wanted):
            row = member_row(m, household.id, position)
            existing = current.pop(m.uuid, None) if m.uuid else None
            if existing is None:
                member = Member(uuid=new_uuid(), **row)
                s.add(member)
                audit.created("member", member.uuid, {n: getattr(m, n) for n in _MEMBER_FIELDS})
                changed = True
                continue
            diffs = {}
            for column, value in row.items():
                old = getattr(existing, column)
                if old != value:
                    if column not in ("name_sort", "position", "household_id"):
                        diffs[column] = (old, value)
                    setattr(existing, column, value)
            if diffs:
                existing.revision += 1
                existing.updated_at = utcnow()
                audit.updated("member", existing.uuid, diffs)
                changed = True
        for gone in current.values():
            gone.deleted_at = utcnow()
            gone.revision += 1
            audit.deleted("member", gone.uuid)
            changed = True
        s.flush()
        s.expire(household, ["members"])
        return changed

    def _dto(self, s: Session, h: Household) -> HouseholdDTO:
        members = tuple(MemberDTO(uuid=m.uuid, revision=m.revision, **{n: getattr(m, n) for n in _MEMBER_FIELDS})
                        for m in sorted(h.members, key=lambda m: m.position) if m.deleted_at is None)
        commune_code = s.scalar(select(Commune.code).where(Commune.id == h.commune_id)) or ""
        return HouseholdDTO(
            uuid=h.uuid, id=h.id, code=h.code, commune_code=commune_code, hamlet_uuid=h.hamlet.uuid,
            hamlet_name=h.hamlet.name, head_name=h.head_name, address=h.address, area=h.area,
            ethnicity_group=h.ethnicity_group, phone=h.phone, notes=h.notes, housing=housing_facts(h),
            overrides=overrides_from_json(h.overrides), members=members, status=h.status, previous_status=h.previous_status,
            status_year=h.status_year, status_standard=h.status_standard, score_b=h.score_b,
            deprived=tuple(c for c in h.deprived.split(",") if c), last_assessed_on=h.last_assessed_on,
            revision=h.revision, deleted=h.deleted_at is not None)


def next_household_code(s: Session, commune: Commune, hamlet: Hamlet) -> str:
    """commune code - hamlet number - running number, e.g. 29461-03-0012."""
    prefix = f"{commune.code}-{hamlet.position:02d}-"
    # The running number compared as a number: past 9999 the text "…-9999" would sort last.
    running = func.cast(func.substr(Household.code, len(prefix) + 1), Integer)
    last = s.scalar(select(func.max(running)).where(Household.commune_id == commune.id,
                                                    Household.code.like(prefix + "%")))
    return f"{prefix}{(last or 0) + 1:04d}"
