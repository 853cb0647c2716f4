"""A small page-layout engine on the reportlab canvas, for official documents on A4.

Why not platypus: a batch prints a thousand plans, and platypus' flowables, frames and paragraph
objects cost several times the drawing itself. Documents here are simple (paragraphs, ruled tables,
the national heading, signature blocks, charts), so `Layout` wraps text with cached word widths and
records draw operations per page; `render` then draws them, numbering the pages "Trang i/n" — the
page count is known because layout comes first.

Layout follows Nghị định 30/2020/NĐ-CP on administrative documents: A4, margins 30 mm left, 15 mm
right, 20 mm top and bottom; the issuing body on the left and the national heading on the right,
the place and date in italics under it; the title centred in bold capitals; signature blocks at the
foot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from povcase.i18n import translate
from povcase.reports.fonts import BOLD, BOLD_ITALIC, ITALIC, REGULAR, register_fonts
from povcase.reports.model import Letterhead

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
WIDTH = PAGE_W - LEFT - RIGHT
BODY = 13.0  # body text, points (ND 30/2020: 13–14)
SMALL = 11.0  # tables
NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

Op = tuple[Any, ...]
# Compressed page streams stay binary: ASCII85 on top makes files 25% bigger and costs a fifth of the
# drawing time of a batch, for 7-bit transports nobody uses any more.
rl_config.useA85 = 0


@lru_cache(maxsize=65536)
def _width(text: str, font: str) -> float:
    """Width of `text` at 1 pt; words repeat endlessly across a batch, so this is cached."""
    return stringWidth(text, font, 1.0)


def text_width(text: str, font: str, size: float) -> float:
    return _width(text, font) * size


def wrap(text: str, font: str, size: float, width: float, first_width: float | None = None) -> list[str]:
    """Split `text` into lines no wider than `width` (the first no wider than `first_width`)."""
    out: list[str] = []
    for paragraph in (text or "").split("\n"):
        limit = (first_width if first_width is not None and not out else width) / size
        space = _width(" ", font)
        line: list[str] = []
        used = 0.0
        for word in paragraph.split():
            w = _width(word, font)
            if line and used + space + w > limit:
                out.append(" ".join(line))
                limit = width / size
                line, used = [], 0.0
            while w > limit and len(word) > 1:  # a word longer than the line: cut it
                cut = len(word)
                while cut > 1 and _width(word[:cut], font) > limit:
                    cut -= 1
                out.append(word[:cut])
                limit = width / size
                word = word[cut:]
                w = _width(word, font)
            used = used + space + w if line else w
            line.append(word)
        out.append(" ".join(line))
    return out


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # relative weight; the table fills the text width
    align: str = "left"  # left | center | right


@dataclass(frozen=True)
class Section:
    """A row spanning the whole table: a heading inside a list ("I. Hộ nghèo")."""

    text: str


class Layout:
    """One document: draw operations per page. `footer` names the document on every page."""

    def __init__(self, footer: str = "", lang: str = "vi") -> None:
        register_fonts()
        self.footer = footer
        self.lang = lang
        self.pages: list[list[Op]] = []
        self.ops: list[Op] = []
        self.y = 0.0
        self.new_page()

    # --- pages ---------------------------------------------------------------------------------------
    def new_page(self) -> None:
        self.ops = []
        self.pages.append(self.ops)
        self.y = PAGE_H - TOP

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; True when a page was started."""
        if self.y - height < BOTTOM:
            self.new_page()
            return True
        return False

    def space(self, height: float) -> None:
        self.y -= height

    # --- text ----------------------------------------------------------------------------------------
    def line(self, text: str, font: str = REGULAR, size: float = BODY, x: float = LEFT, align: str = "left",
             width: float = WIDTH) -> None:
        """One line at the current position, without wrapping; moves down one leading."""
        leading = size * 1.25
        self.ensure(leading)
        self.y -= size
        self._text(text, font, size, x, align, width)
        self.y -= leading - size

    def _text(self, text: str, font: str, size: float, x: float, align: str, width: float) -> None:
        if align == "center":
            self.ops.append(("c", font, size, x + width / 2, self.y, text))
        elif align == "right":
            self.ops.append(("r", font, size, x + width, self.y, text))
        else:
            self.ops.append(("s", font, size, x, self.y, text))

    def paragraph(self, text: str, font: str = REGULAR, size: float = BODY, indent: float = 0.0,
                  align: str = "left", label: str = "", label_font: str = BOLD, after: float = 2.0) -> None:
        """Wrapped text; with `label`, a "Label: text" line whose label is set in `label_font`."""
        leading = size * 1.25
        x = LEFT + indent
        width = WIDTH - indent
        label_w = text_width(label + " ", label_font, size) if label else 0.0
        lines = wrap(text, font, size, width, width - label_w if label else None)
        for i, ln in enumerate(lines):
            self.ensure(leading)
            self.y -= size
            if i == 0 and label:
                self.ops.append(("s", label_font, size, x, self.y, label))
                self.ops.append(("s", font, size, x + label_w, self.y, ln))
            else:
                self._text(ln, font, size, x, align, width)
            self.y -= leading - size
        self.y -= after

    def field(self, label: str, value: str, size: float = BODY) -> None:
        self.paragraph(value, size=size, label=f"{label}:", label_font=BOLD, after=1.0)

    def heading(self, text: str, size: float = BODY, after: float = 3.0) -> None:
        """A bold section heading, kept with at least two lines of what follows."""
        self.ensure(size * 4)
        self.paragraph(text, font=BOLD, size=size, after=after)

    # --- the official heading, title and signatures ----------------------------------------------------
    def letterhead(self, lh: Letterhead, number: str = "") -> None:
        """Issuing body (left) and national heading (right), then the place and date."""
        left_w = WIDTH * 0.40
        right_x = LEFT + WIDTH * 0.36
        right_w = WIDTH * 0.64
        top = self.y
        y = top - 13
        if lh.authority:
            self.ops.append(("c", BOLD, 12.5, LEFT + left_w / 2, y, lh.authority.upper()))
            y -= 15
        self.ops.append(("c", BOLD, 12.5, LEFT + left_w / 2, y, lh.issuer.upper()))
        rule = text_width(lh.issuer.upper(), BOLD, 12.5) * 0.45
        self.ops.append(("l", LEFT + left_w / 2 - rule / 2, y - 4, LEFT + left_w / 2 + rule / 2, y - 4, 0.6))
        if number:
            y -= 22
            self.ops.append(("c", REGULAR, 13, LEFT + left_w / 2, y, number))
        ry = top - 13
        self.ops.append(("c", BOLD, 12.5, right_x + right_w / 2, ry, NATIONAL_HEADING))
        ry -= 16
        self.ops.append(("c", BOLD, 13.5, right_x + right_w / 2, ry, MOTTO))
        motto_w = text_width(MOTTO, BOLD, 13.5)
        self.ops.append(("l", right_x + right_w / 2 - motto_w / 2, ry - 4, right_x + right_w / 2 + motto_w / 2,
                         ry - 4, 0.6))
        ry -= 24
        self.ops.append(("c", ITALIC, 13, right_x + right_w / 2, ry, lh.place_and_date()))
        self.y = min(y, ry) - 22

    def title(self, text: str, subtitle: str = "", size: float = 14.0) -> None:
        for ln in wrap(text.upper(), BOLD, size, WIDTH * 0.92):
            self.line(ln, BOLD, size, align="center")
        if subtitle:
            for ln in wrap(subtitle, BOLD_ITALIC, BODY, WIDTH * 0.9):
                self.line(ln, BOLD_ITALIC, BODY, align="center")
        self.space(8)

    def signatures(self, blocks: Sequence[tuple[str, str]], note: str | None = None) -> None:
        """Signature blocks side by side: (title, name under the signature space)."""
        note = note if note is not None else translate("(Signature and full name)", self.lang)
        n = len(blocks)
        w = WIDTH / n
        titles = [wrap(title.upper(), BOLD, 12.5, w - 6) if title else [] for title, _name in blocks]
        # title lines, the note, room to sign (~28 mm), the name
        height = 10 + max(len(t) for t in titles) * 15 + 80 + BODY + 6
        self.ensure(height)
        top = self.y - 10
        for i, (lines, (_title, name)) in enumerate(zip(titles, blocks, strict=True)):
            if not lines:  # an empty column: the signature sits on the right, as on decisions
                continue
            cx = LEFT + w * i + w / 2
            y = top - 12.5
            for ln in lines:
                self.ops.append(("c", BOLD, 12.5, cx, y, ln))
                y -= 15
            self.ops.append(("c", ITALIC, 12, cx, y, note))
            if name:
                self.ops.append(("c", BOLD, BODY, cx, y - 80, name))
        self.y -= height

    # --- tables ----------------------------------------------------------------------------------------
    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[str] | Section], size: float = SMALL,
              header_size: float | None = None) -> None:
        """A ruled table filling the text width; the header row repeats on every page it spans."""
        header_size = header_size or size
        total = sum(c.width for c in columns) or 1.0
        widths = [WIDTH * c.width / total for c in columns]
        pad = 3.0
        # A column never narrower than its header's longest word ("STT" must not wrap): the widest
        # column gives up the difference.
        for i, c in enumerate(columns):
            need = max((text_width(w, BOLD, header_size) for w in c.title.split()), default=0.0) + 2 * pad + 1
            if widths[i] < need:
                widest = max(range(len(widths)), key=widths.__getitem__)
                widths[widest] -= need - widths[i]
                widths[i] = need
        xs = [LEFT]
        for w in widths:
            xs.append(xs[-1] + w)
        leading = size * 1.2
        header_cells = [wrap(c.title, BOLD, header_size, w - 2 * pad) for c, w in zip(columns, widths, strict=True)]
        header_h = max(len(c) for c in header_cells) * header_size * 1.2 + 2 * pad

        def draw_header() -> None:
            top = self.y
            self.ops.append(("f", LEFT, top - header_h, WIDTH, header_h))
            for i, cell in enumerate(header_cells):
                y = top - pad - header_size
                for ln in cell:
                    self.ops.append(("c", BOLD, header_size, xs[i] + widths[i] / 2, y, ln))
                    y -= header_size * 1.2
            self._grid(xs, top, top - header_h)
            self.y = top - header_h

        rows = list(rows)
        first = rows[0] if rows else None
        first_h = leading + 2 * pad
        if first is not None and not isinstance(first, Section):
            first_h = max(len(wrap(str(v), REGULAR, size, w - 2 * pad)) for v, w in zip(first, widths, strict=True)
                          ) * leading + 2 * pad
        self.ensure(header_h + first_h)  # never a header alone at the foot of a page
        draw_header()
        for row in rows:
            if isinstance(row, Section):
                lines = wrap(row.text, BOLD, size, WIDTH - 2 * pad)
                h = len(lines) * leading + 2 * pad
                if self.ensure(h + leading + 2 * pad):  # never a section heading alone at a page foot
                    draw_header()
                top = self.y
                y = top - pad - size
                for ln in lines:
                    self.ops.append(("s", BOLD, size, LEFT + pad, y, ln))
                    y -= leading
                self._grid([LEFT, LEFT + WIDTH], top, top - h)
                self.y = top - h
                continue
            cells = [wrap(str(v), REGULAR, size, w - 2 * pad) for v, w in zip(row, widths, strict=True)]
            h = max(len(c) for c in cells) * leading + 2 * pad
            if self.ensure(h):
                draw_header()
            top = self.y
            for i, cell in enumerate(cells):
                y = top - pad - size
                align = columns[i].align
                for ln in cell:
                    if align == "center":
                        self.ops.append(("c", REGULAR, size, xs[i] + widths[i] / 2, y, ln))
                    elif align == "right":
                        self.ops.append(("r", REGULAR, size, xs[i + 1] - pad, y, ln))
                    else:
                        self.ops.append(("s", REGULAR, size, xs[i] + pad, y, ln))
                    y -= leading
            self._grid(xs, top, top - h)
            self.y = top - h
        self.space(6)

    def _grid(self, xs: Sequence[float], top: float, bottom: float) -> None:
        self.ops.append(("g", tuple(xs), top, bottom))

    # --- charts ----------------------------------------------------------------------------------------
    def drawing(self, d: Drawing, align: str = "center") -> None:
        self.ensure(d.height + 6)
        x = LEFT + (WIDTH - d.width) / 2 if align == "center" else LEFT
        self.y -= d.height
        self.ops.append(("d", d, x, self.y))
        self.space(6)

    def texts(self) -> list[tuple[str, float, str]]:
        """(font, size, text) of every text drawn: what the benchmark's bare-canvas floor draws."""
        return [(op[1], op[2], op[5]) for page in self.pages for op in page if op[0] in ("s", "c", "r")]


