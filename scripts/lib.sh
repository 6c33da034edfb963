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

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# start_postgres [DBNAME]: a PostgreSQL server on a free loopback port (as the
# postgres user when we are root: it refuses to run as root), throw-away unless
# PG_KEEP_DIR names a folder to keep it in; sets PG_PORT, PG_BINDIR and PG_DIR.
start_postgres() {
  local dbname="$1"
  local bindir; bindir="$(pg_bindir)"
  if [ -z "$bindir" ]; then
    echo "==> installing PostgreSQL (Debian package)"
    apt_install postgresql || return 1
    bindir="$(pg_bindir)"
  fi
  [ -n "$bindir" ] || return 1
  PG_DIR="${PG_KEEP_DIR:-$(mktemp -d /tmp/chengxin-pg.XXXXXX)}"
  mkdir -p "$PG_DIR"
  PG_PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  local run=()
  if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"; run=(runuser -u postgres --)
  fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    "${run[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
      cat "$PG_DIR/initdb.log" >&2; return 1; }
  fi
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_EXTRA_OPTS--c fsync=off -c synchronous_commit=off -c full_page_writes=off}" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast stop)
  PG_BINDIR="$bindir"
  [ -z "$dbname" ] || "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$dbname" || return 1
}
# stop_postgres: stops the server; removes its files unless PG_KEEP_DIR named them
stop_postgres() {
  if [ -n "${PG_STOP:-}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1; [ -n "${PG_KEEP_DIR:-}" ] || rm -rf "$PG_DIR"; PG_STOP=""
  fi
}


# ensure_pdf_libraries: Pango (WeasyPrint lays out the PDFs with it) and a Chinese font;
# installed when missing and we can (root); PDFs fail loudly without them, nothing else does
ensure_pdf_libraries() {
  if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
    echo "==> installing Pango and fonts-noto-cjk for PDF documents (Debian packages)"
    apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk fontconfig || \
      echo "!!! could not install Pango/fonts-noto-cjk (no root?): PDF documents will not render" >&2
  fi
}
