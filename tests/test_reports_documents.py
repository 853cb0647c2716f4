"""The printed documents, read back as a person would: pdftotext shows the exact Vietnamese (names with
diacritics, the national heading), pdffonts shows only embedded Liberation Serif, the posting list holds
no ID number, spreadsheets reopen with the right rows, and every print is in the audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from povcase.errors import PovcaseError, ValidationError
from povcase.services.base import Actor
from povcase.services.register import Register
from tests.conftest import TODAY, db_dump
from tests.reports_case import KHMER_HEAD_ID, SAMPLE_IDS, Case, assert_official_pdf, build_case, pdf_text


@pytest.fixture
def case(register: Register, officer: Actor) -> Case:
    return build_case(register, officer)


def _audit(reg: Register, action: str) -> list[tuple[str, str | None, str | None, str]]:
    conn = sqlite3.connect(reg.db.path)
    try:
        return conn.execute("SELECT record_type, record_uuid, new, actor FROM audit_log WHERE action = ? ORDER BY id",
                            (action,)).fetchall()
    finally:
        conn.close()


def test_support_plan_pdf(register: Register, officer: Actor, case: Case, tmp_path: Path) -> None:
    out = tmp_path / "plan.pdf"
    result = register.reports.print_plans(officer, [case.duc], out, today=TODAY)
    assert result.value.paths == (out,) and result.value.pages >= 1
    text = assert_official_pdf(out)
    for expected in ("KẾ HOẠCH HỖ TRỢ HỘ GIA ĐÌNH THOÁT NGHÈO", "ỦY BAN NHÂN DÂN", "XÃ TRÀ CÚ",
                     "Trà Cú, ngày 22 tháng 11 năm 2026",
                     "Nguyễn Văn Đức", "Trần Thị Mai", "Nguyễn Thị Hoa", "Nguyễn Văn Tâm", "Ấp Chợ",
                     "Hộ nghèo (năm 2026", "thiếu hụt", "4/12 chỉ số",
                     # a deprivation and what caused it
                     "Nhà tiêu hợp vệ sinh", "không có bảo hiểm y tế",
                     # goals and actions with dates and who is responsible
                     "Cấp thẻ bảo hiểm y tế cho Nguyễn Văn Đức", "Lập hồ sơ đề nghị cấp thẻ BHYT",
                     "Học nghề sửa xe máy", "Trung tâm", "01/03/2026", "Đang thực",
                     # sponsor and support so far
                     "Hội Liên hiệp Phụ nữ xã Trà Cú", "Hỗ trợ sinh kế", "12/BK", "Heo giống × 2",
                     "Tổng số tiền: 3.000.000 đồng",
                     # signature blocks
                     "ĐẠI DIỆN HỘ GIA ĐÌNH", "(Ký, ghi rõ họ tên)", "Thạch Thị Lan", "Trang 1/"):
        assert expected in text, expected
    assert [(t, u, a) for t, u, _new, a in _audit(register, "print")] == [("household", case.duc, officer.name)]
    assert "plan.pdf" in _audit(register, "print")[0][2]


def test_plan_of_a_household_without_plan_sponsor_or_support(register: Register, officer: Actor, case: Case,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "escaped.pdf"
    register.reports.print_plans(officer, [case.escaped], out, today=TODAY)
    text = assert_official_pdf(out)
    assert "Lâm Thị Hồng" in text
    for expected in ("Chưa thống nhất mục tiêu nào.", "Chưa phân công người/đơn vị giúp đỡ.",
                     "Chưa ghi nhận khoản hỗ trợ nào."):
        assert expected in text


def test_batch_of_plans_one_pdf_or_one_file_each(register: Register, officer: Actor, case: Case,
                                                 tmp_path: Path) -> None:
    uuids = register.reports.plan_households(TODAY)  # the poor and near-poor households of the commune
    assert set(uuids) == {case.duc, case.khmer}
    seen: list[int] = []
    one = register.reports.print_plans(officer, uuids, tmp_path / "all.pdf", today=TODAY,
                                       progress=lambda done: seen.append(done) or True).value
    assert one.documents == 2 and seen[-1] == 2 and seen == sorted(seen)
    text = pdf_text(tmp_path / "all.pdf")
    assert "Nguyễn Văn Đức" in text and "Thạch Sô Phêl" in text
    assert text.count("KẾ HOẠCH HỖ TRỢ HỘ GIA ĐÌNH THOÁT NGHÈO") == 2

    folder = tmp_path / "each"
    each = register.reports.print_plans(officer, uuids, folder, one_file=False, today=TODAY).value
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in each.paths)
    assert sorted(p.name for p in each.paths) == ["29461-01-0001 ke-hoach-ho-tro.pdf",
                                                  "29461-03-0001 ke-hoach-ho-tro.pdf"]
    assert "Thạch Sô Phêl" in pdf_text(folder / "29461-03-0001 ke-hoach-ho-tro.pdf")
    # the sponsor's batch: the households it follows today
    assert set(register.reports.plan_households(TODAY, sponsor_uuid=case.sponsor)) == {case.duc, case.khmer}


def test_cancelled_batch_leaves_no_file_and_no_audit(register: Register, officer: Actor, case: Case,
                                                     tmp_path: Path) -> None:
    before = db_dump(register)
    for one_file, out in ((True, tmp_path / "all.pdf"), (False, tmp_path / "each")):
        with pytest.raises(PovcaseError) as err:
            register.reports.print_plans(officer, [case.duc, case.khmer], out, one_file=one_file, today=TODAY,
                                         progress=lambda done: done < 1)
        assert err.value.msgid == "Cancelled; nothing was saved"
    assert not (tmp_path / "all.pdf").exists()
    assert list((tmp_path / "each").iterdir()) == []
    assert db_dump(register) == before


def test_certificates(register: Register, officer: Actor, case: Case, tmp_path: Path) -> None:
    certificates = register.reports.year_certificates(2026)
    assert len(certificates) == 2  # the poor and the near-poor household
    decisions = register.reports.certificate_decisions(2026)
    assert [(d.number, d.certificates) for d in decisions] == [("45/QĐ-UBND", 2)]
    assert register.reports.year_certificates(2026, decisions[0].uuid) == certificates
    out = tmp_path / "gcn.pdf"
    register.reports.print_certificates(officer, certificates, out, today=TODAY)
    text = assert_official_pdf(out)
    for expected in ("GIẤY CHỨNG NHẬN HỘ NGHÈO", "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO", "Số: 1/GCN-HN.HCN",
                     "Số: 2/GCN-HN.HCN", "Chủ tịch Ủy ban nhân dân xã Trà Cú chứng nhận:",
                     "Quyết định số 45/QĐ-UBND ngày 20/11/2026", "Thạch Sô Phêl", "Kim Thị Sa Rươl", "Khmer",
                     KHMER_HEAD_ID, "084080001234", "Trần Thị Mai", "TM. ỦY BAN NHÂN DÂN", "(Ký tên, đóng dấu)"):
        assert expected in text, expected
    one = register.reports.household_certificate("29461-01-0001")
    assert one in certificates
    with pytest.raises(PovcaseError) as err:
        register.reports.household_certificate("29461-02-0001")  # escaped: no certificate
    assert err.value.params == {"code": "29461-02-0001"}
    assert {u for _t, u, _n, _a in _audit(register, "print")} == set(certificates)


def test_posting_list_has_no_id_number_health_or_ethnicity(register: Register, officer: Actor, case: Case,
                                                           tmp_path: Path) -> None:
    pdf, sheet = tmp_path / "niem-yet.pdf", tmp_path / "niem-yet.xlsx"
    register.reports.print_list(officer, "posting", 2026, pdf, today=TODAY)
    register.reports.print_list(officer, "posting", 2026, sheet, today=TODAY)
    text = assert_official_pdf(pdf)
    for expected in ("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ THOÁT NGHÈO", "(Niêm yết công khai tại xã Trà Cú)",
                     "I. Hộ nghèo: 1 hộ", "II. Hộ cận nghèo: 1 hộ", "III. Hộ thoát nghèo, thoát cận nghèo: 1 hộ",
                     "Nguyễn Văn Đức", "Thạch Sô Phêl", "Lâm Thị Hồng", "Danh sách gồm 3 hộ."):
        assert expected in text, expected
    cells = " ".join(str(c.value) for row in load_workbook(sheet).active.iter_rows() for c in row if c.value)
    for number in SAMPLE_IDS:
        assert number not in text and number not in cells
    for sensitive in ("Khmer", "Kinh", "bảo hiểm", "khuyết tật", "Dân tộc"):
        assert sensitive not in text and sensitive not in cells, sensitive


def test_posting_list_for_one_hamlet_and_without_a_review(register: Register, officer: Actor, case: Case,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "cho.xlsx"
    register.reports.print_list(officer, "posting", 2026, out, hamlet_uuid=case.hamlets[0], today=TODAY)
    ws = load_workbook(out).active
    assert ws["A2"].value == "(Niêm yết công khai tại Ấp Chợ)"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert [(r[2], r[4]) for r in rows] == [("Nguyễn Văn Đức", "Ấp Chợ")]
    # 2025 has no review round: the list falls back to the statuses of the year
    doc = register.reports.list_doc("posting", 2025, None, TODAY, officer.name)
    assert [len(s.rows) for s in doc.sections] == [2, 1, 0]
    assert "Chưa ghi nhận đợt rà soát định kỳ năm 2025" in doc.source_note


@pytest.mark.parametrize(("kind", "names"), [
    ("poor", ["Nguyễn Văn Đức"]), ("near_poor", ["Thạch Sô Phêl"]), ("escaped", ["Lâm Thị Hồng"]),
    ("newly_poor", []), ("newly_near_poor", []),
])
def test_year_lists_match_the_results(register: Register, officer: Actor, case: Case, tmp_path: Path,
                                      kind: str, names: list[str]) -> None:
    out = tmp_path / f"{kind}.xlsx"
    register.reports.print_list(officer, kind, 2026, out, today=TODAY)
    rows = [[c.value for c in r] for r in load_workbook(out).active.iter_rows(min_row=5)]
    assert [r[1] for r in rows] == names
    expected = [register.households.get(u).code for u in register.results.households(2026, kind)]
    assert [r[2] for r in rows] == expected
    assert _audit(register, "export")[-1][0] == "household_list"


def test_sponsor_sheets(register: Register, officer: Actor, case: Case, tmp_path: Path) -> None:
    register.reports.print_sponsor_sheet(officer, tmp_path / "pc.pdf", today=TODAY)
    text = assert_official_pdf(tmp_path / "pc.pdf")
    assert "BẢNG PHÂN CÔNG GIÚP ĐỠ HỘ NGHÈO, HỘ CẬN NGHÈO" in text
    assert "Hội Liên hiệp Phụ nữ xã Trà Cú" in text and "Thạch Sô Phêl" in text
    register.reports.print_sponsor_sheet(officer, tmp_path / "pc.xlsx", today=TODAY)
    rows = [[c.value for c in r] for r in load_workbook(tmp_path / "pc.xlsx").active.iter_rows(min_row=5)]
    assert sorted((r[1], r[5]) for r in rows) == [("Hội Liên hiệp Phụ nữ xã Trà Cú", "Nguyễn Văn Đức"),
                                                  ("Hội Liên hiệp Phụ nữ xã Trà Cú", "Thạch Sô Phêl")]
    register.reports.print_sponsor_sheet(officer, tmp_path / "visits.pdf", case.sponsor, today=TODAY)
    text = assert_official_pdf(tmp_path / "visits.pdf")
    assert "PHIẾU THEO DÕI THĂM HỘ" in text and "Người/đơn vị giúp đỡ: Hội Liên hiệp Phụ nữ xã Trà Cú" in text
    assert "Nguyễn Văn Đức (29461-01-0001)" in text and "Chữ ký của hộ" in text


def test_wrong_extension_or_kind_is_refused_and_writes_nothing(register: Register, officer: Actor, case: Case,
                                                               tmp_path: Path) -> None:
    before = db_dump(register)
    with pytest.raises(ValidationError) as err:
        register.reports.print_plans(officer, [case.duc], tmp_path / "plan.xlsx", today=TODAY)
    assert err.value.field == "out" and err.value.params == {"allowed": ".pdf"}
    with pytest.raises(ValidationError) as err:
        register.reports.print_report(officer, 2026, tmp_path / "report.docx", today=TODAY)
    assert err.value.params == {"allowed": ".pdf / .xlsx"}
    with pytest.raises(ValidationError):
        register.reports.print_list(officer, "rich", 2026, tmp_path / "x.pdf", today=TODAY)
    assert list(tmp_path.glob("*.*")) == [] and db_dump(register) == before
