"""Bundled fonts and icons, so the app looks the same on every commune PC."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from povcase.paths import resources_dir

log = logging.getLogger(__name__)
UI_FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf")
UI_FONT_FAMILY = "Noto Sans"
UI_POINT_SIZE = 10


def load_fonts(app: QApplication) -> str:
    """Register the bundled UI font (full Vietnamese coverage) and make it the app's font."""
    family = None
    for name in UI_FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / name))
        if font_id < 0:
            log.warning("could not load font %s", name)
            continue
        family = family or QFontDatabase.applicationFontFamilies(font_id)[0]
    if family:
        app.setFont(QFont(family, UI_POINT_SIZE))
    return family or app.font().family()


@cache
def icon(name: str) -> QIcon:
    """An icon from resources/icons/<name>.svg (empty icon if missing, logged)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    if not path.exists():
        log.warning("missing icon %s", path)
        return QIcon()
    return QIcon(str(path))
