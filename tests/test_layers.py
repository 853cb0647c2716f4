"""The layer rules of DESIGN.md hold, and the ruff configuration that enforces them really bites."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "povcase" / "domain" / "_layer_probe.py"


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_package_passes_ruff() -> None:
    result = ruff("povcase")
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_may_not_import_sqlalchemy_or_services() -> None:
    assert not PROBE.exists(), f"{PROBE} left over from an earlier run"
    try:
        PROBE.write_text("import sqlalchemy\nfrom povcase.services import base\n", encoding="utf-8")
        result = ruff("--output-format", "json", str(PROBE.relative_to(ROOT)))
        assert result.returncode == 1, result.stdout + result.stderr
        found = json.loads(result.stdout)
    finally:
        PROBE.unlink(missing_ok=True)
    banned = sorted((d["location"]["row"], d["message"]) for d in found if d["code"] == "TID251")
    assert [row for row, _ in banned] == [1, 2]
    assert "sqlalchemy" in banned[0][1] and "layer rule" in banned[0][1]
    assert "povcase.services" in banned[1][1] and "layer rule" in banned[1][1]
    assert not PROBE.exists()
