"""Composition root: paths → logging → i18n → database (backup, migrate) → UI.

Everything that needs wiring is wired here, once; the rest of the code receives what it needs.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from povcase import i18n
from povcase.paths import data_dir, logs_dir
from povcase.services.register import Register

log = logging.getLogger("povcase")


def setup_logging(home: Path, verbose: bool = False) -> None:
    """A rotating log file in the data folder: what support asks for when something goes wrong."""
    root = logging.getLogger()
    if any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(logs_dir(home) / "povcase.log", maxBytes=2_000_000,
                                                   backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)

    def _excepthook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        log.critical("unhandled error", exc_info=(kind, value, tb))  # type: ignore[arg-type]
        sys.__excepthook__(kind, value, tb)  # type: ignore[arg-type]

    sys.excepthook = _excepthook


def open_register(home: str | Path | None = None) -> Register:
    path = data_dir(home)
    setup_logging(path)
    register = Register.open(path)
    if register.backup_taken:
        log.info("database upgraded; backup at %s", register.backup_taken)
    return register


def run_gui(home: str | Path | None = None, lang: str | None = None) -> int:
    """Open the desktop app; returns the process exit status."""
    from povcase.ui.application import run

    register = open_register(home)
    chosen = i18n.install(lang or register.communes.setting("language") or i18n.DEFAULT_LANGUAGE)
    try:
        return run(register, chosen)
    finally:
        register.close()
