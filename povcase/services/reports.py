"""Printing and exporting: gathers the DTOs each document is drawn from, writes PDF or xlsx files, and
audits every print and export (DOMAIN.md §6: who printed or exported what).

A batch (a hamlet's plans, a decision's certificates) gathers its data in a handful of batched queries —
never one round trip per household — then lays out and draws each document, reporting progress and
stopping on Cancel with nothing left behind (partial files are removed, no audit row is written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import (
    Assessment,
    Certificate,
    Decision,
    EscapePlan,
    Hamlet,
    Household,
    Member,
    PlanAction,
    PlanGoal,
    Programme,
    ReviewEntry,
    ReviewRound,
    Sponsor,
    SponsorAssignment,
    SupportRecord,
    Visit,
)
from povcase.domain import targets as target_rules
from povcase.domain.plans import INCOME, get_programme, visit_due_on
from povcase.domain.standards import CLASSIFICATION_LABELS, STANDARDS, Classification
from povcase.domain.text import fold, nfc, person_sort_key
from povcase.errors import N_, FieldProblem, NotFoundError, PovcaseError, ValidationError
from povcase.i18n import format_number, format_vnd, translate
from povcase.reports.model import (
    ActionLine,
    AreaLine,
    CertificateDoc,
    CommuneReportDoc,
    DeprivationLine,
    GoalLine,
    HouseholdListDoc,
    Letterhead,
    ListRow,
    ListSection,
    MemberLine,
    PlanDoc,
    ProgrammeLine,
    SponsorRow,
    SponsorSheetDoc,
    SupportLine,
    TargetLine,
    TrendLine,
    fixed,
)
from povcase.services.base import Actor, Auditor, Result
from povcase.services.communes import CommuneService
from povcase.services.households import indicators_from_json
from povcase.services.results import AreaResult, ResultsService, rate
from povcase.services.review import ReviewService
from povcase.services.support import SupportService

if TYPE_CHECKING:
    from povcase.reports.layout import Layout


# reportlab and openpyxl load on the first print or export, not when the register opens (~0.25 s of
# every start-up and every command otherwise).
def _pdf() -> ModuleType:
    from povcase.reports import documents

    return documents


def _pdf_report() -> ModuleType:
    from povcase.reports import commune_report

    return commune_report


def _excel() -> ModuleType:
    from povcase.reports import xlsx

    return xlsx

CANCELLED = N_("Cancelled; nothing was saved")
LIST_KINDS = ("posting", "poor", "near_poor", "escaped", "newly_poor", "newly_near_poor")
_CHUNK = 500  # ids per IN (...) query: well under SQLite's variable limit

RELATIONS = {"head": N_("Head of household"), "spouse": N_("Spouse"), "child": N_("Child"), "parent": N_("Parent"),
             "grandchild": N_("Grandchild"), "sibling": N_("Brother or sister"), "in_law": N_("In-law"),
             "other": N_("Other")}
SEXES = {"male": N_("Male"), "female": N_("Female")}
ACTION_STATUSES = {"planned": N_("Planned"), "in_progress": N_("In progress"), "done": N_("Done"),
                   "dropped": N_("Dropped")}
GOAL_STATUSES = {"open": N_("Open"), "achieved": N_("Achieved"), "dropped": N_("Dropped")}
SPONSOR_KINDS = {"party_member": N_("Party member"), "party_cell": N_("Party cell"), "unit": N_("Unit or agency"),
                 "mass_org": N_("Mass organisation"), "business": N_("Business"), "donor": N_("Donor")}
TRANSITIONS = {"newly_poor": N_("Newly poor"), "newly_near_poor": N_("Newly near-poor"),
               "escaped_poverty": N_("Escaped poverty"), "escaped_near_poverty": N_("Escaped near-poverty"),
               "poor_to_near_poor": N_("Poor to near-poor"), "near_poor_to_poor": N_("Near-poor to poor"),
               "re_poor": N_("Poor again"), "no_change": ""}
LIST_TITLES = {
    "posting": N_("List of poor, near-poor and escaped households, {year}"),
    "poor": N_("List of poor households, {year}"),
    "near_poor": N_("List of near-poor households, {year}"),
    "escaped": N_("List of households that escaped poverty or near-poverty, {year}"),
    "newly_poor": N_("List of newly poor households, {year}"),
    "newly_near_poor": N_("List of newly near-poor households, {year}"),
}

Progress = Callable[[int], bool] | None


def classification_label(status: str | None, lang: str) -> str:
    if not status:
        return ""
    try:
        vi, en = CLASSIFICATION_LABELS[Classification(status)]
    except ValueError:
        return status
    return vi if lang == "vi" else en


def _label(labels: dict[str, str], key: str | None, lang: str) -> str:
    """The translated label of a code; the code itself when unknown; "" for codes labelled ""."""
    msgid = labels.get(key or "")
    if msgid is None:
        return key or ""
    return translate(msgid, lang) if msgid else ""


def _chunks(seq: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), _CHUNK):
        yield seq[i:i + _CHUNK]


def check_extension(out: Path, allowed: Sequence[str]) -> str:
    """The output's format from its extension; a ValidationError naming the allowed ones otherwise."""
    ext = out.suffix.lower().lstrip(".")
    if ext not in allowed:
        raise ValidationError([FieldProblem("out", N_("The file name must end in {allowed}"),
                                            {"allowed": " / ".join(f".{a}" for a in allowed)})])
    return ext


