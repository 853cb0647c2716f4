"""The household documents and lists as PDF: support plan, certificate, posting list and the year's
lists, sponsor assignment sheet and visit sheet. Each `*_layout` lays out one document; `write_pdf`
draws any number of them into one file (a batch is one PDF, or one file each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from povcase.i18n import format_date, format_number, format_vnd, translate
from povcase.reports.fonts import BOLD, ITALIC
from povcase.reports.layout import SMALL, Column, Layout, Section, new_canvas, render
from povcase.reports.model import (
    CertificateDoc,
    HouseholdListDoc,
    PlanDoc,
    SponsorSheetDoc,
)


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{format_date(start)} – {format_date(end)}"
    return format_date(start or end)


# --- the household support plan --------------------------------------------------------------------
def plan_layout(doc: PlanDoc) -> Layout:
    lang = doc.letterhead.lang
    t = Layout(footer=translate("Support plan — household {code}", lang, code=doc.code), lang=lang)
    t.letterhead(doc.letterhead)
    t.title(translate("Household support plan to escape poverty", lang),
            translate("Household of {head} — code {code}", lang, head=doc.head_name, code=doc.code))

    t.heading(translate("I. The household", lang))
    t.field(translate("Head of household", lang), doc.head_name)
    t.field(translate("Hamlet", lang), doc.hamlet)
    if doc.address:
        t.field(translate("Address", lang), doc.address)
    if doc.phone:
        t.field(translate("Phone", lang), doc.phone)
    t.field(translate("Classification", lang), doc.classification)
    t.space(2)
    t.table([Column(translate("No.", lang), 0.6, "center"), Column(translate("Full name", lang), 3.2),
             Column(translate("Relation to the head", lang), 2.0), Column(translate("Sex", lang), 1.0, "center"),
             Column(translate("Date of birth", lang), 1.6, "center")],
            [(str(i), m.name, m.relation, m.sex, format_date(m.birth_date)) for i, m in enumerate(doc.members, 1)])

    t.heading(translate("II. Deprivations and their causes", lang))
    if doc.deprivations:
        t.table([Column(translate("No.", lang), 0.6, "center"), Column(translate("Indicator", lang), 2.6),
                 Column(translate("Cause", lang), 5.2)],
                [(str(i), d.indicator, d.cause) for i, d in enumerate(doc.deprivations, 1)])
    else:
        t.paragraph(translate("No deprivation recorded.", lang), font=ITALIC)

    t.heading(translate("III. Goals and actions", lang))
    if doc.agreed_on or doc.registered_escape_on:
        parts = []
        if doc.agreed_on:
            parts.append(translate("agreed with the household on {date}", lang, date=format_date(doc.agreed_on)))
        if doc.registered_escape_on:
            parts.append(translate("registered to escape poverty (Mẫu số 04) on {date}", lang,
                                   date=format_date(doc.registered_escape_on)))
        t.paragraph("; ".join(parts).capitalize() + ".", font=ITALIC)
    if not doc.goals:
        t.paragraph(translate("No goal agreed yet.", lang), font=ITALIC)
    for i, g in enumerate(doc.goals, 1):
        details = [g.linked_to]
        if g.target_on:
            details.append(translate("by {date}", lang, date=format_date(g.target_on)))
        details.append(g.status)
        t.ensure(130)  # the goal (two lines) with its table's header and first action (three lines)
        t.paragraph(f"{g.text} ({'; '.join(details)})", label=translate("Goal {n}:", lang, n=i), after=2)
        if g.actions:
            t.table([Column(translate("No.", lang), 0.7, "center"), Column(translate("Action", lang), 3.3),
                     Column(translate("Responsible", lang), 1.8), Column(translate("Planned support", lang), 1.8),
                     Column(translate("Time", lang), 1.5, "center"), Column(translate("Progress", lang), 1.2)],
                    [(f"{i}.{j}", f"{a.text}\n{a.programme}" if a.programme else a.text, a.responsible, a.support,
                      _period(a.start_on, a.due_on), a.status) for j, a in enumerate(g.actions, 1)])

    t.heading(translate("IV. Sponsor", lang))
    if doc.sponsor:
        since = translate(" (since {date})", lang, date=format_date(doc.sponsor_since)) if doc.sponsor_since else ""
        t.paragraph(doc.sponsor + since)
    else:
        t.paragraph(translate("No sponsor assigned yet.", lang), font=ITALIC)

    t.heading(translate("V. Support received so far", lang))
    if doc.support:
        t.table([Column(translate("Date", lang), 1.3, "center"), Column(translate("Programme", lang), 3.4),
                 Column(translate("Amount or item", lang), 2.0, "right"), Column(translate("Member", lang), 1.8),
                 Column(translate("List no.", lang), 1.1, "center")],
                [(format_date(s.given_on), s.programme, s.what, s.member, s.evidence_ref) for s in doc.support])
        t.paragraph(format_vnd(doc.support_total, lang), label=translate("Total in money:", lang))
    else:
        t.paragraph(translate("No support recorded yet.", lang), font=ITALIC)

    t.signatures([(translate("Representative of the household", lang), doc.head_name),
                  (translate("Sponsor", lang), doc.sponsor_name),
                  (translate("Commune poverty officer", lang), doc.officer)])
    return t


# --- the certificate -------------------------------------------------------------------------------
def certificate_layout(doc: CertificateDoc) -> Layout:
    lang = doc.letterhead.lang
    t = Layout(footer=translate("Certificate {number} — household {code}", lang, number=doc.number, code=doc.code),
               lang=lang)
    t.letterhead(doc.letterhead, number=translate("No. {number}", lang, number=doc.number))
    title = (translate("Certificate of poor household", lang) if doc.classification == "poor"
             else translate("Certificate of near-poor household", lang))
    t.title(title, translate("Year {year}", lang, year=doc.year), size=16)
    t.paragraph(translate("The chairman of the People's Committee of {commune} certifies that:", lang,
                          commune=doc.letterhead.commune))
    t.field(translate("Head of household", lang), doc.head_name)
    t.field(translate("Ethnic group", lang), doc.ethnicity)
    t.field(translate("Personal ID number", lang), doc.id_number or "—")
    t.field(translate("Place of residence", lang), doc.residence)
    kind = (translate("a poor household", lang) if doc.classification == "poor"
            else translate("a near-poor household", lang))
    if doc.decision_number:
        basis = translate("is {kind} in {year} under Decision No. {number} of {date}.", lang, kind=kind,
                          year=doc.year, number=doc.decision_number, date=format_date(doc.decided_on))
    else:
        basis = translate("is {kind} in {year}.", lang, kind=kind, year=doc.year)
    t.paragraph(basis, after=4)
    t.paragraph(translate("Members of the household:", lang), font=BOLD)
    t.table([Column(translate("No.", lang), 0.6, "center"), Column(translate("Full name", lang), 3.0),
             Column(translate("Relation to the head", lang), 1.9), Column(translate("Date of birth", lang), 1.5, "center"),
             Column(translate("Ethnic group", lang), 1.3), Column(translate("Personal ID number", lang), 2.0, "center")],
            [(str(i), m.name, m.relation, format_date(m.birth_date), m.ethnicity, m.id_number)
             for i, m in enumerate(doc.members, 1)])
    t.signatures([("", ""), (doc.signer, "")], note=translate("(Signature and seal)", lang))
    return t


# --- lists ---------------------------------------------------------------------------------------------
def list_layout(doc: HouseholdListDoc) -> Layout:
    lang = doc.letterhead.lang
    t = Layout(footer=doc.title, lang=lang)
    t.letterhead(doc.letterhead)
    t.title(doc.title, doc.subtitle)
    rows: list[Any] = []
    n = 0
    for section in doc.sections:
        if len(doc.sections) > 1:
            rows.append(Section(translate("{title}: {n} households", lang, title=section.title, n=len(section.rows))))
        for r in section.rows:
            n += 1
            rows.append((str(n), r.head_name, r.code, r.hamlet, str(r.members), r.status, r.note))
    t.table([Column(translate("No.", lang), 0.6, "center"), Column(translate("Head of household", lang), 2.8),
             Column(translate("Household code", lang), 1.8, "center"), Column(translate("Hamlet", lang), 1.6),
             Column(translate("Members", lang), 1.0, "center"), Column(translate("Classification", lang), 1.6),
             Column(translate("Notes", lang), 1.6)], rows, size=SMALL)
    t.paragraph(translate("The list has {n} households.", lang, n=format_number(n, lang)), font=ITALIC)
    if doc.source_note:
        t.paragraph(doc.source_note, font=ITALIC, size=SMALL)
    if doc.kind == "posting":
        t.paragraph(translate("Questions and complaints about this list go to the People's Committee of the commune "
                              "while it is posted.", lang), font=ITALIC)
    t.signatures([(translate("Prepared by", lang), doc.officer),
                  (translate("On behalf of the People's Committee\nChairman", lang), "")])
    return t


def sponsor_sheet_layout(doc: SponsorSheetDoc) -> Layout:
    lang = doc.letterhead.lang
    t = Layout(footer=doc.title, lang=lang)
    t.letterhead(doc.letterhead)
    t.title(doc.title, doc.subtitle)
    if doc.kind == "visits":
        t.table([Column(translate("No.", lang), 0.5, "center"), Column(translate("Household", lang), 3.0),
                 Column(translate("Last visit", lang), 1.3, "center"), Column(translate("Visit due", lang), 1.3, "center"),
                 Column(translate("Visit date", lang), 1.3), Column(translate("What was discussed, follow-up", lang), 3.0),
                 Column(translate("Household's signature", lang), 1.5)],
                [(str(i), f"{r.head_name} ({r.code})\n{r.address or r.hamlet}" + (f"\n{r.phone}" if r.phone else ""),
                  format_date(r.last_visit), format_date(r.next_visit_due), "", "\n\n\n", "")
                 for i, r in enumerate(doc.rows, 1)])
        t.signatures([(translate("Sponsor", lang), doc.sponsor),
                      (translate("Commune poverty officer", lang), doc.officer)])
    else:
        t.table([Column(translate("No.", lang), 0.5, "center"), Column(translate("Sponsor", lang), 2.8),
                 Column(translate("Household", lang), 2.8), Column(translate("Hamlet", lang), 1.5),
                 Column(translate("Classification", lang), 1.5), Column(translate("Since", lang), 1.3, "center")],
                [(str(i), f"{r.sponsor}\n({r.sponsor_kind}{', ' + r.organisation if r.organisation else ''})",
                  f"{r.head_name} ({r.code})", r.hamlet, r.status, format_date(r.start_on))
                 for i, r in enumerate(doc.rows, 1)])
        t.signatures([(translate("Prepared by", lang), doc.officer),
                      (translate("On behalf of the People's Committee\nChairman", lang), "")])
    return t


# --- writing -------------------------------------------------------------------------------------------
def write_pdf(target: str | Path | BinaryIO, layouts: Iterable[Layout], title: str) -> int:
    """Draw the laid-out documents into one PDF; returns the number of pages."""
    canvas = new_canvas(str(target) if isinstance(target, Path) else target, title)
    pages = render(canvas, layouts)
    canvas.save()
    return pages
