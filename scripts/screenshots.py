"""Screenshots for the README, from the real app on a demo commune, at 1366x768.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py [OUT_DIR]

Writes the wizard, the main window, editor tabs (members, deprivations, plan, support), the due list and
the review screen (list and dashboard), in Vietnamese.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from povcase import i18n
    from povcase.services.base import Actor, Role
    from povcase.services.demo import build_demo
    from povcase.services.register import Register
    from povcase.services.search import HouseholdFilter
    from povcase.ui.application import make_app
    from povcase.ui.household_editor import HouseholdEditor
    from povcase.ui.main_window import MainWindow
    from povcase.ui.setup_wizard import SetupWizard

    i18n.install("vi")
    app = make_app()
    today = date(2026, 11, 22)
    home = Path(tempfile.mkdtemp(prefix="povcase-shots-"))
    register = Register.open(home)
    officer = Actor("Thạch Thị Lan", Role.OFFICER)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()
            QTimer.singleShot(30, lambda: None)
            app.processEvents()

    wizard = SetupWizard(register)
    wizard.resize(860, 620)
    wizard.show()
    settle()
    wizard.grab().save(str(out / "wizard.png"))
    wizard.close()

    build_demo(register, officer, 2000, seed=1, today=today)
    window = MainWindow(register, officer, today=today)
    window.resize(1366, 740)
    window.show()
    settle()
    window.status_filter.setCurrentIndex(window.status_filter.findData("poor"))
    settle()
    window.grab().save(str(out / "main-window.png"))

    uuid = register.search.search(HouseholdFilter(statuses=("poor",)), limit=1).rows[0].uuid
    editor = HouseholdEditor(register, officer, uuid, parent=window, today=today)
    editor.resize(1100, 700)
    editor.show()
    editor.tabs.setCurrentIndex(1)
    settle()
    editor.grab().save(str(out / "editor-members.png"))
    editor.tabs.setCurrentIndex(3)
    settle()
    editor.grab().save(str(out / "editor-deprivations.png"))
    # Issue 5: a plan from the suggestions, a sponsor with a visit, three supports; then the due list.
    from datetime import timedelta

    editor.plan_tab.add_suggestions(list(range(len(editor.plan_tab.suggestions()))))
    editor.save()
    sponsor = editor.sponsor_tab.create_sponsor("mass_org", "Hội Liên hiệp Phụ nữ xã", "Hội LHPN xã Trà Cú")
    editor.sponsor_tab.assign(sponsor, today - timedelta(days=40))
    editor.sponsor_tab.record_visit(today - timedelta(days=35), "Thăm hộ, hướng dẫn làm thẻ BHYT",
                                    next_visit_due=today - timedelta(days=5))
    for code, amount in (("health_insurance", 1_105_000), ("livelihood", 3_000_000), ("local_campaign", 500_000)):
        editor.support_tab.record_support(code, today - timedelta(days=10), amount=amount)
    editor.tabs.setCurrentWidget(editor.plan_tab)
    settle()
    editor.grab().save(str(out / "editor-plan.png"))
    editor.tabs.setCurrentWidget(editor.support_tab)
    settle()
    editor.grab().save(str(out / "editor-support.png"))
    editor.close()
    due = window.open_screen("due")
    due.resize(1100, 560)
    settle()
    due.grab().save(str(out / "due-list.png"))
    due.close()
    print_shots(register, officer, uuid, window, out, today, settle)
    review_shots(register, officer, window, out, today, settle)
    window.close()
    register.close()
    QApplication.processEvents()
    sync_shots(out, settle, today)
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))
    return 0


# --- issue 6: printing and reports -----------------------------------------------------------------------
def print_shots(register: object, officer: object, uuid: str, window: object, out: Path, today: date,
                settle: object) -> None:
    """Page 1 of the household's support plan and of the 2025 commune report (the demo's last decided
    year; pdftoppm at 60 dpi), and the report dashboard on 2025."""
    import subprocess

    folder = Path(tempfile.mkdtemp(prefix="povcase-print-shots-"))
    reports = register.reports  # type: ignore[attr-defined]
    reports.print_plans(officer, [uuid], folder / "plan.pdf", today=today)
    reports.print_report(officer, 2025, folder / "report.pdf", today=today)
    for name in ("plan", "report"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(folder / f"{name}.pdf"), str(out / f"{name}-page1")], check=True)
    dashboard = window.print_menu.open_dialog("report")  # type: ignore[attr-defined]
    dashboard.resize(1180, 700)
    dashboard.year.setCurrentIndex(dashboard.year.findData(2025))
    settle()  # type: ignore[operator]
    dashboard.grab().save(str(out / "report-dashboard.png"))
    dashboard.close()
# --- issue 4: the review screen ------------------------------------------------------------------------
def review_shots(register: Any, officer: Any, window: Any, out: Path, today: date, settle: Any) -> None:
    """The 2026 round half-way: most households surveyed (income a little up on last year's survey), the
    meetings held in most hamlets, one below 50 %; the list and the dashboard."""
    from povcase.services.dto import AssessmentInput

    rnd = register.review.open_annual_round(officer, 2026).value
    entries = register.review.entries(rnd.uuid)
    hamlets = list(dict.fromkeys(e.hamlet_uuid for e in entries))
    for i, e in enumerate(entries):
        if e.hamlet_uuid == hamlets[-1] and i % 2:
            continue  # the last hamlet's survey is not finished
        last = register.households.assessments(e.household_uuid)[0].income_per_capita or 1_000_000
        register.review.survey(officer, rnd.uuid, e.household_uuid,
                               AssessmentInput(date(2026, 10, 1 + i % 20), income_per_capita=int(last * 1.12),
                                               assessor=officer.name), today=today)
    for k, hamlet in enumerate(hamlets[:-1]):
        agreeing = 5 if k == 1 else 10
        register.review.record_meeting(officer, rnd.uuid, hamlet, date(2026, 10, 25), "Trưởng ấp", 12 + k % 4,
                                       agreeing)
    screen = window.open_screen("review")
    screen.resize(1340, 720)
    screen.tabs.setCurrentIndex(0)
    first_red = next(i for i, e in enumerate(screen._entries) if e.state == "resurvey")
    screen.list_table.verticalScrollBar().setValue(max(0, first_red - 4))  # the meeting below 50 %, in red
    settle()
    screen.grab().save(str(out / "review-list.png"))
    screen.tabs.setCurrentIndex(3)
    settle()
    screen.grab().save(str(out / "review-dashboard.png"))
    waiting = next(e for e in screen._entries if e.state == "listed")
    survey = screen.survey_form(waiting)  # the live line as the officer types the income
    survey.income.setText("1.250.000")
    survey.show()
    settle()
    survey.grab().save(str(out / "review-survey.png"))
    survey.close()
    screen.close()


# --- issue 7: sync (commune export and ack, office preview and overview) ------------------------------
def sync_shots(out: Path, settle: Any, today: date) -> None:
    from povcase.domain import admin_units
    from povcase.services.base import SYSTEM, Actor, Role
    from povcase.services.demo import build_demo
    from povcase.services.register import Register
    from povcase.services.search import HouseholdFilter
    from povcase.ui.main_window import MainWindow
    from povcase.ui.sync_screens import CommuneSyncScreen, ImportPreviewDialog

    base = Path(tempfile.mkdtemp(prefix="povcase-sync-shots-"))
    office = Register.open(base / "office")
    office.sync.setup_office(SYSTEM, "86", "UBND tỉnh Vĩnh Long")
    neighbours = [c.code for c in admin_units.communes_of("86") if c.code != "29461"][:2]
    packages, communes = [], []
    for i, (code, n) in enumerate((("29461", 900), (neighbours[0], 600), (neighbours[1], 450))):
        reg = Register.open(base / code)
        build_demo(reg, SYSTEM, n, seed=10 + i, commune_code=code, today=today)
        reg.sync.trust(SYSTEM, office.sync.own_public_key())
        office.sync.trust(SYSTEM, reg.sync.own_public_key())
        packages.append(reg.sync.export(SYSTEM, base / "out").value.path)
        communes.append(reg)
    preview = ImportPreviewDialog(office.sync.import_packages(SYSTEM, packages, dry_run=True))
    preview.show()
    settle()
    preview.grab().save(str(out / "sync-preview.png"))
    preview.close()
    reports = office.sync.import_packages(SYSTEM, packages, ack_dir=base / "acks")
    commune = communes[0]
    commune.sync.import_ack(SYSTEM, reports[0].ack_path)
    officer = Actor("Sơn Thị Bích Trâm", Role.OFFICER)
    uuid = commune.search.rows(commune.search.ids(HouseholdFilter()))[0].uuid
    h = commune.households.get(uuid)
    from dataclasses import replace

    commune.households.update(officer, uuid, replace(h.as_input(), phone="0913456789"), h.revision, today=today)
    # Package 2 is lost on the way; the office holds 3 and its acknowledgement tells the commune why.
    commune.sync.export(SYSTEM, base / "lost")
    [held] = office.sync.import_packages(SYSTEM, [commune.sync.export(SYSTEM, base / "out").value.path],
                                         ack_dir=base / "acks")
    screen = CommuneSyncScreen(commune, officer)
    screen.resize(1200, 620)
    assert held.ack_path is not None
    screen.import_ack_file(held.ack_path)
    screen.show()
    settle()
    screen.grab().save(str(out / "sync-commune.png"))
    screen.close()
    window = MainWindow(office, Actor("Lê Văn Tỉnh", Role.OFFICER), today=today)
    window.resize(1366, 740)
    window.show()
    overview = window.open_screen("sync")
    overview.resize(1300, 560)
    settle()
    overview.grab().save(str(out / "sync-office.png"))
    overview.close()
    window.close()
    for reg in (*communes, office):
        reg.close()


if __name__ == "__main__":
    sys.exit(main())
