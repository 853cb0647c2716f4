"""Qt's own strings (dialog buttons, wizard buttons, edit menus) in our language.

Qt ships no Vietnamese translation, so a QTranslator bridges Qt's lookups to our gettext catalog:
the English texts Qt asks for are msgids of our catalog, listed below so extraction finds them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from povcase.errors import N_
from povcase.i18n import _

# The strings Qt asks for, as Qt writes them (with & for the keyboard accelerator).
QT_STRINGS = (
    N_("OK"), N_("&OK"), N_("Cancel"), N_("&Cancel"), N_("Save"), N_("&Save"), N_("Discard"),
    N_("Don't Save"), N_("Close"), N_("&Close"), N_("Apply"), N_("Reset"), N_("Restore Defaults"), N_("Help"),
    N_("Yes"), N_("&Yes"), N_("No"), N_("&No"), N_("Yes to &All"), N_("N&o to All"), N_("Open"), N_("Save All"),
    N_("Abort"), N_("Retry"), N_("Ignore"),
    N_("< &Back"), N_("&Next >"), N_("&Next"), N_("&Finish"), N_("Go Back"), N_("Continue"), N_("Commit"),
    N_("Done"),
    N_("&Undo"), N_("&Redo"), N_("Cu&t"), N_("&Copy"), N_("&Paste"), N_("Delete"), N_("Select All"),
    N_("Show Details..."), N_("Hide Details..."),
)
_KNOWN = frozenset(QT_STRINGS)


class GettextTranslator(QTranslator):
    """Answers Qt's translate() calls from our catalog, for the strings Qt shows in dialogs."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        if source in _KNOWN:
            return _(source)
        # None becomes a null QString: "no translation here", and Qt keeps its own text. An empty
        # string would *be* the translation and blank Qt's labels.
        return None

    def isEmpty(self) -> bool:
        return False


_installed: GettextTranslator | None = None


def install_qt_translator() -> None:
    """Install once; after a language switch Qt re-asks automatically (a LanguageChange event)."""
    global _installed
    app = QCoreApplication.instance()
    if app is None:
        return
    if _installed is not None:
        app.removeTranslator(_installed)
    _installed = GettextTranslator(app)
    app.installTranslator(_installed)
