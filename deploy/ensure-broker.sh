#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672 with the management API on
# 127.0.0.1:15672 (guest/guest). Installs Debian's rabbitmq-server when it is missing,
# starts it when it is down. Idempotent; returns at once when everything is up.
set -euo pipefail

AMQP_PORT=5672
MGMT_URL="http://127.0.0.1:15672/api/overview"
WAIT_SECONDS="${BROKER_WAIT_SECONDS:-90}"

say() { echo "ensure-broker: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

mgmt_answers() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -m 3 -u guest:guest -o /dev/null "$MGMT_URL" 2>/dev/null
    else
        python3 - "$MGMT_URL" <<'PY' 2>/dev/null
import base64, sys, urllib.request
req = urllib.request.Request(sys.argv[1])
req.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
urllib.request.urlopen(req, timeout=3).read()
PY
    fi
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if port_open "$AMQP_PORT" && mgmt_answers; then
    exit 0
fi

if ! port_open "$AMQP_PORT"; then
    if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
        say "installing rabbitmq-server from Debian's packages"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    fi
    export PATH="$PATH:/usr/sbin"
    say "starting rabbitmq-server"
    as_root rabbitmq-server -detached || true
    # Right after -detached the node is not registered yet and await_startup fails
    # at once: retry it until the deadline.
    deadline=$((SECONDS + WAIT_SECONDS))
    until as_root rabbitmqctl -q await_startup --timeout 10 >/dev/null 2>&1 && port_open "$AMQP_PORT"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "RabbitMQ did not start within ${WAIT_SECONDS}s (see /var/log/rabbitmq/)"
            exit 1
        fi
        sleep 1
    done
fi

if ! mgmt_answers; then
    export PATH="$PATH:/usr/sbin"
    if ! command -v rabbitmq-plugins >/dev/null 2>&1; then
        say "the broker on :$AMQP_PORT is not local and its management API ($MGMT_URL) does not answer"
        exit 1
    fi
    say "enabling rabbitmq_management"
    as_root rabbitmq-plugins enable rabbitmq_management >/dev/null
    deadline=$((SECONDS + WAIT_SECONDS))
    until mgmt_answers; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "management API did not answer at $MGMT_URL within ${WAIT_SECONDS}s"
            exit 1
        fi
        sleep 0.5
    done
fi
say "broker ready (amqp :$AMQP_PORT, management :15672)"
