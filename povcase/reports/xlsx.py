"""The lists and the commune report as Excel workbooks (openpyxl): a title, bold frozen headers, column
widths that fit Vietnamese names, numbers as numbers and dates as dates, so officers can sort and sum."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from povcase.i18n import translate
from povcase.reports.model import AreaLine, CommuneReportDoc, HouseholdListDoc, SponsorSheetDoc

_FONT = "Times New Roman"  # what Excel has everywhere; Liberation Serif is metric-compatible
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
DATE_FORMAT = "DD/MM/YYYY"
RATE_FORMAT = "0.00"


def _sheet(ws: Worksheet, title: str, subtitle: str, headers: Sequence[tuple[str, float]],
           rows: Sequence[Sequence[Any]], number_formats: dict[int, str] | None = None) -> None:
    """Title rows, then a bold bordered header row (frozen), then the rows."""
    ws.append([title])
    ws["A1"].font = Font(name=_FONT, bold=True, size=14)
    ws.append([subtitle])
    ws["A2"].font = Font(name=_FONT, italic=True, size=12)
    ws.append([])
    ws.append([h for h, _w in headers])
    header_row = ws.max_row
    for i, (_h, width) in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=i)
        cell.font = Font(name=_FONT, bold=True, size=12)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    body = Font(name=_FONT, size=12)
    formats = number_formats or {}
    for row in rows:
        ws.append(list(row))
        for i in range(1, len(headers) + 1):
            cell = ws.cell(row=ws.max_row, column=i)
            cell.font = body
            cell.border = _BORDER
            if i in formats:
                cell.number_format = formats[i]
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_options.gridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = f"{header_row}:{header_row}"


def write_list(path: str | Path, doc: HouseholdListDoc) -> None:
    lang = doc.letterhead.lang
    wb = Workbook()
    ws = wb.active
    ws.title = translate("List", lang)
    headers = [(translate("No.", lang), 6), (translate("Head of household", lang), 28),
               (translate("Household code", lang), 16), (translate("Hamlet", lang), 18),
               (translate("Address", lang), 30), (translate("Members", lang), 10),
               (translate("Classification", lang), 18), (translate("Notes", lang), 22)]
    if len(doc.sections) > 1:
        headers.insert(1, (translate("Section", lang), 18))
    rows = []
    n = 0
    for section in doc.sections:
        for r in section.rows:
            n += 1
            row: list[Any] = [n, r.head_name, r.code, r.hamlet, r.address, r.members, r.status, r.note]
            if len(doc.sections) > 1:
                row.insert(1, section.title)
            rows.append(row)
    _sheet(ws, doc.title, doc.subtitle, headers, rows)
    wb.save(str(path))


def write_sponsor_sheet(path: str | Path, doc: SponsorSheetDoc) -> None:
    lang = doc.letterhead.lang
    wb = Workbook()
    ws = wb.active
    ws.title = translate("Sponsors", lang)
    headers = [(translate("No.", lang), 6), (translate("Sponsor", lang), 28), (translate("Kind", lang), 18),
               (translate("Organisation", lang), 22), (translate("Household code", lang), 16),
               (translate("Head of household", lang), 28), (translate("Hamlet", lang), 18),
               (translate("Classification", lang), 16), (translate("Since", lang), 12),
               (translate("Last visit", lang), 12), (translate("Visit due", lang), 12)]
    rows = [(i, r.sponsor, r.sponsor_kind, r.organisation, r.code, r.head_name, r.hamlet, r.status, r.start_on,
             r.last_visit, r.next_visit_due) for i, r in enumerate(doc.rows, 1)]
    _sheet(ws, doc.title, doc.subtitle, headers, rows, {9: DATE_FORMAT, 10: DATE_FORMAT, 11: DATE_FORMAT})
    wb.save(str(path))


def _area_values(a: AreaLine) -> list[Any]:
    return [a.name, a.households, a.poor, a.poor_rate, a.poor_change, a.near_poor, a.near_poor_rate,
            a.near_poor_change, a.escaped, a.newly_poor, a.newly_near_poor]


def write_report(path: str | Path, doc: CommuneReportDoc) -> None:
    """One sheet per part of the report: hamlets (with the commune total last), ethnic groups, trend,
    support, targets."""
    lang = doc.letterhead.lang
    wb = Workbook()
    title = translate("Report on the results of the poor and near-poor household review, {year}", lang,
                      year=doc.year)
    area_headers = [(translate("Households", lang), 11), (translate("Poor", lang), 10),
                    (translate("Poor rate %", lang), 11), (translate("Change (points)", lang), 12),
                    (translate("Near-poor", lang), 11), (translate("Near-poor rate %", lang), 11),
                    (translate("Change (points)", lang), 12), (translate("Escaped", lang), 11),
                    (translate("Newly poor", lang), 11), (translate("Newly near-poor", lang), 12)]
    rate_formats = {4: RATE_FORMAT, 5: "+0.00;-0.00;0.00", 7: RATE_FORMAT, 8: "+0.00;-0.00;0.00"}
    ws = wb.active
    ws.title = translate("By hamlet", lang)
    _sheet(ws, title, doc.commune, [(translate("Hamlet", lang), 24), *area_headers],
           [_area_values(a) for a in doc.hamlets] + [_area_values(doc.overall)], rate_formats)
    ws = wb.create_sheet(translate("By ethnic group", lang))
    _sheet(ws, title, doc.commune, [(translate("Ethnic group", lang), 18), *area_headers],
           [_area_values(a) for a in doc.ethnic_groups], rate_formats)
    ws = wb.create_sheet(translate("Trend", lang))
    _sheet(ws, title, doc.commune,
           [(translate("Year", lang), 8), (translate("Households", lang), 11), (translate("Poor", lang), 10),
            (translate("Poor rate %", lang), 11), (translate("Near-poor", lang), 11),
            (translate("Near-poor rate %", lang), 11), (translate("Decision recorded", lang), 12)],
           [(p.year, p.households, p.poor, p.poor_rate, p.near_poor, p.near_poor_rate,
             translate("yes", lang) if p.decided else translate("no", lang)) for p in doc.trend],
           {4: RATE_FORMAT, 6: RATE_FORMAT})
    ws = wb.create_sheet(translate("Support", lang))
    _sheet(ws, title, translate("Support by programme in {year}", lang, year=doc.year),
           [(translate("Programme", lang), 60), (translate("Supports", lang), 10), (translate("Households", lang), 11),
            (translate("Amount (VND)", lang), 16)],
           [(p.programme, p.records, p.households, p.amount) for p in doc.support]
           + [(translate("Total", lang), sum(p.records for p in doc.support), None, doc.support_total)],
           {4: "#,##0"})
    ws = wb.create_sheet(translate("Targets", lang))
    _sheet(ws, title, doc.targets_source or doc.targets_note,
           [(translate("Target", lang), 60), (translate("Target value", lang), 16), (translate("This year", lang), 14),
            (translate("Assessment", lang), 16)],
           [(x.label, x.target, x.actual, "" if x.met is None else (translate("Met", lang) if x.met
                                                                   else translate("Not met", lang)))
            for x in doc.targets])
    wb.save(str(path))
