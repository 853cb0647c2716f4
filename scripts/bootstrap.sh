#!/usr/bin/env bash
# Installs what povcase needs on a Debian/Ubuntu machine (system libraries for Qt, once, if missing and
# we are allowed to), then a Python >= 3.12 virtualenv in .venv with povcase and the given extras.
# Sourced by scripts/run and scripts/test; safe to run again (it only installs what is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRAS="${1:-}"

QT_DEBS="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 \
libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 poppler-utils"

missing_debs() {
  command -v dpkg-query >/dev/null || return 0
  local pkg
  for pkg in $QT_DEBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
  done
}

if command -v apt-get >/dev/null; then
  need="$(missing_debs)"
  if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi
    if [ "$SUDO" = none ]; then
      echo "povcase: please install these Debian packages first: $need" >&2
    else
      echo "povcase: installing system libraries for Qt: $need" >&2
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
    fi
  fi
fi

find_python() {
  local cand v
  for cand in python3.13 python3.12 python3; do
    if command -v "$cand" >/dev/null; then
      v="$("$cand" -c 'import sys; print(sys.version_info >= (3, 12))' 2>/dev/null || true)"
      [ "$v" = True ] && { command -v "$cand"; return; }
    fi
  done
  if command -v pyenv >/dev/null; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' | sort -V -r); do
      cand="$(pyenv prefix "$v")/bin/python"
      [ -x "$cand" ] && { echo "$cand"; return; }
    done
  fi
  return 1
}

VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  PY="$(find_python)" || { echo "povcase: Python 3.12 or newer is needed (PySide6 6.12 aborts on 3.11)" >&2; exit 1; }
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
stamp="$VENV/.installed-$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-${EXTRAS:-none}"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/python" -m pip install -q -e "$ROOT${EXTRAS:+[$EXTRAS]}"
  touch "$stamp"
fi
# Compiled catalogs are build outputs (git-ignored); the app also compiles them in memory if absent.
"$VENV/bin/python" -m povcase.i18n compile >/dev/null
