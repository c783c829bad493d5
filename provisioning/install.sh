#!/bin/sh
# Install or upgrade Kyusui on this machine (run as root):
#   install.sh station [--wheel FILE | --source DIR] [--kiosk] BUNDLE [--sensor fake] [--wait S]
#   install.sh server  [--wheel FILE | --source DIR] --broker-host NAME [--broker-port N] ...
# Raspberry Pi OS Lite (Bookworm or Trixie) or Debian 12/13. Creates /opt/kyusui/venv,
# installs the role's Python packages into it, then hands over to `kyusui-provision
# install-station` or `install-server`, which set up the user, files and units and start them.
set -eu

VENV=/opt/kyusui/venv
here=$(cd "$(dirname "$0")" && pwd)
role=${1:-}
case "$role" in
    station|server) shift ;;
    *) echo "usage: install.sh station|server [options]" >&2; exit 2 ;;
esac
package=""
extras=$role
while [ $# -gt 0 ]; do
    case "$1" in
        --wheel|--source) package=$2; shift 2 ;;
        --kiosk) extras=station,kiosk; shift ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
if [ "$role" = station ] && [ $# -lt 1 ]; then
    echo "usage: install-station [--wheel FILE | --source DIR] [--kiosk] BUNDLE [options]" >&2
    exit 2
fi
if [ -z "$package" ]; then
    if [ -f "$here/../pyproject.toml" ]; then
        package=$(cd "$here/.." && pwd)  # run from a checkout
    else
        echo "install-$role: give --wheel kyusui-….whl or --source DIR" >&2
        exit 2
    fi
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-$role: run as root (sudo)" >&2
    exit 1
fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    apt-get install -y -q python3-venv
fi
if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$package[$extras]"
# The same version again (a rebuilt wheel, a checkout with new commits) still replaces the code.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$package"
exec "$VENV/bin/kyusui-provision" "install-$role" "$@"
