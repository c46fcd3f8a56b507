#!/usr/bin/env bash
# Make sure Redis, RabbitMQ and PostgreSQL answer on loopback; start any that does not, and fail
# naming the server that still cannot be reached.
set -uo pipefail

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_for() {  # name port seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do port_open "$2" && return 0; sleep 0.5; done
  return 1
}

redis_up() { port_open 6379 && [ "$(timeout 2 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
rabbit_up() { port_open 5672; }
pg_up() { timeout 3 pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

failed=0
if ! redis_up; then
  echo "Redis not answering on 127.0.0.1:6379; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1
  wait_for redis 6379 15; redis_up || { echo "ERROR: Redis (127.0.0.1:6379) is unreachable" >&2; failed=1; }
fi
if ! rabbit_up; then
  echo "RabbitMQ not answering on 127.0.0.1:5672; starting it"
  rabbitmq-server -detached >/dev/null 2>&1
  wait_for rabbitmq 5672 60 || { echo "ERROR: RabbitMQ (127.0.0.1:5672) is unreachable" >&2; failed=1; }
fi
if ! pg_up; then
  echo "PostgreSQL not answering on 127.0.0.1:5432; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "ERROR: PostgreSQL (127.0.0.1:5432) is unreachable" >&2; failed=1; }
fi
if [ "$failed" -eq 0 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" \
    | grep -q 1 || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test"
  echo "services: Redis, RabbitMQ and PostgreSQL answer on 127.0.0.1"
fi
exit "$failed"
