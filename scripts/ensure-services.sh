#!/usr/bin/env bash
# Makes sure the services pru_cases needs are installed and running on this machine:
# PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379, WeasyPrint's Pango libraries and fonts,
# Node's npm (to fetch Bootstrap and htmx), and with --browser, Chromium for the browser tests.
# Installs missing Debian packages with apt-get (as root, or through sudo).
set -euo pipefail

want_browser=false
[ "${1:-}" = "--browser" ] && want_browser=true

say() { printf '==> %s\n' "$*"; }
die() { printf 'pru_cases: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="__none__"; fi
fi

packages=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need_pkg() { have_pkg "$1" || packages+=("$1"); }

need_pkg postgresql
need_pkg redis-server
need_pkg libpango-1.0-0
need_pkg libpangoft2-1.0-0
need_pkg libharfbuzz-subset0
need_pkg fonts-dejavu-core
need_pkg poppler-utils
command -v npm >/dev/null 2>&1 || need_pkg npm
$want_browser && need_pkg chromium

if [ ${#packages[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "install these packages with your package manager, then run make again: ${packages[*]}"
  [ "$SUDO" = "__none__" ] && die "these packages are missing and installing them needs root (no sudo here): ${packages[*]}"
  say "Installing ${packages[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif [ "$SUDO" = "sudo" ]; then sudo "$@"; else die "'$*' needs root."; fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "Starting PostgreSQL"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || die "PostgreSQL is installed but has no cluster: run 'pg_createcluster <version> main' as root."
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || die "PostgreSQL would not start: see /var/log/postgresql/."
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not come up on 127.0.0.1:5432."
fi

# The app connects as postgres/postgres over TCP. A fresh Debian cluster asks for a password there: set it.
if ! PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  say "Setting the postgres user's password for local TCP connections"
  as_postgres "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" \
    || die "cannot connect to PostgreSQL as postgres on 127.0.0.1: set DATABASE_URL to a user that can create databases."
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "Starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/pru-cases-redis.log" >/dev/null
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || die "Redis did not come up on 127.0.0.1:6379."
fi
