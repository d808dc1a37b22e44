#!/usr/bin/env bash
# A throwaway PostgreSQL server for the SQL tests (test:sql), on 127.0.0.1 only.
#
#   bash scripts/postgres.sh start DIR   installs the Debian `postgresql` package if missing
#                                        (apt-get, idempotent), initdb's a cluster in DIR, starts
#                                        `postgres` on a free 127.0.0.1 port as its own process and
#                                        prints `PGPORT=<port> PGPID=<pid> PGUSER=postgres`
#   bash scripts/postgres.sh stop DIR    stops that server by its pid and removes DIR
#
# As root (CI), the server runs as the `postgres` user the package creates (PostgreSQL refuses
# to run as root). Trust authentication: the server only listens on 127.0.0.1 and lives for one
# test run.
set -euo pipefail

log() { echo "[postgres] $*" >&2; }
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

case "$cmd" in
  start)
    if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/initdb" ]; then
      log "installing the Debian postgresql package (apt-get)"
      SUDO=""
      [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    BIN="$(bin_dir)"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    log "initdb in $dir ($("$BIN/postgres" --version))"
    as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
    port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
    # Its own process (new session), logging into DIR; sockets in DIR, TCP on 127.0.0.1 only.
    as_owner setsid "$BIN/postgres" -D "$dir/data" -h 127.0.0.1 -p "$port" -k "$dir" -c fsync=off -c full_page_writes=off \
      >"$dir/postgres.log" 2>&1 < /dev/null &
    for _ in $(seq 1 100); do
      if [ -f "$dir/data/postmaster.pid" ] && "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
      sleep 0.1
    done
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || { log "server did not start:"; cat "$dir/postgres.log" >&2; exit 1; }
    pid="$(head -n 1 "$dir/data/postmaster.pid")"
    log "listening on 127.0.0.1:$port (pid $pid)"
    echo "PGPORT=$port PGPID=$pid PGUSER=postgres"
    ;;
  stop)
    pidfile="$dir/data/postmaster.pid"
    if [ -f "$pidfile" ]; then
      pid="$(head -n 1 "$pidfile")"
      kill -INT "$pid" 2>/dev/null || true # fast shutdown
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
      log "stopped pid $pid"
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2; exit 2;;
esac
