#!/usr/bin/env bash
# The production topology on this one machine, with real components, loopback only:
#
#   nginx (HTTPS, self-signed certificate made at start)  :${CLUSTER_HTTPS_PORT}
#     → two gunicorn web processes                        :${WEB1_PORT} :${WEB2_PORT}
#       → pgbouncer (transaction pooling)                  :${PGBOUNCER_PORT}
#         → PostgreSQL (its own cluster made by initdb)    :${PG_PORT}
#       → Redis, its own two instances: cache             :${REDIS_PORT}
#                                        Celery broker     :${BROKER_PORT}
#       → moto_server (S3-compatible object store)          :${S3_PORT}
#   two Celery workers and one beat, on the same database, broker and store.
#
# Everything runs with config.settings.production and lives in $CLUSTER_DIR; nothing of the
# machine's own PostgreSQL, Redis or RabbitMQ is touched. Usage:
#
#   ops/cluster.sh start          start everything (stops what it started if a step fails)
#   ops/cluster.sh stop           stop everything and delete $CLUSTER_DIR
#   ops/cluster.sh status         which processes run
#   ops/cluster.sh env            the environment of the cluster's processes (to `eval`)
#   ops/cluster.sh kill NAME      SIGKILL one process (web1, web2, worker1, worker2, beat, …)
#   ops/cluster.sh start-one NAME start one process again
#   ops/cluster.sh pause|resume NAME   SIGSTOP / SIGCONT (the object store: moto keeps its files
#                                       in memory, so it is paused, never killed)
#   ops/cluster.sh pg-restart     restart the cluster's PostgreSQL (fast shutdown)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CLUSTER_DIR=${CLUSTER_DIR:-/tmp/partenariats-cluster}
PG_PORT=${PG_PORT:-55432}
PGBOUNCER_PORT=${PGBOUNCER_PORT:-56432}
REDIS_PORT=${REDIS_PORT:-56379}
BROKER_PORT=${BROKER_PORT:-56380}
S3_PORT=${S3_PORT:-55000}
WEB1_PORT=${WEB1_PORT:-58001}
WEB2_PORT=${WEB2_PORT:-58002}
CLUSTER_HTTPS_PORT=${CLUSTER_HTTPS_PORT:-58443}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
VENV=$ROOT/.venv
RUN=$CLUSTER_DIR/run
LOG=$CLUSTER_DIR/log
DB=partenariats

# PostgreSQL and pgbouncer refuse to run as root: as root, they run as the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_env() {
  cat <<EOF
export DJANGO_SETTINGS_MODULE='config.settings.production'
export SECRET_KEY='cluster-$(cat "$CLUSTER_DIR/secret" 2>/dev/null || echo unset)'
export ALLOWED_HOSTS='127.0.0.1,localhost'
export SITE_URL='https://127.0.0.1:$CLUSTER_HTTPS_PORT'
export DATABASE_URL='postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/$DB'
export DATABASE_TRANSACTION_POOLING='true'
export POSTGRES_JIT_OFF='false'
export CONN_MAX_AGE='0'
export CACHE_URL='redis://127.0.0.1:$REDIS_PORT/1'
export CELERY_BROKER_URL='redis://127.0.0.1:$BROKER_PORT/0'
export STORAGE_URL='s3://partenariats/files?endpoint_url=http://127.0.0.1:$S3_PORT&region=eu-west-3'
export AWS_ACCESS_KEY_ID='cluster'
export AWS_SECRET_ACCESS_KEY='cluster'
export EMAIL_BACKEND='django.core.mail.backends.filebased.EmailBackend'
export EMAIL_FILE_PATH='$CLUSTER_DIR/mail'
export MFA_REQUIRED_FOR_STAFF='false'
export LOG_LEVEL='WARNING'
export OUTBOX_WAITING_SECONDS='${OUTBOX_WAITING_SECONDS:-60}'
export CLUSTER_DIR='$CLUSTER_DIR'
export CLUSTER_URL='https://127.0.0.1:$CLUSTER_HTTPS_PORT'
export CLUSTER_DIRECT_DATABASE_URL='postgres://postgres@127.0.0.1:$PG_PORT/$DB'
EOF
}

