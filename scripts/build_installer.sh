#!/usr/bin/env bash
# Release build of povcase: venv -> pip install -e .[build] -> check the translations compile ->
# PyInstaller (build_installer.spec, one folder: dist/povcase/) -> smoke tests of the frozen app.
#
#   scripts/build_installer.sh            full build + smoke tests
#   SKIP_INSTALL=1 scripts/build_installer.sh    use the venv as it is (offline machine)
#   SKIP_BUILD=1   scripts/build_installer.sh    only re-run the smoke tests on dist/povcase
#   PYTHON=/path/to/python3.12 ...               interpreter for a new venv
#
# Linux, and Windows under Git Bash (.venv/Scripts, povcase.exe). Output: dist/povcase/ (git-ignored),
# PyInstaller's work files in build/build_installer/. Exit status non-zero if any step or check fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'build_installer: FAILED: %s\n' "$*" >&2; exit 1; }

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) WINDOWS=1; VENV_BIN="$ROOT/.venv/Scripts"; EXE_SUFFIX=".exe" ;;
  *) WINDOWS=0; VENV_BIN="$ROOT/.venv/bin"; EXE_SUFFIX="" ;;
esac
VPY="$VENV_BIN/python$EXE_SUFFIX"

# --- 1. virtualenv ------------------------------------------------------------------------------
find_python() {
  local cand
  for cand in ${PYTHON:-} python3.13 python3.12 python3 python py; do
    command -v "$cand" >/dev/null 2>&1 || continue
    if [ "$cand" = py ]; then cand="py -3"; fi
    if $cand -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$cand"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$VPY" ] || ! "$VPY" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  say "creating .venv"
  PY="$(find_python)" || fail "Python 3.12 or newer is needed (set PYTHON=...)"
  rm -rf "$ROOT/.venv"
  $PY -m venv "$ROOT/.venv"
  "$VPY" -m pip install -q --upgrade pip
fi

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  say "installing povcase[build] into .venv"
  "$VPY" -m pip install -q -e ".[build]"
fi
"$VPY" -m PyInstaller --version >/dev/null 2>&1 || fail "PyInstaller is not installed in .venv (pip install -e '.[build]')"

# --- 2. translations: fail early on a broken catalog (the spec compiles the shipped .mo itself,
#        into build/build_installer/translations, so nothing is written to the source tree) -------
say "checking translation catalogs"
"$VPY" - <<'EOF'
import io, sys
from pathlib import Path
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

pos = sorted(Path("translations").glob("*/LC_MESSAGES/povcase.po"))
for po in pos:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=po.parent.parent.name, abort_invalid=True)
    write_mo(io.BytesIO(), catalog, use_fuzzy=False)
    done = sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
    total = sum(1 for m in catalog if m.id)
    print(f"  {po}: {done}/{total} translated")
if not pos:
    print("  no catalogs: the app will run in English", file=sys.stderr)
EOF

# --- 3. PyInstaller -----------------------------------------------------------------------------
DIST="$ROOT/dist/povcase"
APP="$DIST/povcase$EXE_SUFFIX"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "PyInstaller (build_installer.spec)"
  start=$(date +%s)
  "$VPY" -m PyInstaller --noconfirm --clean build_installer.spec
  BUILD_SECONDS=$(( $(date +%s) - start ))
fi
[ -x "$APP" ] || fail "$APP was not built"
if [ "$WINDOWS" = 1 ]; then
  [ -f "$DIST/povcase-gui.exe" ] || fail "$DIST/povcase-gui.exe (windowed) was not built"
fi

# --- 4. smoke tests of the frozen app -----------------------------------------------------------
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export POVCASE_HOME="$TMP/default-home"   # never touch the release manager's real data folder

say "smoke: --version"
want="povcase $("$VPY" -c 'import povcase; print(povcase.__version__)')"
got="$("$APP" --version)"
[ "$got" = "$want" ] || fail "--version printed '$got', expected '$want'"
echo "  $got"

