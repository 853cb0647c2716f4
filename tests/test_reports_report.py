"""The commune report: its figures are the register's (register.results and support totals), in the PDF
with its two charts and in the workbook; progress against the province's targets, which are data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from povcase.domain import targets
from povcase.services.base import Actor
from povcase.services.register import Register
from tests.conftest import TODAY
from tests.reports_case import Case, assert_official_pdf, build_case


@pytest.fixture
def case(register: Register, officer: Actor) -> Case:
    return build_case(register, officer)


def test_report_figures_are_the_registers(register: Register, officer: Actor, case: Case) -> None:
    doc = register.reports.report_doc(2026, TODAY, officer.name)
    results = register.results.year(2026)
    assert (doc.overall.households, doc.overall.poor, doc.overall.near_poor, doc.overall.escaped) == (
        results.overall.this_year.households, results.overall.this_year.poor, results.overall.this_year.near_poor,
        results.overall.escaped) == (3, 1, 1, 1)
    assert [(h.name, h.poor, h.near_poor, h.poor_rate, h.poor_change) for h in doc.hamlets] == [
        (r.name, r.this_year.poor, r.this_year.near_poor, r.this_year.poor_rate, r.poor_change) for r in results.hamlets]
    assert [g.name for g in doc.ethnic_groups] == ["Kinh", "Khmer"]
    assert [(p.year, p.poor, p.near_poor) for p in doc.trend] == [(2025, 2, 1), (2026, 1, 1)]
    totals = register.support.totals(date(2026, 1, 1), date(2026, 12, 31))
    assert doc.support_total == sum(t.amount for t in totals) == 3_900_000
    assert doc.decided and doc.decision_number == "45/QĐ-UBND"
    by_target = {t.label: (t.actual, t.met) for t in doc.targets}
    assert by_target["Tỷ lệ hộ nghèo giảm 1,5–2 điểm phần trăm mỗi năm"] == ("−33,34 điểm %", True)
    assert by_target["Tỷ lệ hộ cận nghèo giảm 1 điểm phần trăm mỗi năm"] == ("0,00 điểm %", False)
    assert by_target["Tỷ lệ hộ nghèo đồng bào Khmer giảm 3–4 điểm phần trăm mỗi năm"] == ("−100,00 điểm %", True)
    assert "Trà Vinh" in doc.targets_source and "Vĩnh Long" in doc.targets_note


def test_report_pdf_and_xlsx(register: Register, officer: Actor, case: Case, tmp_path: Path) -> None:
    pdf = tmp_path / "bao-cao.pdf"
    register.reports.print_report(officer, 2026, pdf, today=TODAY)
    text = assert_official_pdf(pdf)
    for expected in ("BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026", "Xã Trà Cú",
                     "Toàn xã có 3 hộ. Hộ nghèo: 1 hộ (33,33%), −33,34 điểm % so với năm 2025",
                     "Ấp Đại Mong", "Ấp Sóc Chà", "Khmer",
                     # the two charts, their titles and legends drawn in the same embedded font
                     "Tỷ lệ hộ nghèo, hộ cận nghèo theo thôn/ấp (%)", "Tỷ lệ hộ nghèo, hộ cận nghèo qua các năm (%)",
                     "Hỗ trợ sinh kế (giống, vật nuôi, công cụ)", "Tổng số tiền: 3.900.000 đồng",
                     "Nghị quyết số 05-NQ/TU", "Chưa đạt", "NGƯỜI LẬP BIỂU"):
        assert expected in text, expected

    sheet = tmp_path / "bao-cao.xlsx"
    register.reports.print_report(officer, 2026, sheet, today=TODAY)
    wb = load_workbook(sheet)
    assert wb.sheetnames == ["Theo thôn, ấp", "Theo dân tộc", "Diễn biến", "Hỗ trợ", "Chỉ tiêu"]
    rows = [[c.value for c in r] for r in wb["Theo thôn, ấp"].iter_rows(min_row=5)]
    results = register.results.year(2026)
    assert [r[:4] for r in rows] == [[h.name, h.this_year.households, h.this_year.poor, h.this_year.poor_rate]
                                     for h in results.hamlets] + [["Toàn xã", 3, 1, 33.33]]
    support = [[c.value for c in r] for r in wb["Hỗ trợ"].iter_rows(min_row=5)]
    assert support[-1] == ["Tổng cộng", 3, None, 3_900_000]


def test_report_of_a_year_without_the_year_before(register: Register, officer: Actor, case: Case) -> None:
    doc = register.reports.report_doc(2025, TODAY, officer.name)
    assert not doc.has_last_year and not doc.decided
    assert all(t.met is None for t in doc.targets if "điểm phần trăm mỗi năm" in t.label)


def test_targets_are_data_per_province_and_period() -> None:
    assert targets.targets_for("86", 2026) is targets.TRA_VINH  # Vĩnh Long took in Trà Vinh
    assert targets.targets_for("84", 2022) is targets.TRA_VINH
    assert targets.targets_for("48", 2025) is targets.QUANG_NAM
    assert targets.targets_for("48", 2026) is None  # Quảng Nam's resolution ran to 2025
    assert targets.targets_for("01", 2026) is None  # Hà Nội: none recorded


def test_target_progress() -> None:
    f = targets.YearFigures(2026, poor_rate=5.0, near_poor_rate=6.0, poor_change=-1.6, near_poor_change=-0.5,
                            group_poor_change={"Khmer": -2.5}, baseline_year=2021, baseline_poor_rate=12.0,
                            baseline_near_poor_rate=7.0, health_insurance_coverage=96.0)
    got = {p.target.code: (p.goal, p.actual, p.met) for p in targets.progress(targets.TRA_VINH, f)}
    assert got == {"poor_down": (-1.5, -1.6, True), "khmer_poor_down": (-3.0, -2.5, False),
                   "near_poor_down": (-1.0, -0.5, False),
                   "poor_halved": (6.0, 5.0, True),  # already at half of 2021's 12%
                   "near_poor_quarter": (5.25, 6.0, None),  # not there yet, 2030 still ahead
                   "health_insurance": (95.0, 96.0, True)}
    qn = targets.YearFigures(2025, poor_rate=3.1, near_poor_rate=4.0, poor_change=None, near_poor_change=None,
                             group_poor_change={targets.ETHNIC_MINORITIES: -3.5})
    got = {p.target.code: p.met for p in targets.progress(targets.QUANG_NAM, qn)}
    assert got == {"poor_rate_2025": False, "poor_down": None, "minority_poor_down": True}
