# Shared set-up for ./scripts/demo and ./scripts/test: sourced, not run.
# Creates .venv when needed and installs the project with the extras named in $KYUSUI_EXTRAS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PYTHON_BIN=${PYTHON:-python3}

say() { printf '%s\n' "$*" >&2; }

check_python() {
    if ! "$PYTHON_BIN" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        say "Kyusui needs Python 3.11 or newer as '$PYTHON_BIN' (set PYTHON=/path/to/python3.11)."
        exit 1
    fi
}

# apt_install PKG…: install the Debian packages that are missing (only as root).
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        say "Missing Debian packages: ${missing[*]}"
        say "Install them with: sudo apt-get install ${missing[*]}"
        return 1
    fi
    say "Installing Debian packages: ${missing[*]}"
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
        apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv: create .venv and install the project with $KYUSUI_EXTRAS, skipping when unchanged.
ensure_venv() {
    check_python
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON_BIN" -m venv "$VENV" 2>/dev/null; then
            apt_install python3-venv
            "$PYTHON_BIN" -m venv "$VENV"
        fi
    fi
    local stamp="$VENV/.kyusui-installed"
    local want
    want="$KYUSUI_EXTRAS $(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "Installing Python packages into .venv ($KYUSUI_EXTRAS)…"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e "$ROOT[$KYUSUI_EXTRAS]"
        echo "$want" > "$stamp"
    fi
}