@dataclass(frozen=True)
class Output:
    """What a print or export wrote."""

    paths: tuple[Path, ...]
    documents: int
    pages: int  # 0 for spreadsheets


@dataclass(frozen=True)
class DecisionChoice:
    uuid: str
    number: str
    decided_on: date
    certificates: int


class ReportService:
    def __init__(self, db: Database, communes: CommuneService, results: ResultsService, support: SupportService,
                 review: ReviewService) -> None:
        self.db = db
        self.communes = communes
        self.results = results
        self.support = support
        self.review = review

    # --- the letterhead ----------------------------------------------------------------------------
    def letterhead(self, today: date, lang: str = "vi") -> Letterhead:
        c = self.communes.local_commune()
        if c is None:
            raise PovcaseError(N_("The register has no commune set up"))
        place = c.name
        for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
            place = place.removeprefix(prefix)
        commune = c.name[:1].lower() + c.name[1:] if c.name.startswith(("Xã ", "Phường ")) else c.name
        return Letterhead(translate("People's Committee", lang), c.name.upper(), place, today, commune, lang)

    # --- support plans -------------------------------------------------------------------------------
    def plan_docs(self, household_uuids: Sequence[str], today: date, officer: str, lang: str = "vi") -> list[PlanDoc]:
        """The plans of these households, in the order given, gathered in batched queries."""
        lh = self.letterhead(today, lang)
        office_programmes = self._office_programmes()
        out: list[PlanDoc] = []
        with self.db.reading() as s:
            for chunk in _chunks(list(household_uuids)):
                out.extend(self._plan_chunk(s, chunk, today, officer, lang, lh, office_programmes))
        return out

    def _plan_chunk(self, s: Session, uuids: Sequence[str], today: date, officer: str, lang: str, lh: Letterhead,
                    office_programmes: dict[str, tuple[str, str]]) -> list[PlanDoc]:
        rows = {h.uuid: (h, name) for h, name in s.execute(
            select(Household, Hamlet.name).join(Hamlet, Hamlet.id == Household.hamlet_id)
            .where(Household.uuid.in_(uuids), Household.deleted_at.is_(None)))}
        missing = [u for u in uuids if u not in rows]
        if missing:
            raise NotFoundError(N_("No household with id {uuid}"), uuid=missing[0])
        ids = [rows[u][0].id for u in uuids]
        members: dict[int, list[Member]] = {i: [] for i in ids}
        for m in s.scalars(select(Member).where(Member.household_id.in_(ids), Member.deleted_at.is_(None))
                           .order_by(Member.household_id, Member.position)):
            members[m.household_id].append(m)
        member_names = {m.id: m.full_name for ms in members.values() for m in ms}
        latest: dict[int, Assessment] = {}
        for a in s.scalars(select(Assessment).where(Assessment.household_id.in_(ids), Assessment.deleted_at.is_(None))
                           .order_by(Assessment.household_id, Assessment.assessed_on, Assessment.id)):
            latest[a.household_id] = a
        plans: dict[int, EscapePlan] = {}
        for p in s.scalars(select(EscapePlan).where(EscapePlan.household_id.in_(ids), EscapePlan.deleted_at.is_(None))
                           .order_by(EscapePlan.id)):
            plans[p.household_id] = p
        goals: dict[int, list[PlanGoal]] = {}
        plan_ids = [p.id for p in plans.values()]
        if plan_ids:
            for g in s.scalars(select(PlanGoal).where(PlanGoal.plan_id.in_(plan_ids), PlanGoal.deleted_at.is_(None))
                               .order_by(PlanGoal.plan_id, PlanGoal.position, PlanGoal.id)):
                goals.setdefault(g.plan_id, []).append(g)
        actions: dict[int, list[PlanAction]] = {}
        goal_ids = [g.id for gs in goals.values() for g in gs]
        for chunk in _chunks(goal_ids):
            for a in s.scalars(select(PlanAction).where(PlanAction.goal_id.in_(chunk), PlanAction.deleted_at.is_(None))
                               .order_by(PlanAction.goal_id, PlanAction.position, PlanAction.id)):
                actions.setdefault(a.goal_id, []).append(a)
        sponsors: dict[int, tuple[SponsorAssignment, Sponsor]] = {}
        for a, sp in s.execute(self._current_assignments(today).where(SponsorAssignment.household_id.in_(ids))):
            sponsors[a.household_id] = (a, sp)
        support: dict[int, list[SupportRecord]] = {}
        for r in s.scalars(select(SupportRecord).where(SupportRecord.household_id.in_(ids),
                                                       SupportRecord.deleted_at.is_(None))
                           .order_by(SupportRecord.household_id, SupportRecord.given_on, SupportRecord.id)):
            support.setdefault(r.household_id, []).append(r)

        def programme(code: str | None) -> str:
            return self._programme_name(code, lang, office_programmes)

        out = []
        for u in uuids:
            h, hamlet = rows[u]
            plan = plans.get(h.id)
            goal_lines = []
            for g in goals.get(plan.id, []) if plan else []:
                goal_lines.append(GoalLine(
                    g.text, self._indicator_label(g.indicator, h.status_standard, lang), g.target_on,
                    _label(GOAL_STATUSES, g.status, lang),
                    tuple(ActionLine(a.text, a.responsible, programme(a.programme_code), self._what(a.amount, a.item,
                                                                                                   a.quantity, lang),
                                     a.start_on, a.due_on, _label(ACTION_STATUSES, a.status, lang))
                          for a in actions.get(g.id, []))))
            assignment = sponsors.get(h.id)
            records = support.get(h.id, [])
            out.append(PlanDoc(
                letterhead=lh, code=h.code, head_name=h.head_name, hamlet=hamlet, address=h.address, phone=h.phone,
                members=tuple(self._member_line(m, lang) for m in members[h.id]),
                classification=self._classification_line(h, lang),
                deprivations=self._deprivations(latest.get(h.id), lang),
                agreed_on=plan.agreed_on if plan else None,
                registered_escape_on=plan.registered_escape_on if plan else None, goals=tuple(goal_lines),
                sponsor=self._sponsor_text(assignment[1], lang) if assignment else "",
                sponsor_name=assignment[1].name if assignment else "",
                sponsor_since=assignment[0].start_on if assignment else None,
                support=tuple(SupportLine(r.given_on, programme(r.programme_code),
                                          self._what(r.amount, r.item, r.quantity, lang),
                                          member_names.get(r.member_id or 0, ""), r.evidence_ref) for r in records),
                support_total=sum(r.amount or 0 for r in records), officer=officer))
        return out

    def plan_households(self, today: date, hamlet_uuid: str | None = None,
                        sponsor_uuid: str | None = None) -> list[str]:
        """Whose plans a batch prints: a sponsor's households today, or the poor and near-poor households
        of a hamlet (the whole commune without either), in Vietnamese list order."""
        with self.db.reading() as s:
            q = select(Household.uuid).where(Household.deleted_at.is_(None))
            if sponsor_uuid:
                q = q.where(Household.id.in_(self._current_assignments(today).where(Sponsor.uuid == sponsor_uuid)
                                             .with_only_columns(SponsorAssignment.household_id)))
            else:
                q = q.where(Household.status.in_(("poor", "near_poor")))
            if hamlet_uuid:
                q = q.join(Hamlet, Hamlet.id == Household.hamlet_id).where(Hamlet.uuid == hamlet_uuid)
            return list(s.scalars(q.order_by(Household.head_sort, Household.id)))

    def print_plans(self, actor: Actor, household_uuids: Sequence[str], out: Path, *, one_file: bool = True,
                    progress: Progress = None, today: date | None = None, lang: str = "vi") -> Result[Output]:
        """Support plans into one PDF (`out`), or one PDF per household into the folder `out`."""
        today = today or date.today()
        if one_file:
            check_extension(out, ("pdf",))
        if not household_uuids:
            raise ValidationError([FieldProblem("households", N_("Choose at least one household"))])
        docs = self.plan_docs(household_uuids, today, actor.name, lang)
        written = self._write_pdfs(docs, _pdf().plan_layout, out, one_file,
                                   translate("Household support plan to escape poverty", lang),
                                   lambda d: f"{d.code} {_slug(translate('Support plan', lang))}.pdf", progress)
        return self._audit(actor, "household", list(household_uuids), "support plan", written)

    # --- certificates ----------------------------------------------------------------------------------
    def certificate_decisions(self, year: int) -> list[DecisionChoice]:
        """The decisions of `year` that issued certificates still in force, for the batch picker."""
        with self.db.reading() as s:
            return [DecisionChoice(u, n, d, c) for u, n, d, c in s.execute(
                select(Decision.uuid, Decision.number, Decision.decided_on, func.count(Certificate.id))
                .join(Certificate, Certificate.decision_id == Decision.id)
                .where(Certificate.year == year, Certificate.deleted_at.is_(None),
                       Certificate.replaced_by_id.is_(None), Decision.deleted_at.is_(None))
                .group_by(Decision.id).order_by(Decision.decided_on, Decision.id))]

    def certificate_docs(self, certificate_uuids: Sequence[str], today: date, lang: str = "vi") -> list[CertificateDoc]:
        lh = self.letterhead(today, lang)
        out = []
        with self.db.reading() as s:
            for chunk in _chunks(list(certificate_uuids)):
                rows = {c.uuid: (c, h, d, hamlet) for c, h, d, hamlet in s.execute(
                    select(Certificate, Household, Decision, Hamlet.name)
                    .join(Household, Household.id == Certificate.household_id)
                    .join(Decision, Decision.id == Certificate.decision_id)
                    .join(Hamlet, Hamlet.id == Household.hamlet_id)
                    .where(Certificate.uuid.in_(chunk)))}
                members: dict[int, list[Member]] = {}
                for m in s.scalars(select(Member).where(Member.household_id.in_([r[1].id for r in rows.values()]),
                                                        Member.deleted_at.is_(None))
                                   .order_by(Member.household_id, Member.position)):
                    members.setdefault(m.household_id, []).append(m)
                for u in chunk:
                    if u not in rows:
                        raise NotFoundError(N_("No certificate with id {uuid}"), uuid=u)
                    c, h, d, hamlet = rows[u]
                    ms = members.get(h.id, [])
                    head = next((m for m in ms if m.relation == "head"), ms[0] if ms else None)
                    residence = _residence(h.address, hamlet, lh.commune)
                    out.append(CertificateDoc(
                        letterhead=Letterhead(lh.authority, lh.issuer, lh.place, c.issued_on, lh.commune, lang),
                        number=c.number, year=c.year, classification=c.classification, head_name=h.head_name,
                        ethnicity=head.ethnicity if head else h.ethnicity_group,
                        id_number=(head.id_number or "") if head else "", residence=residence, code=h.code,
                        members=tuple(self._member_line(m, lang) for m in ms), decision_number=d.number,
                        decided_on=d.decided_on, issued_on=c.issued_on,
                        signer=translate("On behalf of the People's Committee\nChairman", lang)))
        return out

    def household_certificate(self, household_code: str) -> str:
        """The uuid of the household's newest certificate in force; NotFoundError when it has none."""
        with self.db.reading() as s:
            h = s.scalar(select(Household).where(Household.code == household_code, Household.deleted_at.is_(None)))
            if h is None:
                raise NotFoundError(N_("No household with code {code}"), code=household_code)
            uuid = s.scalar(select(Certificate.uuid).where(Certificate.household_id == h.id,
                                                           Certificate.deleted_at.is_(None),
                                                           Certificate.replaced_by_id.is_(None))
                            .order_by(Certificate.year.desc(), Certificate.id.desc()).limit(1))
            if uuid is None:
                raise NotFoundError(N_("Household {code} has no certificate"), code=household_code)
            return uuid

    def year_certificates(self, year: int, decision_uuid: str | None = None) -> list[str]:
        """Certificates in force issued for `year` (optionally by one decision), in number order."""
        current = [c for c in self.review.certificates(year) if c.replaced_by_uuid is None]
        if decision_uuid:
            with self.db.reading() as s:
                keep = set(s.scalars(select(Certificate.uuid).join(Decision, Decision.id == Certificate.decision_id)
                                     .where(Decision.uuid == decision_uuid)))
            current = [c for c in current if c.uuid in keep]
        return [c.uuid for c in current]

    def print_certificates(self, actor: Actor, certificate_uuids: Sequence[str], out: Path, *, one_file: bool = True,
                           progress: Progress = None, today: date | None = None, lang: str = "vi") -> Result[Output]:
        today = today or date.today()
        if one_file:
            check_extension(out, ("pdf",))
        if not certificate_uuids:
            raise ValidationError([FieldProblem("certificates", N_("There is no certificate to print"))])
        docs = self.certificate_docs(certificate_uuids, today, lang)
        written = self._write_pdfs(docs, _pdf().certificate_layout, out, one_file,
                                   translate("Certificates", lang),
                                   lambda d: f"{d.code} {_slug(translate('Certificate', lang))}.pdf", progress)
        return self._audit(actor, "certificate", list(certificate_uuids), "certificate", written)

    # --- lists ---------------------------------------------------------------------------------------------
    def list_doc(self, kind: str, year: int, hamlet_uuid: str | None, today: date, officer: str,
                 lang: str = "vi") -> HouseholdListDoc:
        """The posting list or one of the year's lists, for the commune or one hamlet."""
        if kind not in LIST_KINDS:
            raise ValidationError([FieldProblem("kind", N_("Unknown list '{kind}'"), {"kind": kind})])
        hamlet_name = self._hamlet_name(hamlet_uuid) if hamlet_uuid else ""
        lh = self.letterhead(today, lang)
        if kind == "posting":
            sections, note = self._posting_sections(year, hamlet_uuid, lang)
            where = hamlet_name or lh.commune
            subtitle = translate("(Posted publicly at {place})", lang, place=where)
        else:
            uuids = self.results.households(year, kind, hamlet_uuid)
            sections = (ListSection("", tuple(self._list_rows(uuids, year, kind, lang))),)
            note = ""
            subtitle = hamlet_name or lh.commune
        return HouseholdListDoc(lh, kind, translate(LIST_TITLES[kind], lang, year=year), subtitle, year,
                                tuple(sections), officer, note)

    def _posting_sections(self, year: int, hamlet_uuid: str | None, lang: str) -> tuple[list[ListSection], str]:
        """From the year's annual review when there is one (proposed classification and transition);
        otherwise from the households' statuses for the year (register.results)."""
        with self.db.reading() as s:
            rnd = s.scalar(select(ReviewRound).where(ReviewRound.year == year, ReviewRound.kind == "annual",
                                                     ReviewRound.deleted_at.is_(None)).order_by(ReviewRound.id.desc()))
            entries: list[tuple[str, str | None, str | None, str | None]] = []
            if rnd is not None:
                q = (select(Household.uuid, ReviewEntry.proposed, ReviewEntry.transition, ReviewEntry.previous_status)
                     .join(Household, Household.id == ReviewEntry.household_id)
                     .where(ReviewEntry.round_id == rnd.id, ReviewEntry.deleted_at.is_(None),
                            Household.deleted_at.is_(None)).order_by(Household.head_sort, Household.id))
                if hamlet_uuid:
                    q = q.join(Hamlet, Hamlet.id == Household.hamlet_id).where(Hamlet.uuid == hamlet_uuid)
                entries = [tuple(r) for r in s.execute(q)]  # type: ignore[misc]
        groups: dict[str, list[str]] = {"poor": [], "near_poor": [], "escaped": []}
        notes: dict[str, str] = {}
        if rnd is not None:
            for uuid, proposed, move, previous in entries:
                if proposed in ("poor", "near_poor"):
                    groups[proposed].append(uuid)
                elif proposed is not None and previous in ("poor", "near_poor"):
                    groups["escaped"].append(uuid)
                else:
                    continue
                notes[uuid] = _label(TRANSITIONS, move, lang)
            source = translate("From the {year} annual review (proposed classification).", lang, year=year)
        else:
            for kind in groups:
                groups[kind] = self.results.households(year, kind, hamlet_uuid)
            source = translate("No {year} annual review is recorded: the list shows the households' statuses "
                               "for {year}.", lang, year=year)
        titles = {"poor": N_("I. Poor households"), "near_poor": N_("II. Near-poor households"),
                  "escaped": N_("III. Households that escaped poverty or near-poverty")}
        sections = []
        for kind, uuids in groups.items():
            rows = self._list_rows(uuids, year, kind, lang, notes)
            sections.append(ListSection(translate(titles[kind], lang), tuple(rows)))
        return sections, source

    def _list_rows(self, uuids: Sequence[str], year: int, kind: str, lang: str,
                   notes: dict[str, str] | None = None) -> list[ListRow]:
        out: dict[str, ListRow] = {}
        with self.db.reading() as s:
            for chunk in _chunks(list(uuids)):
                for h, hamlet in s.execute(select(Household, Hamlet.name).join(Hamlet, Hamlet.id == Household.hamlet_id)
                                           .where(Household.uuid.in_(chunk))):
                    if kind in ("poor", "near_poor", "newly_poor", "newly_near_poor"):
                        status = classification_label("near_poor" if "near" in kind else "poor", lang)
                    elif h.status_year == year:
                        status = classification_label(h.status, lang)
                    else:
                        status = ""
                    note = (notes or {}).get(h.uuid, "")
                    if not note and kind == "escaped" and h.status_year == year and h.previous_status:
                        note = _label(TRANSITIONS, "escaped_poverty" if h.previous_status == "poor"
                                      else "escaped_near_poverty", lang)
                    out[h.uuid] = ListRow(h.code, h.head_name, hamlet, h.address, h.members_count, status, note)
        return [out[u] for u in uuids if u in out]

    def print_list(self, actor: Actor, kind: str, year: int, out: Path, hamlet_uuid: str | None = None,
                   today: date | None = None, lang: str = "vi") -> Result[Output]:
        """A list as PDF or xlsx, chosen by the file's extension."""
        today = today or date.today()
        fmt = check_extension(out, ("pdf", "xlsx"))
        doc = self.list_doc(kind, year, hamlet_uuid, today, actor.name, lang)
        pages = 0
        if fmt == "pdf":
            pages = _pdf().write_pdf(out, [_pdf().list_layout(doc)], doc.title)
        else:
            _excel().write_list(out, doc)
        output = Output((out,), 1, pages)
        with self.db.session() as s:
            audit = Auditor(s, actor)
            where = f" hamlet {hamlet_uuid}" if hamlet_uuid else ""
            audit.event("print" if fmt == "pdf" else "export", "household_list", None,
                        f"{kind} {year}{where}: {len(doc.rows)} households → {out.name}")
        return Result(output, audit.changes)

    # --- sponsors ------------------------------------------------------------------------------------------
    def sponsor_doc(self, today: date, officer: str, sponsor_uuid: str | None = None,
                    lang: str = "vi") -> SponsorSheetDoc:
        """Every current assignment (the assignment sheet), or one sponsor's households (the visit sheet)."""
        lh = self.letterhead(today, lang)
        with self.db.reading() as s:
            q = self._current_assignments(today).add_columns(Household, Hamlet.name).join(
                Household, Household.id == SponsorAssignment.household_id).join(Hamlet, Hamlet.id == Household.hamlet_id)
            sponsor_name = ""
            if sponsor_uuid:
                sp = s.scalar(select(Sponsor).where(Sponsor.uuid == sponsor_uuid, Sponsor.deleted_at.is_(None)))
                if sp is None:
                    raise NotFoundError(N_("No sponsor with id {uuid}"), uuid=sponsor_uuid)
                sponsor_name = sp.name
                q = q.where(Sponsor.id == sp.id)
            found = list(s.execute(q))
            ids = [h.id for _a, _sp, h, _hamlet in found]
            last: dict[int, tuple[date, date | None]] = {}
            for chunk in _chunks(ids):
                for hid, on, due in s.execute(select(Visit.household_id, Visit.visited_on, Visit.next_visit_due)
                                              .where(Visit.household_id.in_(chunk), Visit.deleted_at.is_(None))
                                              .order_by(Visit.household_id, Visit.visited_on, Visit.id)):
                    last[hid] = (on, due)
            rows = []
            for a, sp, h, hamlet in found:
                last_on, next_due = last.get(h.id, (None, None))
                if last_on is not None and last_on < a.start_on:
                    last_on, next_due = None, None  # an earlier sponsor's visit: the new one starts its own clock
                rows.append(SponsorRow(sp.name, _label(SPONSOR_KINDS, sp.kind, lang), sp.organisation, h.code, h.head_name,
                                       hamlet, classification_label(h.status, lang), a.start_on, last_on,
                                       visit_due_on(a.start_on, last_on, next_due), h.phone, h.address))
        rows.sort(key=lambda r: (person_sort_key(r.sponsor), person_sort_key(r.head_name), r.code))
        if sponsor_uuid:
            return SponsorSheetDoc(lh, "visits", translate("Visit sheet", lang),
                                   translate("Sponsor: {name}", lang, name=sponsor_name), tuple(rows), officer,
                                   sponsor_name)
        return SponsorSheetDoc(lh, "assignments", translate("Sponsor assignment sheet", lang),
                               translate("Households helped by sponsors on {date}", lang,
                                         date=today.strftime("%d/%m/%Y")), tuple(rows), officer)

    def print_sponsor_sheet(self, actor: Actor, out: Path, sponsor_uuid: str | None = None,
                            today: date | None = None, lang: str = "vi") -> Result[Output]:
        today = today or date.today()
        fmt = check_extension(out, ("pdf", "xlsx"))
        doc = self.sponsor_doc(today, actor.name, sponsor_uuid, lang)
        pages = 0
        if fmt == "pdf":
            pages = _pdf().write_pdf(out, [_pdf().sponsor_sheet_layout(doc)], doc.title)
        else:
            _excel().write_sponsor_sheet(out, doc)
        with self.db.session() as s:
            audit = Auditor(s, actor)
            audit.event("print" if fmt == "pdf" else "export", "sponsor" if sponsor_uuid else "sponsor_list",
                        sponsor_uuid, f"{doc.kind} {len(doc.rows)} households → {out.name}")
        return Result(Output((out,), 1, pages), audit.changes)

    # --- the commune report -----------------------------------------------------------------------------
    def report_doc(self, year: int, today: date, officer: str, lang: str = "vi") -> CommuneReportDoc:
        lh = self.letterhead(today, lang)
        commune = self.communes.local_commune()
        assert commune is not None  # letterhead() checked
        yr = self.results.year(year)
        set_ = target_rules.TARGET_SETS.get(target_rules.PROVINCE_TARGETS.get(commune.province_code, ""))
        first = min(set_.first_year, year) if set_ else year - 4
        trend = self.results.trend(year, years=max(5, year - first + 1))
        has_last = any(p.year == year - 1 for p in trend)
        totals = self.support.totals(date(year, 1, 1), date(year, 12, 31), by="programme")
        office = self._office_programmes()
        support = tuple(ProgrammeLine(self._programme_name(t.key, lang, office), t.records, t.households, t.amount)
                        for t in totals)
        targets, source, note = self._targets(commune.province_code, year, yr.overall, yr.ethnic_groups, trend,
                                              has_last, lang)
        return CommuneReportDoc(
            letterhead=lh, year=year, commune=translate("{commune}, {province}", lang, commune=commune.name,
                                                        province=commune.province_name),
            decided=yr.decided, decision_number=yr.decision_number, decided_on=yr.decided_on,
            overall=_area_line(yr.overall, translate("Whole commune", lang)),
            hamlets=tuple(_area_line(a) for a in yr.hamlets), ethnic_groups=tuple(_area_line(a) for a in yr.ethnic_groups),
            trend=tuple(TrendLine(p.year, p.households, p.poor, p.near_poor, p.poor_rate, p.near_poor_rate, p.decided)
                        for p in trend[-5:]),
            support=support, support_total=sum(p.amount for p in support), targets=targets, targets_source=source,
            targets_note=note, officer=officer, has_last_year=has_last)

    def _targets(self, province_code: str, year: int, overall: AreaResult, groups: Sequence[AreaResult],
                 trend: Sequence[Any], has_last: bool, lang: str) -> tuple[tuple[TargetLine, ...], str, str]:
        set_ = target_rules.targets_for(province_code, year)
        if set_ is None:
            return (), "", translate("No province targets are recorded for this province and year.", lang)
        group_change: dict[str, float | None] = {g.key: (g.poor_change if has_last else None) for g in groups}
        minorities = [g for g in groups if g.key != target_rules.KINH]
        if minorities and has_last:
            hh = sum(g.this_year.households for g in minorities)
            now = rate(sum(g.this_year.poor for g in minorities), hh)
            before = rate(sum(g.last_year.poor for g in minorities), sum(g.last_year.households for g in minorities))
            group_change[target_rules.ETHNIC_MINORITIES] = round(now - before, 2)
        base = next((p for p in trend if p.year >= set_.first_year), None)
        figures = target_rules.YearFigures(
            year, overall.this_year.poor_rate, overall.this_year.near_poor_rate,
            overall.poor_change if has_last else None, overall.near_poor_change if has_last else None, group_change,
            base.year if base else None, base.poor_rate if base else None, base.near_poor_rate if base else None,
            self._health_insurance_coverage())
        lines = []
        for p in target_rules.progress(set_, figures):
            change = p.target.metric.endswith("_change")
            pct = p.target.metric in ("poor_rate_at_most", "poor_rate_share", "near_poor_rate_share",
                                      "health_insurance_coverage")
            if change:
                goal = (f"{fixed(-p.target.amount, lang, 1)} … {fixed(-p.target.upper, lang, 1)}"
                        if p.target.upper else f"≤ {fixed(-p.target.amount, lang, 1)}")
                goal = translate("{value} points", lang, value=goal)
            elif p.target.metric == "health_insurance_coverage":
                goal = f"≥ {fixed(p.goal, lang, 0)}%"
            else:
                goal = f"≤ {fixed(p.goal, lang)}%"
            if p.actual is None:
                actual = "—"
            elif change:
                actual = translate("{value} points", lang, value=fixed(p.actual, lang, 2, sign=True))
            else:
                actual = f"{fixed(p.actual, lang)}%" if pct else fixed(p.actual, lang)
            lines.append(TargetLine(translate(p.target.msgid, lang), goal, actual, p.met))
        notes = [translate(m, lang) for m in (target_rules.MERGED_NOTE.get(province_code),) if m]
        if set_.not_measured:
            notes.append(translate("Not measured by the register: {targets}.", lang,
                                   targets="; ".join(translate(m, lang) for m in set_.not_measured)))
        return tuple(lines), set_.source, " ".join(notes)

    def _health_insurance_coverage(self) -> float | None:
        """Percent of live members (with the fact recorded) who have health insurance."""
        with self.db.reading() as s:
            known, insured = s.execute(
                select(func.count(Member.id), func.coalesce(func.sum(case((Member.has_health_insurance.is_(True), 1), else_=0)), 0))
                .join(Household, Household.id == Member.household_id)
                .where(Member.deleted_at.is_(None), Household.deleted_at.is_(None),
                       Member.has_health_insurance.is_not(None))).one()
        return rate(insured, known) if known else None

    def print_report(self, actor: Actor, year: int, out: Path, today: date | None = None,
                     lang: str = "vi") -> Result[Output]:
        today = today or date.today()
        fmt = check_extension(out, ("pdf", "xlsx"))
        doc = self.report_doc(year, today, actor.name, lang)
        pages = 0
        if fmt == "pdf":
            pages = _pdf().write_pdf(out, [_pdf_report().report_layout(doc)], translate(
                "Report on poor and near-poor households, {year}", lang, year=year))
        else:
            _excel().write_report(out, doc)
        with self.db.session() as s:
            audit = Auditor(s, actor)
            audit.event("print" if fmt == "pdf" else "export", "commune_report", None, f"{year} → {out.name}")
        return Result(Output((out,), 1, pages), audit.changes)

    # --- shared internals ------------------------------------------------------------------------------
    def _write_pdfs(self, docs: Sequence[Any], lay_out: Callable[[Any], Layout], out: Path, one_file: bool,
                    title: str, file_name: Callable[[Any], str], progress: Progress) -> Output:
        """Lay out and draw `docs` into one PDF or one file each; on Cancel remove what was written."""
        written: list[Path] = []
        pages = 0
        try:
            if one_file:
                layouts = []
                for i, d in enumerate(docs, 1):
                    layouts.append(lay_out(d))
                    if progress is not None and not progress(i * 9 // 10):  # drawing is the last tenth
                        raise PovcaseError(CANCELLED)
                written.append(out)
                pages = _pdf().write_pdf(out, layouts, title)
                if progress is not None:
                    progress(len(docs))
            else:
                out.mkdir(parents=True, exist_ok=True)
                used: set[str] = set()
                for i, d in enumerate(docs, 1):
                    name = _unique(nfc(file_name(d)).replace("/", "-"), used)
                    path = out / name
                    written.append(path)
                    pages += _pdf().write_pdf(path, [lay_out(d)], title)
                    if progress is not None and not progress(i):
                        raise PovcaseError(CANCELLED)
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        return Output(tuple(written), len(docs), pages)

    def _audit(self, actor: Actor, record_type: str, uuids: Sequence[str], what: str,
               output: Output) -> Result[Output]:
        """One "print" audit row per document, naming the file it went to."""
        target = output.paths[0].name if len(output.paths) == 1 else f"{len(output.paths)} files"
        with self.db.session() as s:
            audit = Auditor(s, actor)
            for u in uuids:
                audit.event("print", record_type, u, f"{what} → {target}")
        return Result(output, audit.changes)

    @staticmethod
    def _current_assignments(today: date) -> Any:
        return (select(SponsorAssignment, Sponsor).join(Sponsor, Sponsor.id == SponsorAssignment.sponsor_id)
                .where(SponsorAssignment.deleted_at.is_(None), Sponsor.deleted_at.is_(None),
                       SponsorAssignment.start_on <= today,
                       or_(SponsorAssignment.end_on.is_(None), SponsorAssignment.end_on > today)))

    def _office_programmes(self) -> dict[str, tuple[str, str]]:
        with self.db.reading() as s:
            return {p.code: (p.name_vi, p.name_en or p.name_vi) for p in s.scalars(select(Programme))}

    @staticmethod
    def _programme_name(code: str | None, lang: str, office: dict[str, tuple[str, str]]) -> str:
        if not code:
            return ""
        p = get_programme(code)
        if p is not None:
            return p.name_vi if lang == "vi" else p.name_en
        names = office.get(code)
        return (names[0] if lang == "vi" else names[1]) if names else code

    def _hamlet_name(self, uuid: str) -> str:
        with self.db.reading() as s:
            name = s.scalar(select(Hamlet.name).where(Hamlet.uuid == uuid, Hamlet.deleted_at.is_(None)))
        if name is None:
            raise ValidationError([FieldProblem("hamlet", N_("Choose a hamlet of this commune"))])
        return name

    @staticmethod
    def _what(amount: int | None, item: str, quantity: float | None, lang: str) -> str:
        parts = []
        if amount:
            parts.append(format_vnd(amount, lang))
        if item:
            q = format_number(quantity, lang) if quantity is not None else ""
            parts.append(f"{item} × {q}" if q else item)
        return "; ".join(parts)

    @staticmethod
    def _member_line(m: Member, lang: str) -> MemberLine:
        return MemberLine(m.full_name, _label(RELATIONS, m.relation, lang), _label(SEXES, m.sex, lang) if m.sex else "",
                          m.birth_date, m.id_number or "", m.ethnicity)

    @staticmethod
    def _indicator_label(code: str, standard: str | None, lang: str) -> str:
        if code == INCOME:
            return translate("Income", lang)
        for std in ([STANDARDS[standard]] if standard in STANDARDS else []) + list(STANDARDS.values()):
            if code in std.indicator_codes:
                ind = std.indicator(code)
                return ind.label_vi if lang == "vi" else ind.label_en
        return code

    def _classification_line(self, h: Household, lang: str) -> str:
        if not h.status:
            return translate("Not assessed yet", lang)
        text = classification_label(h.status, lang)
        std = STANDARDS.get(h.status_standard or "")
        details = []
        if h.status_year:
            details.append(translate("year {year}", lang, year=h.status_year))
        if std:
            details.append(std.name_vi if lang == "vi" else std.name_en)
        deprived = len([c for c in h.deprived.split(",") if c])
        if std:
            details.append(translate("deprived in {n}/{total} indicators", lang, n=deprived,
                                     total=len(std.indicators)))
        if h.score_b is not None:
            details.append(translate("score B = {score}", lang, score=h.score_b))
        return f"{text} ({'; '.join(details)})" if details else text

    def _deprivations(self, a: Assessment | None, lang: str) -> tuple[DeprivationLine, ...]:
        if a is None:
            return ()
        std = STANDARDS.get(a.standard)
        out = []
        for r in indicators_from_json(a.indicators):
            if not r.deprived:
                continue
            label = r.code
            if std and r.code in std.indicator_codes:
                ind = std.indicator(r.code)
                label = ind.label_vi if lang == "vi" else ind.label_en
            cause = translate(r.reason.msgid, lang, **r.reason.params)
            if r.override_reason:
                cause = translate("{cause} (officer: {reason})", lang, cause=cause, reason=r.override_reason)
            out.append(DeprivationLine(label, cause))
        return tuple(out)

    @staticmethod
    def _sponsor_text(sp: Sponsor, lang: str) -> str:
        kind = _label(SPONSOR_KINDS, sp.kind, lang)
        org = f", {sp.organisation}" if sp.organisation else ""
        return f"{sp.name} ({kind}{org})"


def _area_line(a: AreaResult, name: str | None = None) -> AreaLine:
    return AreaLine(name or a.name, a.this_year.households, a.this_year.poor, a.this_year.poor_rate,
                    a.this_year.near_poor, a.this_year.near_poor_rate, a.last_year.poor_rate,
                    a.last_year.near_poor_rate, a.poor_change, a.near_poor_change, a.escaped, a.newly_poor,
                    a.newly_near_poor)


def _residence(address: str, hamlet: str, commune: str) -> str:
    """"Ấp Chợ, xã Trà Cú" without saying the hamlet or commune twice when the address has them."""
    parts = [address] if address else []
    for extra in (hamlet, commune):
        if extra and fold(extra) not in fold(address):
            parts.append(extra)
    return ", ".join(parts)


def _slug(text: str) -> str:
    """A file-name-safe, diacritic-free form: "Kế hoạch hỗ trợ" → "ke-hoach-ho-tro"."""
    return "-".join(w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split())


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
    used.add(candidate.lower())
    return candidate
