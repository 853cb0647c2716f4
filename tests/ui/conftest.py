"""UI tests never hang on a modal message box: an unexpected one fails the test with its text.
Tests that expect a box monkeypatch the method themselves (their patch wins)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(kind: str) -> Any:
        def box(*args: Any, **kwargs: Any) -> Any:
            text = next((a for a in args[2:] if isinstance(a, str)), "")
            raise AssertionError(f"unexpected QMessageBox.{kind}: {text}")
        return staticmethod(box)

    for kind in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, unexpected(kind))
