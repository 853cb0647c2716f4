"""`povcase print …` and `povcase report …`: the files they write, and exit status 2 with one clear line
(Vietnamese, then English) for an unknown code, a bad option or a wrong extension."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from povcase.cli import main
from povcase.services.base import Actor
from povcase.services.register import Register
from tests.conftest import db_dump
from tests.reports_case import SAMPLE_IDS, Case, assert_official_pdf, build_case, pdf_text


@pytest.fixture
def case(register: Register, officer: Actor) -> Case:
    return build_case(register, officer)


def run(capsys: pytest.CaptureFixture[str], register: Register, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["--home", str(register.home), *args])
    except SystemExit as e:  # argparse's own usage errors
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_print_plan_certificate_posting_list_and_report(capsys, register: Register, case: Case,
                                                        tmp_path: Path) -> None:
    plan = tmp_path / "plan.pdf"
    code, out, err = run(capsys, register, "print", "plan", "29461-01-0001", "--out", str(plan))
    assert (code, err) == (0, "") and out.startswith(f"Đã ghi {plan}: ")
    assert "Nguyễn Văn Đức" in assert_official_pdf(plan)

    cert = tmp_path / "gcn.pdf"
    assert run(capsys, register, "print", "certificate", "29461-03-0001", "--out", str(cert))[0] == 0
    text = assert_official_pdf(cert)
    assert "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO" in text and "Thạch Sô Phêl" in text

    posting = tmp_path / "niem-yet.xlsx"
    assert run(capsys, register, "print", "posting-list", "--year", "2026", "--hamlet", "ap soc cha",
               "--out", str(posting))[0] == 0
    rows = [[c.value for c in r] for r in load_workbook(posting).active.iter_rows(min_row=5)]
    assert [(r[2], r[4]) for r in rows] == [("Thạch Sô Phêl", "Ấp Sóc Chà")]
    posting_pdf = tmp_path / "niem-yet.pdf"
    assert run(capsys, register, "print", "posting-list", "--year", "2026", "--out", str(posting_pdf))[0] == 0
    text = pdf_text(posting_pdf)
    assert "Lâm Thị Hồng" in text and not any(n in text for n in SAMPLE_IDS)

    report = tmp_path / "bao-cao.pdf"
    assert run(capsys, register, "report", "--year", "2026", "--out", str(report))[0] == 0
    assert "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026" in assert_official_pdf(report)
    sheet = tmp_path / "bao-cao.xlsx"
    code, out, _ = run(capsys, register, "report", "--year", "2026", "--out", str(sheet))
    assert code == 0 and out.strip() == f"Đã ghi {sheet}"
    assert load_workbook(sheet)["Theo thôn, ấp"]["A5"].value == "Ấp Chợ"


@pytest.mark.parametrize(("args", "line"), [
    (("print", "plan", "29461-09-9999", "--out", "{dir}/p.pdf"),
     "povcase: Không tìm thấy hộ có mã 29461-09-9999 (No household with code 29461-09-9999)\n"),
    (("print", "certificate", "29461-02-0001", "--out", "{dir}/c.pdf"),
     "povcase: Hộ 29461-02-0001 chưa có giấy chứng nhận (Household 29461-02-0001 has no certificate)\n"),
    (("print", "plan", "29461-01-0001", "--out", "{dir}/p.docx"),
     "povcase: --out: Tên tệp phải có đuôi .pdf (The file name must end in .pdf)\n"),
    (("print", "certificate", "29461-01-0001", "--out", "{dir}/c.xlsx"),
     "povcase: --out: Tên tệp phải có đuôi .pdf (The file name must end in .pdf)\n"),
    (("report", "--year", "2026", "--out", "{dir}/r.csv"),
     "povcase: --out: Tên tệp phải có đuôi .pdf / .xlsx (The file name must end in .pdf / .xlsx)\n"),
    (("report", "--year", "1990", "--out", "{dir}/r.pdf"),
     "povcase: year: Phải nằm trong khoảng từ 2000 đến 2100 (Must be between 2000 and 2100)\n"),
    (("print", "posting-list", "--year", "2026", "--hamlet", "Ấp Không Có", "--out", "{dir}/l.pdf"),
     "povcase: Không có thôn/ấp tên Ấp Không Có (các thôn/ấp: Ấp Chợ, Ấp Đại Mong, Ấp Sóc Chà) "
     "(No hamlet named Ấp Không Có (hamlets: Ấp Chợ, Ấp Đại Mong, Ấp Sóc Chà))\n"),
    (("print", "plan", "29461-01-0001", "--out", "{dir}/missing/p.pdf"),
     "povcase: --out: Thư mục {dir}/missing không tồn tại (The folder {dir}/missing does not exist)\n"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(capsys, register: Register, case: Case, tmp_path: Path,
                                                            args: tuple[str, ...], line: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = db_dump(register)
    code, out, err = run(capsys, register, *(a.format(dir=folder) for a in args))
    assert (code, out, err) == (2, "", line.format(dir=folder))
    assert list(folder.iterdir()) == [] and db_dump(register) == before


@pytest.mark.parametrize("args", [
    ("print",), ("print", "plan", "29461-01-0001"), ("print", "poster", "--out", "x.pdf"),
    ("report", "--out", "r.pdf"), ("report", "--year", "abc", "--out", "r.pdf"),
    ("print", "posting-list", "--year", "2026", "--out", "l.pdf", "--colour"),
])
def test_bad_options_exit_2(capsys, register: Register, args: tuple[str, ...]) -> None:
    code, out, err = run(capsys, register, *args)
    assert code == 2 and out == "" and err.splitlines()[-1].startswith("povcase: ")
