"""The bundled icon set: every icon the UI names exists, is self-contained, and renders.

Run as a script to draw a contact sheet for a visual check, or to rebuild the Windows icon after
changing povcase.svg:
    .venv/bin/python -m tests.ui.test_icons /tmp/icons.png
    .venv/bin/python -m tests.ui.test_icons --ico
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from povcase.paths import resources_dir
from povcase.ui.resources import icon

ICON_NAMES = (
    "household-add", "household-edit", "household-delete", "search", "filter-clear", "save", "cancel",
    "settings", "language", "demo", "commune", "login", "member-add", "member-edit", "member-remove",
    "assessment", "refresh", "export", "print", "sponsor", "plan", "support", "due", "review", "sync",
)
APP_ICON = "povcase"
PALETTE = {"#2b5797", "#d9822b", "#ffffff"}
ICONS_DIR = resources_dir() / "icons"


def painted_pixels(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if image.pixelColor(x, y).alpha() > 40)


@pytest.mark.parametrize("name", [*ICON_NAMES, APP_ICON])
def test_icon_exists_and_renders_at_24px(qtbot, name):
    the_icon = icon(name)
    assert not the_icon.isNull(), f"{name}.svg missing"
    pixmap = the_icon.pixmap(QSize(24, 24))
    assert (pixmap.width(), pixmap.height()) == (24, 24)
    painted = painted_pixels(pixmap.toImage())
    assert 40 < painted < 24 * 24 * (1.0 if name == APP_ICON else 0.6), f"{name}: {painted} pixels painted"


@pytest.mark.parametrize("name", [*ICON_NAMES, APP_ICON])
def test_icon_is_a_self_contained_svg_in_the_house_style(qtbot, name):
    path = ICONS_DIR / f"{name}.svg"
    text = path.read_text(encoding="utf-8")
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    box = renderer.viewBoxF()
    assert (box.width(), box.height()) == ((256, 256) if name == APP_ICON else (24, 24))
    for banned in ("<text", "href", "<image", "@import", "url(", "<script", "<style"):
        assert banned not in text, f"{name}.svg contains {banned}"
    assert re.findall(r"https?://[^\"]+", text) == ["http://www.w3.org/2000/svg"]
    assert set(re.findall(r"#[0-9a-fA-F]{6}", text)) <= PALETTE
    if name != APP_ICON:
        assert 'stroke-width="2"' in text


def test_every_icon_in_the_folder_is_known():
    on_disk = {p.stem for p in ICONS_DIR.glob("*.svg")}
    assert on_disk == {*ICON_NAMES, APP_ICON}
    readme = (ICONS_DIR / "README.md").read_text(encoding="utf-8")
    assert "GPL-3.0-or-later" in readme


def test_windows_icon_holds_the_app_icon_at_the_usual_sizes(qtbot):
    from PIL import Image

    ico = resources_dir() / "povcase.ico"
    with Image.open(ico) as image:
        assert image.format == "ICO"
        sizes = set(image.info["sizes"])
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    loaded = QImage(str(ico))
    assert not loaded.isNull()


# --- contact sheet, Windows icon ------------------------------------------------------------------
SHEET_SIZES = (16, 24, 48)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(path: Path, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(path)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def contact_sheet(out: Path) -> Path:
    """Every icon at 16, 24 and 48 px on white and at 96 px on grey, named."""
    names = [*ICON_NAMES, APP_ICON]
    cell_w, cell_h, cols = 250, 130, 5
    rows = (len(names) + cols - 1) // cols
    sheet = QImage(cols * cell_w, rows * cell_h, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#ffffff"))
    painter = QPainter(sheet)
    painter.setFont(QFont("sans", 9))
    for i, name in enumerate(names):
        x0, y0 = (i % cols) * cell_w, (i // cols) * cell_h
        x = x0 + 6
        for size in SHEET_SIZES:
            painter.drawImage(x, y0 + 8 + (48 - size), render(ICONS_DIR / f"{name}.svg", size))
            x += size + 10
        painter.fillRect(x0 + 130, y0 + 4, 104, 104, QColor("#e4e4e4"))
        painter.drawImage(x0 + 134, y0 + 8, render(ICONS_DIR / f"{name}.svg", 96))
        painter.setPen(QColor("#000000"))
        painter.drawText(x0 + 6, y0 + 80, name)
    painter.end()
    sheet.save(str(out))
    return out


def build_ico(out: Path) -> Path:
    """resources/povcase.ico from povcase.svg, each size rendered from the vector (crisp at 16 px)."""
    from PIL import Image

    images = []
    for size in ICO_SIZES:
        qimage = render(ICONS_DIR / f"{APP_ICON}.svg", size).convertToFormat(QImage.Format.Format_RGBA8888)
        images.append(Image.frombytes("RGBA", (size, size), bytes(qimage.constBits())))
    images[-1].save(out, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])
    return out


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication(sys.argv)
    if sys.argv[1:] == ["--ico"]:
        print(build_ico(resources_dir() / "povcase.ico"))
    else:
        print(contact_sheet(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/icons.png")))
