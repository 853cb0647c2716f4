"""The `povcase` command's interfaces: exit codes, JSON fields, one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from povcase.cli import EXIT_BAD_INPUT, EXIT_OK, main


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


POOR = {"standard": "2022-2026", "area": "rural", "income_per_capita": 1_500_000,
        "indicators": {"water": True, "latrine": True, "telecom": True}}


def test_classify_poor_from_stdin(capsys, monkeypatch):
    code, out, _ = run(capsys, "classify", "-", stdin=json.dumps(POOR), monkeypatch=monkeypatch)
    assert code == EXIT_OK
    result = json.loads(out)
    assert result["standard"] == "2022-2026"
    assert result["classification"] == "poor"
    assert result["deprived"] == ["water", "latrine", "telecom"]
    assert result["score_b"] == 30
    assert set(result["reasons"]) >= {"water", "latrine", "telecom", "employment"}


def test_classify_near_poor_and_middle(capsys, monkeypatch, tmp_path):
    two = dict(POOR, indicators={"water": True, "latrine": True})
    f = tmp_path / "h.json"
    f.write_text(json.dumps(two), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(f))
    assert code == EXIT_OK and json.loads(out)["classification"] == "near_poor"
    f.write_text(json.dumps(dict(POOR, income_per_capita=2_000_000)), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(f))
    assert json.loads(out)["classification"] == "middle"
    f.write_text(json.dumps(dict(POOR, income_per_capita=2_250_001)), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(f))
    assert json.loads(out)["classification"] == "not_poor"


def test_classify_derives_from_members_and_housing(capsys, monkeypatch):
    facts = {"standard": "2027-2030", "area": "urban", "income_per_capita": 2_800_000,
             "members": [{"name": "Sơn Thị Sa Rươl", "age": 34, "employment": "wage_without_contract",
                          "has_health_insurance": False},
                         {"age": 6, "in_school": True, "has_health_insurance": True,
                          "stunted_or_underweight": False}],
             "housing": {"area_m2": 15.9, "quality": "durable", "safe_water": True, "hygienic_latrine": True,
                         "uses_telecom": True, "waste_treated": False}}
    code, out, _ = run(capsys, "--lang", "en", "classify", "-", stdin=json.dumps(facts), monkeypatch=monkeypatch)
    result = json.loads(out)
    assert code == EXIT_OK
    assert result["classification"] == "poor"
    assert set(result["deprived"]) == {"employment", "health_insurance", "housing_area", "waste"}
    assert "Sơn Thị Sa Rươl" in result["reasons"]["employment"]
    assert "information_devices" not in result["reasons"]


@pytest.mark.parametrize(("facts", "field"), [
    (dict(POOR, indicators={"foo": True}), "indicators.foo"),
    (dict(POOR, income_per_capita=-1), "income_per_capita"),
    (dict(POOR, members=[{"age": 200}]), "members[0].age"),
    (dict(POOR, members=[{"age": "forty"}]), "members[0].age"),
    (dict(POOR, area="suburban"), "area"),
    (dict(POOR, standard="2031-2035"), "standard"),
    (dict(POOR, indicators={"waste": True}), "indicators.waste"),
])
def test_classify_bad_input_exits_2_with_one_line_naming_the_field(capsys, monkeypatch, facts, field):
    code, out, err = run(capsys, "classify", "-", stdin=json.dumps(facts), monkeypatch=monkeypatch)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert f" {field}: " in lines[0]


def test_classify_not_json_and_missing_file(capsys, monkeypatch, tmp_path):
    code, _, err = run(capsys, "classify", "-", stdin="{not json", monkeypatch=monkeypatch)
    assert code == EXIT_BAD_INPUT and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "classify", str(tmp_path / "nope.json"))
    assert code == EXIT_BAD_INPUT and "nope.json" in err


def test_demo_then_households_json_and_search(capsys, tmp_path):
    home = str(tmp_path / "data")
    code, out, _ = run(capsys, "--home", home, "demo", "--households", "120", "--seed", "7")
    assert code == EXIT_OK and "120" in out
    code, out, _ = run(capsys, "--home", home, "households", "--json")
    rows = json.loads(out)
    assert len(rows) == 120
    assert set(rows[0]) >= {"code", "head", "hamlet", "classification", "members"}
    assert {r["classification"] for r in rows} >= {"poor", "not_poor"}
    code, out, _ = run(capsys, "--home", home, "households", "--search", "nguyen van duc", "--json")
    found = json.loads(out)
    assert any(r["head"] == "Nguyễn Văn Đức" for r in found)
    assert len(found) < 120
    code, out, err = run(capsys, "--home", home, "households", "--search", "nguyen van duc")
    assert code == EXIT_OK and "Nguyễn Văn Đức" in out


def test_demo_same_seed_same_data(capsys, tmp_path):
    outs = []
    for name in ("a", "b"):
        home = str(tmp_path / name)
        run(capsys, "--home", home, "demo", "--households", "60", "--seed", "3")
        _, out, _ = run(capsys, "--home", home, "households", "--json")
        outs.append(json.loads(out))
    assert outs[0] == outs[1]


def test_bad_option_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["households", "--bogus"])
    assert e.value.code == EXIT_BAD_INPUT
    code, _, err = run(capsys, "demo", "--households", "0")
    assert code == EXIT_BAD_INPUT and "--households" in err


def test_console_script_is_installed(tmp_path):
    exe = Path(sys.executable).with_name("povcase")
    proc = subprocess.run([str(exe), "--home", str(tmp_path / "h"), "classify", "-"], input=json.dumps(POOR),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["classification"] == "poor"
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.stdout.startswith("povcase ")


def test_vietnamese_error_by_default(capsys, monkeypatch):
    code, _, err = run(capsys, "classify", "-", stdin=json.dumps(dict(POOR, income_per_capita=-1)),
                       monkeypatch=monkeypatch)
    # Vietnamese first, English in brackets: officers read the first, support the second.
    assert code == EXIT_BAD_INPUT
    assert "(Cannot be negative)" in err
    assert err.index("(Cannot be negative)") > err.index("income_per_capita: ") + len("income_per_capita: ")
