#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432. Installs Debian's postgresql when it
# is missing, starts the cluster when it is down. Idempotent; quick when already up.
set -euo pipefail

PG_PORT=5432
WAIT_SECONDS="${POSTGRES_WAIT_SECONDS:-60}"

say() { echo "ensure-postgres: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if port_open "$PG_PORT"; then
    exit 0
fi

if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
    say "installing postgresql from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version="$(ls /etc/postgresql | sort -V | tail -n 1)"
say "starting PostgreSQL $version"
as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true

deadline=$((SECONDS + WAIT_SECONDS))
until port_open "$PG_PORT"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        say "PostgreSQL did not answer on 127.0.0.1:$PG_PORT within ${WAIT_SECONDS}s"
        exit 1
    fi
    sleep 0.5
done
say "PostgreSQL ready on 127.0.0.1:$PG_PORT"