say "smoke: classify from stdin"
echo '{"standard":"2022-2026","area":"rural","income_per_capita":1400000,"indicators":{"water":true,"latrine":true,"telecom":true}}' \
  | "$APP" classify - >"$TMP/classify.json"
"$VPY" -c 'import json, sys; c = json.load(open(sys.argv[1], encoding="utf-8"))["classification"]; print("  classification:", c); sys.exit(c != "poor")' \
  "$TMP/classify.json" || fail "classify did not say poor: $(cat "$TMP/classify.json")"
set +e
echo '{not json' | "$APP" classify - 2>"$TMP/bad.err" >/dev/null
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad JSON should exit 2, got $rc: $(cat "$TMP/bad.err")"
echo "  bad input -> exit 2: $(cat "$TMP/bad.err")"

say "smoke: households on a new register (Alembic migrations from the bundle)"
HOME1="$TMP/home1"
"$APP" --home "$HOME1" households --json >"$TMP/households.json"
"$VPY" - "$HOME1/povcase.sqlite3" "$TMP/households.json" <<'EOF' || fail "the register was not migrated to head"
import json, sqlite3, sys
from povcase.db.migrate import head_revision

db = sqlite3.connect(sys.argv[1])
tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
version = db.execute("select version_num from alembic_version").fetchall()
rows = json.load(open(sys.argv[2], encoding="utf-8"))
print(f"  {len(tables)} tables, alembic_version {version}, head {head_revision()}, {len(rows)} households")
missing = {"commune", "hamlet", "household", "member", "assessment", "audit_log"} - tables
sys.exit(bool(missing) or version != [(head_revision(),)] or rows != [])
EOF

if [ -f "$ROOT/povcase/services/demo.py" ]; then
  say "smoke: demo --households 200"
  HOME2="$TMP/home2"
  "$APP" --home "$HOME2" demo --households 200
  n="$("$APP" --home "$HOME2" households --json | "$VPY" -c 'import json, sys; print(len(json.load(sys.stdin)))')"
  [ "$n" = 200 ] || fail "demo made $n households, expected 200"
  "$APP" --home "$HOME2" households --search "nguyen" --limit 3
fi

gui_check() {  # gui_check LABEL [launcher...]: the window must stay up until `timeout` kills it
  local label="$1"; shift
  local home="$TMP/gui-$label" rc
  set +e
  "$@" timeout 10 "$APP" --home "$home" >"$TMP/gui-$label.out" 2>"$TMP/gui-$label.err"
  rc=$?
  set -e
  if [ -s "$TMP/gui-$label.err" ]; then sed 's/^/  stderr: /' "$TMP/gui-$label.err"; fi
  [ "$rc" = 124 ] || fail "GUI ($label) exited with $rc before the timeout"
  if grep -q "Traceback" "$TMP/gui-$label.err"; then fail "GUI ($label) printed a traceback"; fi
  if grep -qE "Traceback|CRITICAL|ERROR" "$home/logs/povcase.log"; then
    cat "$home/logs/povcase.log" >&2
    fail "GUI ($label) logged an error"
  fi
  echo "  $label: up for 10 s, killed by timeout (exit 124), clean log"
}

say "smoke: GUI (QT_QPA_PLATFORM=offscreen)"
gui_check offscreen env QT_QPA_PLATFORM=offscreen
if [ "$WINDOWS" = 0 ] && command -v xvfb-run >/dev/null 2>&1; then
  say "smoke: GUI under Xvfb"
  gui_check xvfb env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1280x800x24"
fi

# --- 5. summary ---------------------------------------------------------------------------------
say "done"
echo "  dist:  $DIST ($(du -sh "$DIST" | cut -f1))"
if [ -n "${BUILD_SECONDS:-}" ]; then echo "  PyInstaller: ${BUILD_SECONDS} s"; fi
echo "  all smoke tests passed"
