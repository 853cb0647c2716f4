"""The window opens offscreen, offers a demo on an empty register, and lists and searches households."""

from __future__ import annotations

from povcase.services.demo import build_demo
from povcase.ui.main_window import MainWindow


def test_empty_register_offers_demo(qtbot, empty_register):
    window = MainWindow(empty_register)
    qtbot.addWidget(window)
    window.show()
    assert window.demo_button.isVisible()
    assert window.table.rowCount() == 0
    window.demo_button.click()
    assert not window.demo_button.isVisible()
    assert window.table.rowCount() > 0
    assert "2000" in window.heading.text() or "2.000" in window.heading.text()


def test_search_box_filters_the_list(qtbot, empty_register, officer):
    build_demo(empty_register, officer, 150, seed=5)
    window = MainWindow(empty_register)
    qtbot.addWidget(window)
    before = window.table.rowCount()
    window.search_box.setText("nguyen van duc")
    qtbot.waitUntil(lambda: window.table.rowCount() < before, timeout=3000)
    heads = {window.table.item(i, 1).text() for i in range(window.table.rowCount())}
    assert "Nguyễn Văn Đức" in heads
