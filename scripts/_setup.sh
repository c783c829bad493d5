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

# ensure_venv: create .venv and install the project with $KYUSUI_EXTRAS, skipping the install
# when pyproject.toml is unchanged and the extras installed already include these.
ensure_venv() {
    check_python
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON_BIN" -m venv "$VENV" 2>/dev/null; then
            apt_install python3-venv
            "$PYTHON_BIN" -m venv "$VENV"
        fi
    fi
    local stamp="$VENV/.kyusui-installed" digest installed="" missing=""
    digest=$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$digest" ]; then
        installed=$(sed -n 2p "$stamp")
    fi
    for extra in ${KYUSUI_EXTRAS//,/ }; do
        case ",$installed," in *",$extra,"*) ;; *) missing="$missing,$extra" ;; esac
    done
    [ -z "$missing" ] && return 0
    local wanted="${installed:+$installed}$missing"
    wanted=${wanted#,}
    say "Installing Python packages into .venv ($wanted)…"
    local log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install -q --upgrade pip \
            && "$VENV/bin/python" -m pip install -q -e "$ROOT[$wanted]"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        say "Installing Python packages failed; the whole log is $log"
        exit 1
    fi
    printf '%s\n%s\n' "$digest" "$wanted" > "$stamp"
}

# ensure_front_end: the staff console's npm packages (package.json + package-lock.json at the
# root), installed with `npm ci` into node_modules when the lock file changed. No build step:
# the API serves the installed files. Node and npm come from apt when missing (Debian 12's 18
# is enough). Install scripts are not run: none of these packages needs one.
ensure_front_end() {
    local lock="$ROOT/package-lock.json" stamp="$ROOT/node_modules/.kyusui-lock" digest
    [ -f "$lock" ] || return 0
    if ! command -v npm >/dev/null; then
        apt_install nodejs npm || exit 1  # Debian packages npm apart from nodejs
    fi
    digest=$(sha256sum "$lock" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        return 0
    fi
    say "Installing the console's front-end packages (npm ci)…"
    local log="$ROOT/.npm-install.log"
    if ! (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund) >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        say "npm ci failed; the whole log is $log"
        exit 1
    fi
    printf '%s\n' "$digest" > "$stamp"
}