def render(canvas: Canvas, layouts: Iterable[Layout]) -> int:
    """Draw the documents one after another into `canvas`; returns the number of pages drawn."""
    count = 0
    for doc in layouts:
        n = len(doc.pages)
        for i, ops in enumerate(doc.pages, start=1):
            _draw_page(canvas, ops)
            footer = translate("Page {i}/{n}", doc.lang, i=i, n=n)
            canvas.setFont(ITALIC, 9)
            if doc.footer:
                canvas.drawString(LEFT, BOTTOM / 2, doc.footer)
            canvas.drawRightString(PAGE_W - RIGHT, BOTTOM / 2, footer)
            canvas.showPage()
            count += 1
    return count


def _draw_page(c: Canvas, ops: Sequence[Op]) -> None:
    """Text goes into one text object per page (one BT…ET, not one per line); rules are written as
    ready-made path operators. Both matter in a thousand-plan batch; the PDF draws the same."""
    text = c.beginText()
    font: tuple[str, float] | None = None
    rules: list[str] = []
    for op in ops:
        kind = op[0]
        if kind in ("s", "c", "r"):
            if font != (op[1], op[2]):
                font = (op[1], op[2])
                text.setFont(op[1], op[2])
            x = op[3]
            if kind != "s":  # centred or right-aligned: the width from our cache, not reportlab's sum
                w = _width(op[5], op[1]) * op[2]
                x -= w / 2 if kind == "c" else w
            text.setTextOrigin(x, op[4])
            text.textOut(op[5])
        elif kind == "g":
            xs, top, bottom = op[1], op[2], op[3]
            rules.append(f"{xs[0]:.2f} {top:.2f} m {xs[-1]:.2f} {top:.2f} l {xs[0]:.2f} {bottom:.2f} m "
                         f"{xs[-1]:.2f} {bottom:.2f} l")
            rules.extend(f"{x:.2f} {top:.2f} m {x:.2f} {bottom:.2f} l" for x in xs)
        elif kind == "l":
            c.setLineWidth(op[5])
            c.line(op[1], op[2], op[3], op[4])
        elif kind == "f":
            c.setFillGray(0.92)
            c.rect(op[1], op[2], op[3], op[4], stroke=0, fill=1)
            c.setFillGray(0)
        elif kind == "d":
            renderPDF.draw(op[1], c, op[2], op[3])
    if rules:
        c.setLineWidth(0.5)
        c.setStrokeGray(0)
        c.addLiteral("\n".join(rules) + " S")
    c.drawText(text)


def new_canvas(target: Any, title: str, author: str = "povcase") -> Canvas:
    """A canvas on A4 for `target` (a path or a binary file), with the document's title."""
    register_fonts()
    c = Canvas(target, pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=BODY)
    c.setTitle(title)
    c.setAuthor(author)
    c.setCreator("povcase")
    return c
