"""The sync commands end to end, and an import killed with SIGKILL at several points."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from povcase.cli import EXIT_BAD_INPUT, EXIT_OK, main
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.services.sync import CRASH_ENV
from tests.conftest import TODAY

COMMUNE = "29461"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == EXIT_OK, err
    return out


def setup_both(capsys: pytest.CaptureFixture[str], tmp: Path, households: int = 40) -> tuple[str, str]:
    c, o = str(tmp / "commune"), str(tmp / "office")
    ok(capsys, "--home", c, "demo", "--households", str(households), "--seed", "4")
    out = ok(capsys, "--home", o, "setup-office", "--province", "86", "--name", "UBND tỉnh Vĩnh Long")
    assert "86" in out
    ok(capsys, "--home", o, "office-key", "--out", str(tmp / "office.key"))
    out = ok(capsys, "--home", c, "trust-office", str(tmp / "office.key"))
    office_fp = json.loads((tmp / "office.key").read_text())["fingerprint"]
    assert office_fp in out  # the officer reads it back to the office on the phone
    ok(capsys, "--home", c, "commune-key", "--out", str(tmp / "commune.key"))
    ok(capsys, "--home", o, "trust-commune", str(tmp / "commune.key"))
    return c, o


def test_demo_commune_exports_office_imports_counts_match_ack_returns_and_next_export_has_only_changes(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c, o = setup_both(capsys, tmp_path)
    package = Path(ok(capsys, "--home", c, "export", "--out", str(tmp_path / "out")).strip())
    assert package.exists() and package.suffix == ".povsync"

    out = ok(capsys, "--home", o, "import", str(package), "--ack-dir", str(tmp_path / "acks"))
    ack = tmp_path / "acks" / f"{COMMUNE}-00001.povack"
    assert str(ack) in out and ack.exists()

    commune_stats = json.loads(ok(capsys, "--home", c, "stats", "--json"))
    office_stats = json.loads(ok(capsys, "--home", o, "stats", "--json"))
    assert commune_stats["kind"] == "commune" and office_stats["kind"] == "office"
    assert commune_stats["province_code"] == office_stats["province_code"] == "86"
    assert commune_stats["communes"] == office_stats["communes"] == [COMMUNE]
    assert office_stats["counts"][COMMUNE] == commune_stats["counts"][COMMUNE]
    assert commune_stats["counts"][COMMUNE]["households"] == 40
    assert set(commune_stats["counts"][COMMUNE]) == {"households", "members", "assessments", "plans", "sponsors",
                                                     "support_records"}

    out = ok(capsys, "--home", c, "import-ack", str(ack))
    assert "0" in out
    reg = Register.open(Path(c))
    try:
        assert reg.sync.state_counts()["household"]["accepted"] == 40
        row = reg.search.rows(reg.search.ids(HouseholdFilter()))[0]
        h = reg.households.get(row.uuid)
        reg.households.update(reg_actor(), h.uuid, replace(h.as_input(), notes="Đã chuyển nhà"), h.revision,
                              today=TODAY)
    finally:
        reg.close()
    code, out, err = run(capsys, "--home", c, "export", "--out", str(tmp_path / "out"))
    second = Path(out.strip())
    assert code == EXIT_OK and second != package
    assert "Gói 2 (Bổ sung): 1 bản ghi" in err and "incremental" not in err
    out = ok(capsys, "--home", o, "import", str(second), "--dry-run")
    # Record types and columns in Vietnamese, not the format's tokens ("household", "new", …).
    header, *rows = [line for line in out.splitlines() if line.startswith("  ")]
    assert header.split() == ["Mới", "Thay", "đổi", "Không", "đổi", "Bị", "từ", "chối"]
    assert [row.rsplit(None, 4) for row in rows] == [["  Số hộ", "0", "1", "0", "0"]]
    assert "household" not in out

    # A replay: nothing to do, exit 0.
    code, out, err = run(capsys, "--home", o, "import", str(package))
    assert code == EXIT_OK and "đã được nhập" in out


def reg_actor():  # type: ignore[no-untyped-def]
    from povcase.services.base import Actor, Role

    return Actor("Sơn Thị Bích Trâm", Role.OFFICER)


def test_a_refused_package_prints_one_line_in_both_languages_and_exits_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c, o = setup_both(capsys, tmp_path, households=5)
    junk = tmp_path / "junk.povsync"
    junk.write_bytes(b"not a zip at all")
    code, out, err = run(capsys, "--home", o, "import", str(junk))
    assert code == EXIT_BAD_INPUT
    [line] = err.strip().splitlines()
    assert line.startswith("povcase: junk.povsync: ") and "(Not a povcase package" in line
    assert "Traceback" not in err + out
    code, _, err = run(capsys, "--home", c, "trust-commune", str(tmp_path / "office.key"))
    assert code == EXIT_BAD_INPUT and "cơ quan cấp trên" in err and "office" in err
    code, _, err = run(capsys, "--home", o, "export", "--out", str(tmp_path / "x"))
    assert code == EXIT_BAD_INPUT and "Only a commune register exports packages" in err


def test_a_package_refused_whole_is_acknowledged_to_its_commune_which_reads_why(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c, o = setup_both(capsys, tmp_path, households=5)
    package = Path(ok(capsys, "--home", c, "export", "--out", str(tmp_path / "out")).strip())
    # One byte of a record file changed on the way: the manifest is still the commune's, signed.
    with zipfile.ZipFile(package) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    blob = items["member.jsonl.enc"]
    items["member.jsonl.enc"] = blob[:30] + bytes([blob[30] ^ 1]) + blob[31:]
    damaged = tmp_path / "damaged.povsync"
    with zipfile.ZipFile(damaged, "w") as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    code, out, err = run(capsys, "--home", o, "import", str(damaged), "--ack-dir", str(tmp_path / "acks"))
    assert code == EXIT_BAD_INPUT and "damaged.povsync: " in err and "member.jsonl" in err
    ack = tmp_path / "acks" / f"{COMMUNE}-00001.povack"
    assert str(ack) in out

    out = ok(capsys, "--home", c, "import-ack", str(ack))
    assert out.startswith("Cơ quan cấp trên đã từ chối toàn bộ gói 1, không bản ghi nào được chấp nhận: ")
    assert "(The file member.jsonl in the package is damaged or was changed)" in out
    assert "Hãy gửi một gói đầy đủ để thay thế. (povcase export --full)" in out
    assert "khác với tệp đã xuất ở đây" in out
    # Junk is not acknowledged: nobody could say whose it is.
    (tmp_path / "junk.povsync").write_bytes(b"PK\x03\x04 junk")
    code, out, err = run(capsys, "--home", o, "import", str(tmp_path / "junk.povsync"), "--ack-dir",
                         str(tmp_path / "acks2"))
    assert code == EXIT_BAD_INPUT and not (tmp_path / "acks2").exists()


def test_an_export_with_nothing_new_is_a_heartbeat_package(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c, o = setup_both(capsys, tmp_path, households=5)
    first = Path(ok(capsys, "--home", c, "export", "--out", str(tmp_path / "out")).strip())
    ok(capsys, "--home", o, "import", str(first), "--ack-dir", str(tmp_path / "acks"))
    ok(capsys, "--home", c, "import-ack", str(tmp_path / "acks" / f"{COMMUNE}-00001.povack"))
    code, out, err = run(capsys, "--home", c, "export", "--out", str(tmp_path / "out"))
    heartbeat = Path(out.strip())
    assert code == EXIT_OK and heartbeat.exists() and heartbeat != first
    assert "Gói 2 (Bổ sung): 0 bản ghi" in err and "không chứa bản ghi nào" in err
    out = ok(capsys, "--home", o, "import", str(heartbeat), "--ack-dir", str(tmp_path / "acks"))
    assert "Không có gì mới hoặc thay đổi" in out
    stats = ok(capsys, "--home", o, "stats")
    assert stats.splitlines()[0] == "cơ quan cấp trên 86" and "Số hộ: 5" in stats
    reg = Register.open(Path(o))
    try:
        [commune] = reg.sync.overview()
        assert commune.last_sequence == 2  # the office sees the commune is up to date
    finally:
        reg.close()


# --- crash safety --------------------------------------------------------------------------------------
def _state(db: Path) -> tuple[str, dict[str, int]]:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'household_search%'")]
        counts = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        return check, counts
    finally:
        conn.close()


@pytest.mark.parametrize("stage", ["verified", "staged", "applied", "committed"])
def test_an_import_killed_at_any_point_leaves_the_office_before_or_after(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, stage: str) -> None:
    c, o = setup_both(capsys, tmp_path, households=30)
    package = ok(capsys, "--home", c, "export", "--out", str(tmp_path / "out")).strip()
    db = Path(o) / "povcase.sqlite3"
    _, before = _state(db)
    reference = tmp_path / "reference"
    shutil.copytree(o, reference)
    ok(capsys, "--home", str(reference), "import", package)
    _, after = _state(reference / "povcase.sqlite3")
    assert after["household"] == 30 and before["household"] == 0

    env = dict(os.environ, **{CRASH_ENV: stage, "QT_QPA_PLATFORM": "offscreen"})
    proc = subprocess.run([sys.executable, "-m", "povcase", "--home", o, "import", package], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    check, counts = _state(db)
    assert check == "ok"
    assert counts == (after if stage == "committed" else before)
    # Whatever happened, importing again ends in the state after the package, exactly once.
    code, _, err = run(capsys, "--home", o, "import", package)
    assert code == EXIT_OK, err
    assert _state(db) == ("ok", after)
