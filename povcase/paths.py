"""Where povcase keeps its data: POVCASE_HOME if set (tests, portable installs), else the platform's
user data folder. Resources and translations ship beside the package (or inside a PyInstaller bundle).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from povcase import APP_NAME

ENV_HOME = "POVCASE_HOME"
DB_FILENAME = "povcase.sqlite3"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder, created if missing."""
    chosen = override or os.environ.get(ENV_HOME)
    path = Path(chosen).expanduser() if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def database_path(home: Path) -> Path:
    return home / DB_FILENAME


def backups_dir(home: Path) -> Path:
    path = home / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir(home: Path) -> Path:
    path = home / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _install_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return _install_root() / "resources"


def translations_dir() -> Path:
    return _install_root() / "translations"
