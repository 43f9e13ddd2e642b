#!/usr/bin/env bash
# The whole suite: SQLite (with Redis and headless Chromium), then again on PostgreSQL 15,
# then the agent's own tests. Starts throwaway servers and stops them on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WORK="$(mktemp -d /tmp/tierline-test.XXXXXX)"
chmod 755 "$WORK"  # the postgres user must reach its data directory inside
PG_BIN=/usr/lib/postgresql/15/bin
CI="${CI:-}"

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cleanup() {
  [ -n "${PG_STARTED:-}" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  for port in "${REDIS_PORTS[@]:-}"; do
    [ -n "$port" ] && redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Install what is missing where we may (CI and fresh machines run as root).
missing=()
[ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)  # the Firefox browser tests (tests/browser/firefox)
command -v npm >/dev/null || missing+=(npm)            # installs their driver, puppeteer-core
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)  # the IMAP server of the mail-poll tests
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} ..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing ${missing[*]}: tests that need them are skipped (install them to run everything)." >&2
  fi
fi
# puppeteer-core drives Debian's Firefox over WebDriver BiDi; it downloads no browser. Installed
# again only when package-lock.json changed since the last install.
FIREFOX_DRIVER=tests/browser/firefox
if command -v npm >/dev/null && [ ! "$FIREFOX_DRIVER/node_modules/.package-lock.json" -nt "$FIREFOX_DRIVER/package-lock.json" ]; then
  npm ci --prefix "$FIREFOX_DRIVER" --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ -n "$CI" ]; then
  export TIERLINE_REQUIRE_SERVICES=1  # in CI a missing server fails the tests instead of skipping them
fi

if [ -x "$PG_BIN/initdb" ]; then
  PG_PORT="$(free_port)"
  mkdir -p "$WORK/pg"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
  chmod 700 "$WORK/pg"
  as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$WORK/pg -c fsync=off -c full_page_writes=off" \
    start >/dev/null
  PG_STARTED=1
  export TIERLINE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/tierline"
fi
# Each suite has its own Redis: the two run side by side, and pub/sub channels span a server's databases.
start_redis() {  # name: starts a server on a free port and adds the port to REDIS_PORTS
  local port; port="$(free_port)"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$WORK" \
    --pidfile "$WORK/redis-$1.pid" --logfile "$WORK/redis-$1.log" --save "" >/dev/null
  REDIS_PORTS+=("$port")
}
REDIS_PORTS=()
if command -v redis-server >/dev/null; then
  start_redis sqlite; SQLITE_REDIS="redis://127.0.0.1:${REDIS_PORTS[0]}/0"
  start_redis pg; PG_REDIS="redis://127.0.0.1:${REDIS_PORTS[1]}/0"
fi
if [ -z "${TIERLINE_TEST_DATABASE_URL:-}" ] && [ -n "$CI" ]; then
  echo "PostgreSQL is required in CI" >&2
  exit 1
fi

# The SQLite suite (with the browser and end-to-end tests) and the PostgreSQL suite run side by
# side, one per core; each one's output is printed whole when it ends.
run_suite() {  # name, log, then the environment and pytest arguments
  local name="$1" log="$2"; shift 2
  if env "$@" >"$log" 2>&1; then echo "ok" >"$log.status"; else echo "failed" >"$log.status"; fi
  echo "== Tierline suite on $name"; cat "$log"
}
run_suite SQLite "$WORK/sqlite.log" TIERLINE_TEST_REDIS_URL="${SQLITE_REDIS:-}" \
  "$BIN/python" -m pytest tests &
SQLITE_PID=$!
if [ -n "${TIERLINE_TEST_DATABASE_URL:-}" ]; then
  run_suite "PostgreSQL 15" "$WORK/pg.log" TIERLINE_TEST_REDIS_URL="${PG_REDIS:-}" \
    DATABASE_URL="$TIERLINE_TEST_DATABASE_URL" "$BIN/python" -m pytest tests -m "not browser and not e2e" &
  PG_PID=$!
fi
wait "$SQLITE_PID" || true
[ -n "${PG_PID:-}" ] && { wait "$PG_PID" || true; }

failed=0
for log in "$WORK"/*.log.status; do
  [ "$(cat "$log")" = ok ] || failed=1
done

if [ -d agent/tests ]; then
  echo "== tierline-agent"
  "$BIN/python" -m pytest agent/tests -q -p no:cacheprovider -p no:django || failed=1
fi
exit "$failed"
