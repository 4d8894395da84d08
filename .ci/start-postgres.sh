#!/usr/bin/env bash
# Starts a throw-away PostgreSQL for the PostgreSQL contract suite and exports
# HEARTBEAT_LEDGER_PG_URL.
#
#   source .ci/start-postgres.sh && start_postgres   # CI: the server stops when the shell exits
#   .ci/start-postgres.sh                            # by hand: prints the export line and how to stop it
#
# The server listens only on 127.0.0.1 on a high port, keeps its socket in its own data
# directory and uses a random password, so it never collides with a system PostgreSQL.
# PostgreSQL refuses to run as root: as root every server command runs as `postgres`.

hbl_pg_install_if_missing() {
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    echo "start-postgres: installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
}

hbl_pg_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((40000 + RANDOM % 20000))
    # A refused connection means nobody listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      echo "${port}"
      return 0
    fi
  done
  echo "start-postgres: no free port found" >&2
  return 1
}

start_postgres() {
  hbl_pg_install_if_missing
  local bin
  bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
  local as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi

  HBL_PG_DATA="$(mktemp -d /tmp/hbl-pg.XXXXXX)"
  local data="${HBL_PG_DATA}"
  mkdir -p "${data}/socket"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "${data}"; fi
  chmod 700 "${data}"

  local port password db
  port="$(hbl_pg_free_port)"
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  db="heartbeat_ledger_test"
  printf '%s\n' "${password}" >"${data}/pwfile"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "${data}/pwfile"; fi

  "${as[@]}" "${bin}/initdb" -D "${data}/pgdata" -U postgres --pwfile="${data}/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"${data}/initdb.log"
  rm -f "${data}/pwfile"
  "${as[@]}" "${bin}/pg_ctl" -D "${data}/pgdata" -l "${data}/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${data}/socket -c fsync=on" >/dev/null
  HBL_PG_PID="$(head -n 1 "${data}/pgdata/postmaster.pid")"
  "${as[@]}" "${bin}/createdb" -h "${data}/socket" -p "${port}" -U postgres "${db}"

  export HEARTBEAT_LEDGER_PG_URL="postgres://postgres:${password}@127.0.0.1:${port}/${db}"
  export HBL_PG_DATA HBL_PG_PID
  echo "start-postgres: PostgreSQL $("${bin}/postgres" --version | awk '{print $3}') pid ${HBL_PG_PID} on 127.0.0.1:${port}" >&2
}

stop_postgres() {
  if [ -n "${HBL_PG_PID:-}" ] && kill -0 "${HBL_PG_PID}" 2>/dev/null; then
    # SIGINT is PostgreSQL's "fast" shutdown: roll back sessions and stop.
    kill -INT "${HBL_PG_PID}"
    for _ in $(seq 1 100); do
      kill -0 "${HBL_PG_PID}" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if [ -n "${HBL_PG_DATA:-}" ]; then rm -rf "${HBL_PG_DATA}"; fi
  HBL_PG_PID=""
  HBL_PG_DATA=""
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  start_postgres
  echo "export HEARTBEAT_LEDGER_PG_URL='${HEARTBEAT_LEDGER_PG_URL}'"
  echo "# stop it with: kill -INT ${HBL_PG_PID} && rm -rf ${HBL_PG_DATA}" >&2
else
  # Sourced (CI): stop the server, by its pid, whenever the calling shell exits.
  trap stop_postgres EXIT
fi
