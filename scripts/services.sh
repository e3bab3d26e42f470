#!/usr/bin/env bash
# Starts the machine's PostgreSQL and NATS JetStream when they are installed but not running.
set -uo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 5432 && command -v pg_ctlcluster >/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
if ! port_open 4222 && [ -x /usr/sbin/nats-server ]; then
  echo "starting NATS JetStream"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server
fi
for _ in $(seq 1 30); do
  port_open 5432 && port_open 4222 && exit 0
  sleep 1
done
port_open 5432 || echo "warning: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
port_open 4222 || echo "warning: NATS is not reachable on 127.0.0.1:4222" >&2
