"""Printing from the desktop, driven the way an officer does it: the list's context menu, the editor's
Print button, batch printing (in the background, with Cancel), the lists dialog and the report dashboard."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox

from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.ui import print_screens
from povcase.ui.household_editor import HouseholdEditor
from povcase.ui.main_window import MainWindow
from povcase.ui.print_screens import BatchPrintDialog, ListPrintDialog
from povcase.ui.report_dashboard import ReportDashboard
from povcase.ui.tasks import TaskRunner, TaskState
from tests.conftest import TODAY
from tests.reports_case import Case, assert_official_pdf, build_case, pdf_text


@pytest.fixture
def case(register: Register, officer: Actor) -> Case:
    return build_case(register, officer)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The save dialogs answer with paths under tmp_path/out; what would open in the viewer is recorded."""
    out = tmp_path / "out"
    out.mkdir()
    record: dict[str, Any] = {"opened": [], "asked": [], "dir": out}

    def save(_parent: Any, _title: str, suggested: str, extensions: tuple[str, ...]) -> Path:
        record["asked"].append((suggested, extensions))
        return out / suggested

    def folder(_parent: Any, _title: str) -> Path:
        path = out / "each"
        path.mkdir(exist_ok=True)
        return path

    monkeypatch.setattr(print_screens, "ask_save_path", save)
    monkeypatch.setattr(print_screens, "ask_folder", folder)
    monkeypatch.setattr(print_screens, "open_output", lambda paths: record["opened"].append(tuple(paths)))
    import povcase.ui.report_dashboard as dashboard
    monkeypatch.setattr(dashboard, "ask_save_path", save)
    return record


@pytest.fixture
def window(qtbot, register: Register, officer: Actor, case: Case) -> MainWindow:
    runner = TaskRunner(inline=True)
    w = MainWindow(register, officer, today=TODAY, run_task=runner.run)
    qtbot.addWidget(w)
    return w


def select(window: MainWindow, uuid: str) -> None:
    row = next(r for r in range(window.model.rowCount()) if window.model.uuid_at(r) == uuid)
    window.table.selectionModel().setCurrentIndex(window.model.index(row, 0),
                                                  QItemSelectionModel.SelectionFlag.ClearAndSelect
                                                  | QItemSelectionModel.SelectionFlag.Rows)


def test_print_a_plan_from_the_lists_context_menu(window: MainWindow, case: Case, files: dict[str, Any]) -> None:
    texts = [a.text() for a in window.table.actions()]
    assert window.table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert "In kế hoạch hỗ trợ" in texts and "In giấy chứng nhận" in texts
    assert "&In ấn" in [m.title() for m in (a.menu() for a in window.menuBar().actions()) if m]
    select(window, case.duc)
    window.print_menu.act_plan.trigger()
    written = files["dir"] / "29461-01-0001 Kế hoạch hỗ trợ.pdf"
    assert files["opened"] == [(written,)]
    text = assert_official_pdf(written)
    assert "Nguyễn Văn Đức" in text and "Hội Liên hiệp Phụ nữ xã Trà Cú" in text

    select(window, case.khmer)
    window.print_menu.act_certificate.trigger()
    assert "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO" in pdf_text(files["opened"][-1][0])