# Each long-running process: its command line, run in its own session, pid in $RUN/NAME.pid.
command_of() {
  case "$1" in
    redis) echo "redis-server --bind 127.0.0.1 --port $REDIS_PORT --appendonly no --dir $CLUSTER_DIR/redis-cache --daemonize no" ;;
    # The broker keeps its queues on disk (append-only file): a restart loses no task.
    broker) echo "redis-server --bind 127.0.0.1 --port $BROKER_PORT --appendonly yes --appendfsync everysec --dir $CLUSTER_DIR/redis-broker --daemonize no" ;;
    s3) echo "$VENV/bin/moto_server -H 127.0.0.1 -p $S3_PORT" ;;
    web1) echo "$VENV/bin/gunicorn config.wsgi -b 127.0.0.1:$WEB1_PORT -w 2 --timeout 30 --graceful-timeout 5 -n web1" ;;
    web2) echo "$VENV/bin/gunicorn config.wsgi -b 127.0.0.1:$WEB2_PORT -w 2 --timeout 30 --graceful-timeout 5 -n web2" ;;
    worker1 | worker2) echo "$VENV/bin/celery -A config worker -n $1@%h --concurrency 1 --loglevel INFO --without-mingle --without-gossip" ;;
    beat) echo "$VENV/bin/celery -A config beat --loglevel INFO --pidfile=" ;;
    pgbouncer) echo "pgbouncer $CLUSTER_DIR/pgbouncer.ini" ;;
    *) echo "unknown process $1" >&2; return 1 ;;
  esac
}

start_one() {
  local name=$1 cmd
  cmd=$(command_of "$name")
  eval "$(cluster_env)"
  if [ "$name" = pgbouncer ]; then
    # shellcheck disable=SC2086
    setsid runuser -u postgres -- $cmd >>"$LOG/$name.log" 2>&1 </dev/null &
  elif [[ $name == worker* || $name == beat ]]; then
    # Supervised, as systemd's Restart=always would: a worker that exits on its own (kombu can
    # give up on a broker that comes back: "Unrecoverable error") is started again. Killing the
    # process group (kill NAME, stop) ends the loop with it.
    setsid bash -c "while :; do $cmd; echo \"cluster: $name exited (\$?); again in 1 s\"; sleep 1; done" \
      >>"$LOG/$name.log" 2>&1 </dev/null &
  else
    # shellcheck disable=SC2086
    setsid $cmd >>"$LOG/$name.log" 2>&1 </dev/null &
  fi
  echo $! >"$RUN/$name.pid"
}

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

wait_for() {  # wait_for WHAT SECONDS COMMAND…
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "cluster: $what did not come up in ${seconds}s; its log:" >&2
  tail -20 "$LOG/$what.log" >&2 2>/dev/null || true
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

stop_all() {
  # Reverse order of start; each process by its own pid (its session: gunicorn's and celery's
  # children go with it). Nothing is stopped by name.
  local name pid
  if [ -f "$RUN/nginx.pid" ]; then
    kill -QUIT "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
  fi
  for name in beat worker2 worker1 web2 web1 s3 pgbouncer broker redis; do
    pid=$(pid_of "$name")
    [ -n "$pid" ] || continue
    kill -CONT -- "-$pid" 2>/dev/null || true
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 40); do
    local any=0
    for name in beat worker2 worker1 web2 web1 s3 pgbouncer broker redis; do
      alive "$name" && any=1
    done
    [ $any = 0 ] && break
    sleep 0.25
  done
  for name in beat worker2 worker1 web2 web1 s3 pgbouncer broker redis; do
    pid=$(pid_of "$name")
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ -f "$CLUSTER_DIR/pg/PG_VERSION" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$CLUSTER_DIR"
}

