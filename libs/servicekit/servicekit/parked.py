"""Operator command for parked messages (what a consumer refused or gave up on).

    python -m servicekit.parked list SERVICE            # id, queue, reason, error
    python -m servicekit.parked show SERVICE ID         # everything, with the body
    python -m servicekit.parked replay SERVICE ID|--all # back into the original queue
    python -m servicekit.parked drop SERVICE ID|--all   # forget them

The service's database and broker come from the same environment as the service
(``<SERVICE>_DATABASE_URL`` or ``$AFTERSALES_DATA_DIR``, ``AMQP_URI``); ``make parked``
wraps it. rule C11: a service with data keys (the customer service) parks its messages
sealed; they are opened with the same keys (``<SERVICE>_DATA_KEYS`` or its key files
under ``$AFTERSALES_DATA_DIR``, ``servicekit.crypto.load_keys``; never generated here),
and a replay sends the original bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from servicekit import parking
from servicekit.config import SERVICES, ServiceConfig
from servicekit.crypto import KeyConfigError, KeyRing, load_keys
from servicekit.db import Database


def _keys(service: str) -> KeyRing | None:
    """The service's data keys if it has any (sealed rows need them), else None."""
    try:
        return load_keys(service, generate=False).data
    except KeyConfigError:
        return None


def _targets(database: Database, which: str) -> list[int]:
    if which == "--all":
        return parking.parked_ids(database)
    try:
        return [int(which)]
    except ValueError:
        raise SystemExit(f"not a parked message id: {which!r} (or --all)") from None


def _show(row: dict) -> str:
    body = bytes(row.pop("body"))
    try:
        row["body"] = json.loads(body)
    except ValueError:
        row["body"] = body.decode("utf-8", "replace")
    return json.dumps(row, ensure_ascii=False, indent=2, default=str)


def main(argv: Sequence[str] | None = None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicekit.parked", description=__doc__)
    parser.add_argument("action", choices=("list", "show", "replay", "drop"))
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("id", nargs="?", help="a parked message id, or --all")
    args, extra = parser.parse_known_args(argv)
    which = args.id or ("--all" if "--all" in extra else None)
    config = ServiceConfig.from_env(args.service)
    database = Database(config.database_url)
    keys = _keys(args.service)
    try:
        if args.action == "list":
            rows = parking.list_parked(database, keys=keys)
            for row in rows:
                print(
                    f"{row['id']}\t{row['parked_at']:%Y-%m-%d %H:%M:%S}\t{row['reason']}\t"
                    f"{row['queue']}\t{row['error'][:120]}",
                    file=out,
                )
            print(f"{len(rows)} parked", file=out)
            return 0
        if which is None:
            parser.error(f"{args.action} needs an id or --all")
        if args.action == "show":
            row = parking.get_parked(database, _targets(database, which)[0], keys)
            if row is None:
                print("no such parked message", file=out)
                return 1
            print(_show(row), file=out)
            return 0
        done = 0
        for parked_id in _targets(database, which):
            if args.action == "replay":
                done += parking.replay(database, config.amqp_uri, parked_id, keys)
            else:
                done += parking.drop(database, parked_id)
        print(f"{done} {'replayed' if args.action == 'replay' else 'dropped'}", file=out)
        return 0 if done else 1
    except parking.SealedMessage as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main())
