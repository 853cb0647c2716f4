"""The sync screens: the commune exports and reads acks; the office opens read-only on its communes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QTableWidget

from povcase.i18n import _
from povcase.services.base import Actor, Role
from povcase.ui.main_window import MainWindow
from povcase.ui.sync_screens import CommuneSyncScreen, ImportPreviewDialog, OfficeOverviewScreen
from povcase.ui.tasks import TaskRunner
from tests.conftest import TODAY
from tests.test_sync_import import COMMUNE, open_commune, open_office


def column(table: QTableWidget, c: int) -> list[str]:
    return [table.item(r, c).text() for r in range(table.rowCount())]


@pytest.fixture
def both(tmp_path: Path):  # type: ignore[no-untyped-def]
    commune = open_commune(tmp_path / "commune", 6, seed=2)
    office = open_office(tmp_path / "office")
    office.sync.trust(Actor("x", Role.SYSTEM), commune.sync.own_public_key())
    office.sync.own_public_key().write(tmp_path / "office.povkey")
    yield commune, office, tmp_path
    commune.close()
    office.close()


def test_commune_registers_the_office_exports_with_progress_and_reads_the_ack(qtbot, both, officer) -> None:  # type: ignore[no-untyped-def]
    commune, office, tmp = both
    runner = TaskRunner(None, inline=True)
    screen = CommuneSyncScreen(commune, officer, None, runner.run)
    qtbot.addWidget(screen)
    assert not screen.export_button.isEnabled()  # no office key yet
    screen.trust_office_file(tmp / "office.povkey")
    assert "UBND tỉnh Vĩnh Long" in screen.office_label.text() and screen.export_button.isEnabled()

    screen.export_to(tmp / "out")
    [package] = (tmp / "out").iterdir()
    assert str(package) in screen.result_label.text()
    assert set(column(screen.households, 1)) == {_("Sent")}
    assert column(screen.packages, 0) == ["1"]

    [report] = office.sync.import_packages(Actor("x", Role.SYSTEM), [package], ack_dir=tmp / "acks")
    screen.import_ack_file(report.ack_path)
    assert set(column(screen.households, 1)) == {_("Accepted")}
    households_row = column(screen.states, 0).index(_("Households"))
    assert screen.states.item(households_row, 3).text() == "6"
    assert column(screen.packages, 4)[0] != ""  # acknowledged

    # Nothing changed since: a heartbeat package, said so.
    screen.export_to(tmp / "out")
    assert "không chứa bản ghi nào" in screen.result_label.text()
    # Number 3 arrives before number 2: the office holds it and tells the commune, which shows why.
    screen.export_to(tmp / "out")
    third = max((tmp / "out").iterdir())
    [held] = office.sync.import_packages(Actor("x", Role.SYSTEM), [third], ack_dir=tmp / "acks")
    screen.import_ack_file(held.ack_path)
    assert screen.result_label.text().startswith("Gói 3 chưa được cơ quan cấp trên áp dụng: ")
    assert "cho đến khi nhận được gói 2" in screen.result_label.text()
    assert column(screen.packages, 0)[0] == "3"
    assert column(screen.packages, 4)[0].startswith(_("Held") + ": ")
    assert "Bổ sung" in column(screen.packages, 1) and "incremental" not in column(screen.packages, 1)


def test_a_bad_key_file_is_explained_on_the_screen(qtbot, both, officer) -> None:  # type: ignore[no-untyped-def]
    commune, _office, tmp = both
    screen = CommuneSyncScreen(commune, officer)
    qtbot.addWidget(screen)
    (tmp / "junk.povkey").write_text("{}")
    screen.trust_office_file(tmp / "junk.povkey")
    assert screen.result_label.text() == _("Not a povcase public key file")


def test_office_opens_read_only_on_the_overview_and_imports_after_a_preview(qtbot, both, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    commune, office, tmp = both
    commune.sync.trust(Actor("x", Role.SYSTEM), office.sync.own_public_key())
    package = commune.sync.export(Actor("x", Role.SYSTEM), tmp / "out").value.path
    runner = TaskRunner(None, inline=True)
    window = MainWindow(office, Actor("Lê Văn Tỉnh", Role.OFFICER), today=TODAY, run_task=runner.run)
    qtbot.addWidget(window)
    assert not window.actor.can_write and not window.act_new.isEnabled()
    overview = window._screens["sync"]
    assert isinstance(overview, OfficeOverviewScreen) and overview.isVisible()
    assert overview.communes.rowCount() == 0 and overview.import_button.isEnabled()

    shown: list[ImportPreviewDialog] = []

    def accept(dialog: ImportPreviewDialog) -> int:
        shown.append(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(overview, "exec_preview", accept)
    overview.preview_files([package])
    [preview] = shown
    assert preview.apply_button.isEnabled()
    assert _("Households") in column(preview.counts, 0)
    assert column(overview.communes, 0) == [COMMUNE]
    assert overview.communes.item(0, 2).text() == "6"
    assert "29461-00001.povack" in overview.result_label.text()
    window.model.reload()
    assert window.model.rowCount() == 6  # the households can be read at the office


def test_a_refused_package_cannot_be_applied(qtbot, both, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _commune, office, tmp = both
    junk = tmp / "junk.povsync"
    junk.write_bytes(b"junk")
    screen = OfficeOverviewScreen(office, Actor("x", Role.OFFICER))
    qtbot.addWidget(screen)
    shown: list[ImportPreviewDialog] = []
    monkeypatch.setattr(screen, "exec_preview", lambda d: shown.append(d) or QDialog.DialogCode.Rejected)
    screen.preview_files([junk])
    assert not shown[0].apply_button.isEnabled()
    assert _("Refused") in shown[0].lines.text()
    assert screen.communes.rowCount() == 0


def test_a_held_package_of_a_registered_commune_is_kept_and_acknowledged_on_apply(  # type: ignore[no-untyped-def]
        qtbot, both, monkeypatch) -> None:
    commune, office, tmp = both
    commune.sync.trust(Actor("x", Role.SYSTEM), office.sync.own_public_key())
    commune.sync.export(Actor("x", Role.SYSTEM), tmp / "out")  # number 1 never reaches the office
    second = commune.sync.export(Actor("x", Role.SYSTEM), tmp / "out").value.path
    screen = OfficeOverviewScreen(office, Actor("x", Role.OFFICER))
    qtbot.addWidget(screen)
    shown: list[ImportPreviewDialog] = []
    monkeypatch.setattr(screen, "exec_preview", lambda d: shown.append(d) or QDialog.DialogCode.Accepted)
    screen.preview_files([second])
    assert shown[0].apply_button.isEnabled() and _("Held") in shown[0].lines.text()
    assert "29461-00002.povack" in screen.result_label.text()
    assert [p.name for p in office.sync.held_dir.iterdir()] == [f"{COMMUNE}-00002.povsync"]
