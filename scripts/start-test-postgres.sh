# Source this file: starts a throwaway PostgreSQL cluster on 127.0.0.1 and exports
# SOZIALMONITOR_TEST_PG_URL. The cluster is stopped and removed when the shell exits.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=${SOZIALMONITOR_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
pg_dir=$(mktemp -d /tmp/sozialmonitor-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$pg_dir"
  pg_run() { runuser -u postgres -- "$@"; }
else
  pg_run() { "$@"; }
fi
pg_run "$pg_bin/initdb" -D "$pg_dir/data" -U sozialmonitor -A trust -E UTF8 >/dev/null
pg_run "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
pg_run "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U sozialmonitor sozialmonitor_test
export SOZIALMONITOR_TEST_PG_URL="postgresql+psycopg://sozialmonitor@127.0.0.1:$pg_port/sozialmonitor_test"
trap 'pg_run "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
echo "PostgreSQL for the tests: $SOZIALMONITOR_TEST_PG_URL"