def test_a_household_without_a_certificate_is_told_so(window: MainWindow, case: Case, files: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    select(window, case.escaped)
    window.print_menu.act_certificate.trigger()
    assert shown == ["Hộ 29461-02-0001 chưa có giấy chứng nhận"]
    assert files["asked"] == [] and files["opened"] == []


def test_batch_printing_plans_and_certificates(window: MainWindow, files: dict[str, Any]) -> None:
    dialog = window.print_menu.open_dialog("batch")
    assert isinstance(dialog, BatchPrintDialog)
    assert dialog.count.text() == "2 hộ"  # the commune's poor and near-poor households
    dialog.hamlet.setCurrentIndex(dialog.hamlet.findText("Ấp Chợ"))
    assert dialog.count.text() == "1 hộ"
    dialog.hamlet.setCurrentIndex(0)
    dialog.each.setChecked(True)
    dialog.start()
    names = sorted(p.name for p in files["opened"][-1])
    assert names == ["29461-01-0001 ke-hoach-ho-tro.pdf", "29461-03-0001 ke-hoach-ho-tro.pdf"]
    assert all(p.exists() for p in files["opened"][-1])

    dialog = window.print_menu.open_dialog("batch")
    dialog.what.setCurrentIndex(dialog.what.findData("decision"))
    assert dialog.decision.currentText().startswith("Số 45/QĐ-UBND ngày 20/11/2026")
    assert dialog.count.text() == "2 giấy chứng nhận" and not dialog.hamlet.isVisibleTo(dialog)
    dialog.one_file.setChecked(True)
    dialog.start()
    text = pdf_text(files["opened"][-1][0])
    assert "Số: 1/GCN-HN.HCN" in text and "Số: 2/GCN-HN.HCN" in text


def test_batch_runs_in_the_background_and_cancel_leaves_nothing(qtbot, register: Register, officer: Actor,
                                                                case: Case, files: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    gather = register.reports.plan_docs

    def held(*args: Any, **kwargs: Any) -> Any:  # the work waits until the officer has pressed Cancel
        gate.wait(10)
        return gather(*args, **kwargs)

    monkeypatch.setattr(register.reports, "plan_docs", held)
    runner = TaskRunner()
    dialog = BatchPrintDialog(register, officer, TODAY)
    dialog.run_task = runner.run
    qtbot.addWidget(dialog)
    task = dialog.start()
    assert task is not None and not task.finished
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: task.finished, timeout=10000)
    assert task.state is TaskState.CANCELLED
    assert list(files["dir"].iterdir()) == [] and files["opened"] == []

    task = dialog.start()  # and uncancelled it finishes, in the background, and opens the file
    qtbot.waitUntil(lambda: task.finished, timeout=10000)
    assert task.state is TaskState.DONE and len(files["opened"]) == 1
    runner.wait_idle()


def test_lists_dialog_exports_a_list_to_excel(window: MainWindow, files: dict[str, Any]) -> None:
    dialog = window.print_menu.open_dialog("lists")
    assert isinstance(dialog, ListPrintDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("poor"))
    dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
    dialog.start()
    (path,) = files["opened"][-1]
    assert path.suffix == ".xlsx"
    rows = [[c.value for c in r] for r in load_workbook(path).active.iter_rows(min_row=5)]
    assert [r[1] for r in rows] == ["Nguyễn Văn Đức"]
    dialog = window.print_menu.open_dialog("lists")
    dialog.kind.setCurrentIndex(dialog.kind.findData("visits"))
    assert dialog.sponsor.isVisibleTo(dialog) and not dialog.year.isVisibleTo(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
    dialog.start()
    assert "PHIẾU THEO DÕI THĂM HỘ" in pdf_text(files["opened"][-1][0])


def test_report_dashboard_shows_the_registers_figures(window: MainWindow, register: Register,
                                                      files: dict[str, Any]) -> None:
    dashboard = window.print_menu.open_dialog("report")
    assert isinstance(dashboard, ReportDashboard)
    results = register.results.year(2026)
    assert dashboard.series_values() == {"Hộ nghèo": [h.this_year.poor_rate for h in results.hamlets],
                                         "Hộ cận nghèo": [h.this_year.near_poor_rate for h in results.hamlets]}
    assert dashboard.trend_chart.chart().series()[0].count() == 2  # 2025 and 2026
    table = dashboard.results
    last = table.rowCount() - 1
    assert [table.item(last, c).text() for c in range(4)] == ["Toàn xã", "3", "1", "33,33"]
    assert [table.item(r, 0).text() for r in range(last)] == [h.name for h in results.hamlets]
    targets = [dashboard.targets.item(r, 3).text() for r in range(dashboard.targets.rowCount())]
    assert "Đạt" in targets and "Chưa đạt" in targets
    assert "Quyết định" in dashboard.status.text() or "45/QĐ-UBND" in dashboard.status.text()
    dashboard.export("xlsx")
    (path,) = files["opened"][-1]
    assert load_workbook(path)["Theo thôn, ấp"]["A5"].value == "Ấp Chợ"
    dashboard.year.setCurrentIndex(dashboard.year.findData(2025))
    assert dashboard.results.item(dashboard.results.rowCount() - 1, 2).text() == "2"


def test_the_editors_print_button(qtbot, register: Register, officer: Actor, case: Case,
                                  files: dict[str, Any]) -> None:
    editor = HouseholdEditor(register, officer, case.duc, today=TODAY)
    qtbot.addWidget(editor)
    button = next(b for b in editor.findChildren(type(editor.save_button)) if b.text() == "In")
    menu = button.menu()
    menu.aboutToShow.emit()
    plan, certificate = menu.actions()
    assert plan.isEnabled() and certificate.isEnabled()
    certificate.trigger()  # the editor has no window runner: it prints through its own, in the background
    qtbot.waitUntil(lambda: bool(files["opened"]), timeout=10000)
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO" in pdf_text(files["opened"][0][0])
    editor._own_task_runner.wait_idle()

    new = HouseholdEditor(register, officer, None, today=TODAY)
    qtbot.addWidget(new)
    menu = next(b for b in new.findChildren(type(new.save_button)) if b.text() == "In").menu()
    menu.aboutToShow.emit()
    assert not any(a.isEnabled() for a in menu.actions())  # nothing saved to print yet
