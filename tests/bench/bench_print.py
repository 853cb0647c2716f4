"""Printing benchmark: 1,000 household support plans in one batch, beside a bare-canvas floor.

    .venv/bin/python tests/bench/bench_print.py [--plans 1000] [--repeat 3] [--dir DIR]

(--dir DIR of an earlier run reuses its prepared register.)

1. Builds a demo commune (`build_demo`) and gives each of the first N households an escape plan (two
   goals, three actions), a sponsor and two support records, through the services (not timed).
2. Ours: `ReportService.print_plans(actor, uuids, out)` — gathering the DTOs from the database, laying
   out, drawing, writing one PDF and auditing every plan — timed as one call.
3. Floor: a bare reportlab canvas drawing exactly the same text lines (taken from our own layout of the
   same plans) with the same embedded TrueType fonts, one drawString per line, one page per page, into
   one PDF. No database, no layout, no rules, no tables.
Prints ours, floor, the ratio and ms per plan (medians of --repeat runs). Targets: ratio < 2, < 60 ms a
plan. It reports and never gates (exit status 0 even when a target is missed).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from povcase.reports.documents import plan_layout
from povcase.reports.fonts import REGULAR, register_fonts
from povcase.services.base import Actor, Role
from povcase.services.demo import build_demo
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.services.sponsors import SponsorInput
from povcase.services.support import SupportInput

ACTOR = Actor("Thạch Thị Lan", Role.OFFICER)
TODAY = date(2026, 11, 22)
RATIO_TARGET = 2.0
MS_TARGET = 60.0


def prepare(home: Path, plans: int) -> tuple[Register, list[str]]:
    reg = Register.open(home)
    build_demo(reg, ACTOR, max(plans, 50), seed=3, today=TODAY)
    uuids = [r.uuid for r in reg.search.rows(reg.search.ids(HouseholdFilter()))][:plans]
    sponsors = [reg.sponsors.create(ACTOR, SponsorInput(kind, name, org)).value.uuid for kind, name, org in (
        ("mass_org", "Hội Liên hiệp Phụ nữ xã Trà Cú", "Mặt trận Tổ quốc xã"),
        ("party_member", "Thạch Văn Sơn", "Chi bộ ấp Chợ"),
        ("mass_org", "Hội Nông dân xã Trà Cú", ""))]
    start = date(2026, 3, 1)
    for i, uuid in enumerate(uuids):
        reg.plans.save(ACTOR, uuid, PlanInput(agreed_on=start, goals=(
            GoalInput("health_insurance", "Cấp thẻ bảo hiểm y tế cho các thành viên chưa có thẻ", date(2026, 12, 31),
                      actions=(ActionInput("Lập hồ sơ đề nghị cấp thẻ BHYT cho hộ", "Hội Liên hiệp Phụ nữ xã",
                                           "health_insurance", 1_200_000, start_on=start,
                                           due_on=start + timedelta(days=90)),)),
            GoalInput("income", "Có việc làm và thu nhập ổn định trên chuẩn nghèo", date(2027, 6, 30), actions=(
                ActionInput("Học nghề sửa chữa máy nông nghiệp", "Trung tâm Giáo dục nghề nghiệp", "vocational_training",
                            start_on=start, due_on=start + timedelta(days=180), status="in_progress"),
                ActionInput("Vay vốn Ngân hàng Chính sách xã hội để nuôi bò sinh sản", "Tổ tiết kiệm và vay vốn",
                            "vbsp_loan", 50_000_000, start_on=start + timedelta(days=30),
                            due_on=start + timedelta(days=120)))),
        )), today=TODAY)
        reg.sponsors.assign(ACTOR, sponsors[i % 3], uuid, start)
        reg.support.record_support(ACTOR, uuid, SupportInput("livelihood", date(2026, 5, 2), amount=3_000_000,
                                                              evidence_ref=f"{i + 1}/BK"), today=TODAY)
        reg.support.record_support(ACTOR, uuid, SupportInput("livelihood", date(2026, 6, 2), item="Heo giống",
                                                             quantity=2, evidence_ref=f"{i + 1}/BK2"), today=TODAY)
    return reg, uuids


def ours(reg: Register, uuids: list[str], out: Path) -> float:
    t = time.perf_counter()
    result = reg.reports.print_plans(ACTOR, uuids, out, today=TODAY)
    elapsed = time.perf_counter() - t
    assert result.value.documents == len(uuids)
    return elapsed


def floor_pages(reg: Register, uuids: list[str]) -> list[list[tuple[str, float, str]]]:
    """The text lines of our own layout, page by page (font, size, text) — not timed."""
    pages = []
    for doc in reg.reports.plan_docs(uuids, TODAY, ACTOR.name):
        layout = plan_layout(doc)
        for ops in layout.pages:
            pages.append([(op[1], op[2], op[5]) for op in ops if op[0] in ("s", "c", "r")])
    return pages


def floor(pages: list[list[tuple[str, float, str]]], out: Path) -> float:
    register_fonts()
    t = time.perf_counter()
    c = Canvas(str(out), pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=13)
    for lines in pages:
        y = 800.0
        for font, size, text in lines:
            c.setFont(font, size)
            c.drawString(85, y, text)
            y = y - 12 if y > 60 else 800.0
        c.showPage()
    c.save()
    return time.perf_counter() - t


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plans", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--dir", default=None)
    args = p.parse_args()
    os.environ.setdefault("POVCASE_HOME", tempfile.mkdtemp(prefix="povcase-bench-home-"))
    base = Path(args.dir or tempfile.mkdtemp(prefix="povcase-bench-print-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; folder {base}")
    t = time.perf_counter()
    if (base / "register").exists():  # a folder prepared by an earlier run: reuse it
        reg = Register.open(base / "register")
        uuids = [r.uuid for r in reg.search.rows(reg.search.ids(HouseholdFilter()))][:args.plans]
        print(f"reusing {len(uuids)} prepared households in {base / 'register'}")
    else:
        reg, uuids = prepare(base / "register", args.plans)
        print(f"prepared {len(uuids)} households with plans, sponsors and support in {time.perf_counter() - t:.1f} s")
    pages = floor_pages(reg, uuids)
    ours_times, floor_times = [], []
    for i in range(args.repeat):
        ours_times.append(ours(reg, uuids, base / f"ours-{i}.pdf"))
        floor_times.append(floor(pages, base / f"floor-{i}.pdf"))
    o, f = statistics.median(ours_times), statistics.median(floor_times)
    ratio = o / f
    per_plan = 1000 * o / len(uuids)
    size = (base / "ours-0.pdf").stat().st_size / 1e6
    print(f"plans: {len(uuids)}, pages: {len(pages)}, PDF {size:.1f} MB")
    print(f"ours   {o:7.2f} s  (runs: {', '.join(f'{x:.2f}' for x in ours_times)})")
    print(f"floor  {f:7.2f} s  (runs: {', '.join(f'{x:.2f}' for x in floor_times)})")
    print(f"ratio  {ratio:7.2f}x  target < {RATIO_TARGET}x  {'ok' if ratio < RATIO_TARGET else 'FAIL'}"
          f"   (best runs: {min(ours_times) / min(floor_times):.2f}x; the machine is shared, so both are shown)")
    print(f"per plan {per_plan:5.1f} ms  target < {MS_TARGET} ms  {'ok' if per_plan < MS_TARGET else 'FAIL'}")
    reg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
