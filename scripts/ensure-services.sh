#!/usr/bin/env bash
# Make sure Redis, RabbitMQ and PostgreSQL answer on loopback; start any that does not, and fail
# naming the server that still cannot be reached. Ports can be overridden (the test of this
# script points them at closed ports with ENSURE_NO_START=1 to see the failure message).
set -uo pipefail

REDIS_PORT=${ENSURE_REDIS_PORT:-6379}
AMQP_PORT=${ENSURE_AMQP_PORT:-5672}
PG_PORT=${ENSURE_PG_PORT:-5432}
NO_START=${ENSURE_NO_START:-0}

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
redis_up() { port_open "$REDIS_PORT" && [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
rabbit_up() { port_open "$AMQP_PORT"; }
pg_up() { timeout 3 pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; }

wait_until() {  # check-function seconds
  local i
  for ((i = 0; i < $2 * 2; i++)); do "$1" && return 0; sleep 0.5; done
  return 1
}

start() {  # name command...
  local name=$1; shift
  if [ "$NO_START" = "1" ]; then return 0; fi
  echo "$name is not answering; starting it"
  "$@" >/dev/null 2>&1 || true
}

failed=0
if ! redis_up; then
  start Redis redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  [ "$NO_START" = "1" ] || wait_until redis_up 15
  redis_up || { echo "ERROR: Redis is unreachable on 127.0.0.1:$REDIS_PORT" >&2; failed=1; }
fi
if ! rabbit_up; then
  start RabbitMQ rabbitmq-server -detached
  [ "$NO_START" = "1" ] || wait_until rabbit_up 90
  rabbit_up || { echo "ERROR: RabbitMQ is unreachable on 127.0.0.1:$AMQP_PORT" >&2; failed=1; }
fi
if ! pg_up; then
  start PostgreSQL pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql 2>/dev/null | head -1)" main start
  [ "$NO_START" = "1" ] || wait_until pg_up 30
  pg_up || { echo "ERROR: PostgreSQL is unreachable on 127.0.0.1:$PG_PORT" >&2; failed=1; }
fi
if [ "$failed" -eq 0 ]; then
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE test"
  echo "services: Redis, RabbitMQ and PostgreSQL answer on 127.0.0.1"
fi
exit "$failed"
