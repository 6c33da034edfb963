# Shared by scripts/demo and scripts/test: a virtual environment with pinned packages.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHENGXIN_VENV:-$ROOT/.venv}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
  # install Debian packages when we can (root or password-less sudo); quiet otherwise
  if [ -z "${_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq >/dev/null 2>&1 || return 1
    _APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_venv() {  # ensure_venv requirements-file
  local req="$1" stamp="$VENV/.installed-$(basename "$1")"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; } || {
      echo "cannot create a virtual environment: install python3-venv" >&2; exit 1; }
  fi
  if [ ! -f "$stamp" ] || [ -n "$(find "$ROOT" -maxdepth 1 -name 'requirements*.txt' -newer "$stamp")" ]; then
    echo "==> installing Python packages ($req)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/$req"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