start_all() {
  [ -x "$VENV/bin/gunicorn" ] || { echo "cluster: run make install-dev first" >&2; exit 1; }
  [ -x "$VENV/bin/moto_server" ] || { echo "cluster: moto_server missing (make install-dev)" >&2; exit 1; }
  for tool in nginx pgbouncer redis-server openssl curl "$PG_BIN/initdb"; do
    command -v "$tool" >/dev/null || { echo "cluster: $tool is missing (apt-get install nginx-light pgbouncer redis-server postgresql)" >&2; exit 1; }
  done
  if [ -d "$CLUSTER_DIR" ]; then
    echo "cluster: $CLUSTER_DIR exists: a cluster runs already (make cluster-stop)" >&2
    exit 1
  fi
  for port in $PG_PORT $PGBOUNCER_PORT $REDIS_PORT $BROKER_PORT $S3_PORT $WEB1_PORT $WEB2_PORT $CLUSTER_HTTPS_PORT; do
    port_free "$port" || { echo "cluster: port $port is taken" >&2; exit 1; }
  done
  # From here, any failure stops what was started.
  trap 'echo "cluster: start failed; stopping what was started" >&2; stop_all' EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$RUN" "$LOG" "$CLUSTER_DIR/mail" "$CLUSTER_DIR/nginx"
  chmod 755 "$CLUSTER_DIR"
  head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$CLUSTER_DIR/secret"

  echo "cluster: PostgreSQL on $PG_PORT (own cluster in $CLUSTER_DIR/pg)"
  mkdir -p "$CLUSTER_DIR/pg" "$CLUSTER_DIR/pgsock"
  touch "$LOG/postgres.log" "$LOG/initdb.log" "$LOG/pgbouncer.log" "$LOG/pgbouncer-own.log"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$CLUSTER_DIR/pg" "$CLUSTER_DIR/pgsock" "$LOG/postgres.log" "$LOG/pgbouncer.log" "$LOG/pgbouncer-own.log"
    chmod 700 "$CLUSTER_DIR/pg"
  fi
  as_postgres "$PG_BIN/initdb" -D "$CLUSTER_DIR/pg" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$LOG/initdb.log" 2>&1
  as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg" -l "$LOG/postgres.log" -w -t 30 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $CLUSTER_DIR/pgsock -c max_connections=60 -c shared_buffers=64MB -c fsync=on" start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $DB"
  # pgbouncer refuses the `options` start-up parameter: JIT is turned off on the server.
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "ALTER DATABASE $DB SET jit = off"

  echo "cluster: pgbouncer on $PGBOUNCER_PORT (transaction pooling)"
  printf '"postgres" ""\n' >"$CLUSTER_DIR/pgbouncer.users"
  cat >"$CLUSTER_DIR/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$PG_PORT dbname=$DB user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $CLUSTER_DIR/pgbouncer.users
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
reserve_pool_size = 5
server_login_retry = 1
# A server connection is checked (SELECT 1) before it is handed out: after a restart of
# PostgreSQL, the broken ones are dropped instead of failing one transaction each.
server_check_delay = 0
server_check_query = select 1
query_wait_timeout = 10
logfile = $LOG/pgbouncer-own.log
ignore_startup_parameters = extra_float_digits
EOF
  start_one pgbouncer
  wait_for pgbouncer 15 "$PG_BIN/psql" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d $DB -qtAc "SELECT 1"

  echo "cluster: Redis on $REDIS_PORT (cache) and $BROKER_PORT (Celery broker)"
  mkdir -p "$CLUSTER_DIR/redis-cache" "$CLUSTER_DIR/redis-broker"
  start_one redis
  start_one broker
  wait_for redis 15 redis-cli -p "$REDIS_PORT" ping
  wait_for broker 15 redis-cli -p "$BROKER_PORT" ping

  echo "cluster: S3-compatible store (moto_server) on $S3_PORT"
  start_one s3
  wait_for s3 30 http_ok "http://127.0.0.1:$S3_PORT/moto-api/"

  eval "$(cluster_env)"
  echo "cluster: migrations, bucket, static files"
  DATABASE_URL=$CLUSTER_DIRECT_DATABASE_URL "$VENV/bin/python" manage.py migrate --noinput >"$LOG/migrate.log"
  "$VENV/bin/python" - <<'EOF'
import os
import boto3
s3 = boto3.client("s3", endpoint_url=os.environ["STORAGE_URL"].split("endpoint_url=")[1].split("&")[0],
                  region_name="eu-west-3")
s3.create_bucket(Bucket="partenariats", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
# Private: no public access, whatever an object's ACL says.
s3.put_public_access_block(Bucket="partenariats", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True,
    "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
EOF
  [ -f staticfiles/staticfiles.json ] || "$VENV/bin/python" manage.py collectstatic --noinput >"$LOG/collectstatic.log"

  echo "cluster: web1 on $WEB1_PORT, web2 on $WEB2_PORT (gunicorn), two workers and beat"
  start_one web1
  start_one web2
  start_one worker1
  start_one worker2
  start_one beat
  wait_for web1 60 http_ok "http://127.0.0.1:$WEB1_PORT/healthz"
  wait_for web2 60 http_ok "http://127.0.0.1:$WEB2_PORT/healthz"

  echo "cluster: nginx (HTTPS) on $CLUSTER_HTTPS_PORT"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$CLUSTER_DIR/nginx/key.pem" -out "$CLUSTER_DIR/nginx/cert.pem" 2>/dev/null
  cat >"$CLUSTER_DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $RUN/nginx.pid;
error_log $LOG/nginx-error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 512; }
http {
  access_log $LOG/nginx-access.log;
  client_body_temp_path $CLUSTER_DIR/nginx/body;
  proxy_temp_path $CLUSTER_DIR/nginx/proxy;
  fastcgi_temp_path $CLUSTER_DIR/nginx/fastcgi;
  uwsgi_temp_path $CLUSTER_DIR/nginx/uwsgi;
  scgi_temp_path $CLUSTER_DIR/nginx/scgi;
  client_max_body_size 12m;
  upstream web {
    server 127.0.0.1:$WEB1_PORT max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$WEB2_PORT max_fails=1 fail_timeout=5s;
    keepalive 8;
  }
  server {
    listen 127.0.0.1:$CLUSTER_HTTPS_PORT ssl;
    server_name 127.0.0.1 localhost;
    ssl_certificate $CLUSTER_DIR/nginx/cert.pem;
    ssl_certificate_key $CLUSTER_DIR/nginx/key.pem;
    location / {
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      # A refused connection (a web process down) goes to the other one, even for a POST:
      # nothing was sent. A POST cut after it was sent is not replayed (it may have been done).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 35s;
    }
  }
}
EOF
  nginx -c "$CLUSTER_DIR/nginx/nginx.conf" -p "$CLUSTER_DIR/nginx" -e "$LOG/nginx-error.log"
  wait_for nginx-error 15 curl -fsSk -o /dev/null --max-time 2 "https://127.0.0.1:$CLUSTER_HTTPS_PORT/healthz"
  trap - EXIT INT TERM
  echo "cluster: up at https://127.0.0.1:$CLUSTER_HTTPS_PORT (self-signed); logs in $LOG"
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all; echo "cluster: stopped" ;;
  env) cluster_env ;;
  status)
    for name in pgbouncer redis broker s3 web1 web2 worker1 worker2 beat; do
      if alive "$name"; then echo "$name: running ($(pid_of "$name"))"; else echo "$name: stopped"; fi
    done ;;
  kill) pid=$(pid_of "$2"); [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" ;;
  start-one) start_one "$2" ;;
  pause) kill -STOP -- "-$(pid_of "$2")" ;;
  resume) kill -CONT -- "-$(pid_of "$2")" ;;
  stop-one) pid=$(pid_of "$2"); kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done ;;
  pg-restart) as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg" -l "$LOG/postgres.log" -m fast -w -t 30 restart \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $CLUSTER_DIR/pgsock -c max_connections=60 -c shared_buffers=64MB" >/dev/null ;;
  *) sed -n '2,25p' "$0" >&2; exit 2 ;;
esac
