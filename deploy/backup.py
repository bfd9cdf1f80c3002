"""Back up and restore every database of the suite (the four services and the gateway).

::

    python deploy/backup.py backup [--root backups] [--with-secrets]  # -> backups/<UTC timestamp>/
    python deploy/backup.py list [--root backups]
    python deploy/backup.py restore backups/<timestamp> [--force]

Every file a backup holds is encrypted (rule C11) under a passphrase: the setting
``AFTERSALES_BACKUP_PASSPHRASE``, or ``--passphrase-file PATH`` (its first line). The
key is derived with scrypt and each file sealed with AES-256-GCM in authenticated chunks
(``servicekit.crypto.seal_file``); a backup is refused without a passphrase, and a
restore with the wrong one changes nothing.

Each database is where ``servicekit.config.database_url`` says it is (SQLite
``$AFTERSALES_DATA_DIR/<name>.db`` by default, ``<NAME>_DATABASE_URL`` for
PostgreSQL), so backup and restore read the same environment as the services.

- SQLite is copied with SQLite's online backup API: one read transaction, so the copy
  is consistent while the services run and write (WAL mode). The copy is switched to
  rollback-journal mode so it is one self-contained file.
- PostgreSQL is dumped with ``pg_dump --format=custom`` (one snapshot per database)
  and restored with ``pg_restore --clean --if-exists --single-transaction``.
- The secrets of the data dir (``jwt-secret``, ``admin-password``, ``demo-password``
  and the customer service's ``customer-data-keys`` and ``customer-index-key``) are
  copied only with ``--with-secrets``, then sealed like the rest and put back with
  mode 0600.
- The customer database's personal data is encrypted with the customer data keys
  (``CUSTOMER_DATA_KEYS`` or ``customer-data-keys``): without them a restored customer
  database cannot be read. The manifest names the keys it needs (fingerprints, not the
  keys), and a restore says when the keys in place now are not those.
- ``manifest.json`` (in clear: names, sizes, checksums, revisions, fingerprints; no
  data) lists every file with its source, size, sha256 of the sealed file and the
  database's alembic revision. A backup is written to ``<timestamp>.partial/`` and
  renamed when complete, so a directory without that suffix is a finished backup.

Restore refuses while the suite seems to run (the gateway port answers, a process
holds an SQLite file open, or other sessions are connected to a PostgreSQL database)
unless ``--force``; it verifies every checksum and opens every sealed file before it
changes anything, then replaces each SQLite file atomically (temp file, fsync, rename;
stale ``-wal`` and ``-shm`` removed). Backups of the earlier format (1, not encrypted)
are still restored.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from servicekit import crypto
from servicekit.config import SERVICES, data_dir, database_url

DATABASES = (*SERVICES, "gateway")
# Copied only with --with-secrets (the customer's keys: rule C11).
SECRET_FILES = (
    "jwt-secret",
    "admin-password",
    "demo-password",
    "customer-data-keys",
    "customer-index-key",
)
MANIFEST = "manifest.json"
FORMAT = 2  # 2: every file sealed under the backup passphrase; 1: plain copies
PASSPHRASE = "AFTERSALES_BACKUP_PASSPHRASE"
SEALED = ".sealed"
KEY_OWNERS = ("customer",)  # services whose data is encrypted with keys of their own


class BackupError(RuntimeError):
    """Something the operator must fix; the message says what."""


# --- helpers ----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def kind_of(url: str) -> str:
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    raise BackupError(f"unsupported database URL scheme {scheme!r}")


def sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[-1])


def libpq_url(url: str) -> str:
    """``postgresql+psycopg2://...`` -> ``postgresql://...`` (what pg_dump understands)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> float:
        try:
            return float(Path(path).parts[-3])
        except (ValueError, IndexError):
            return 0.0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise BackupError(f"{name} not found on PATH nor in /usr/lib/postgresql/*/bin")


def _sqlite_revision(path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _pg_connect(url: str):
    import psycopg2

    return psycopg2.connect(libpq_url(url))


def _pg_revision(url: str) -> str | None:
    conn = _pg_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None
            cur.execute("SELECT version_num FROM alembic_version")
            row = cur.fetchone()
            return row[0] if row else None
    finally:
        conn.close()


# --- passphrase and sealing -------------------------------------------------------------


def passphrase_of(env: Mapping[str, str], path: str | os.PathLike | None = None) -> str:
    """The backup passphrase: the first line of ``path``, else ``$AFTERSALES_BACKUP_PASSPHRASE``."""
    if path is not None:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        value = lines[0].strip() if lines else ""
        if not value:
            raise BackupError(f"the passphrase file {path} is empty")
        return value
    value = env.get(PASSPHRASE, "").strip()
    if not value:
        raise BackupError(
            f"backups are encrypted: set {PASSPHRASE} (or pass --passphrase-file) and keep "
            "the passphrase apart from the backups; without it they cannot be restored"
        )
    return value


def seal(source: Path, target: Path, passphrase: str) -> None:
    with open(source, "rb") as src, open(target, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        crypto.seal_file(src, out, passphrase)
        out.flush()
        os.fsync(out.fileno())


def unseal(source: Path, target: Path, passphrase: str) -> None:
    try:
        with open(source, "rb") as src, open(target, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            crypto.open_sealed(src, out, passphrase)
    except crypto.SealError as exc:
        raise BackupError(f"{source.name}: {exc}") from exc


def key_fingerprints(env: Mapping[str, str]) -> dict:
    """The fingerprints of the data and index keys each key owner uses now (no keys)."""
    found = {}
    for owner in KEY_OWNERS:
        try:
            keys = crypto.load_keys(owner, env, generate=False)
        except crypto.KeyConfigError:
            continue
        found[owner] = {
            "data": keys.data.fingerprints(),
            "index": crypto.fingerprint(keys.index.key),
            "source": "environment" if keys.source == "environment" else "file",
        }
    return found


def key_problems(manifest: dict, env: Mapping[str, str]) -> list[str]:
    """What the keys in place now lack to read the databases of ``manifest``."""
    problems = []
    now = key_fingerprints(env)
    for owner, wanted in manifest.get("keys", {}).items():
        have = now.get(owner)
        if have is None:
            problems.append(
                f"no {owner} keys here: its database needs data keys "
                f"{', '.join(wanted['data'])} ({owner.upper()}_DATA_KEYS or {owner}-data-keys)"
            )
            continue
        missing = [f for f in wanted["data"] if f not in have["data"]]
        if missing:
            problems.append(
                f"the {owner} database was written with data keys "
                f"{', '.join(wanted['data'])}; {', '.join(missing)} not among those here "
                f"({', '.join(have['data'])}): values under them cannot be read"
            )
        if wanted["index"] != have["index"]:
            problems.append(
                f"the {owner} index key differs from the backup's: searches by phone or "
                f"tax number find nothing until `python -m {owner}.rotate_keys rotate`"
            )
    return problems


# --- backup -----------------------------------------------------------------------------


def backup_sqlite(source: Path, target: Path) -> None:
    """Consistent copy of a live SQLite database (WAL mode) by the online backup API."""
    src = sqlite3.connect(f"file:{urllib.parse.quote(str(source))}?mode=ro", uri=True)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step: one read snapshot of the source
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"integrity check of the copy of {source} failed: {check}")
        finally:
            dst.close()
    finally:
        src.close()
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())


def backup_postgres(url: str, target: Path) -> None:
    result = subprocess.run(
        [pg_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={libpq_url(url)}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump of {redact(url)} failed: {result.stderr.strip()}")


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def backup(
    root: str | os.PathLike = "backups",
    env: Mapping[str, str] | None = None,
    log=print,
    with_secrets: bool = False,
    passphrase: str | None = None,
) -> Path:
    """Write ``<root>/<UTC timestamp>/`` with every database sealed (and the secrets, when
    ``with_secrets``) and a manifest."""
    env = os.environ if env is None else env
    passphrase = passphrase or passphrase_of(env)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = _timestamp()
    final = root / stamp
    suffix = 1
    while final.exists() or final.with_name(final.name + ".partial").exists():
        final = root / f"{stamp}-{suffix}"
        suffix += 1
    work = final.with_name(final.name + ".partial")
    work.mkdir(mode=0o700)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "data_dir": str(data_dir(env).resolve()),
        "encryption": "scrypt + AES-256-GCM (servicekit.crypto sealed files)",
        "keys": key_fingerprints(env),
        "databases": [],
        "files": [],
        "missing": [],
    }
    clear = Path(tempfile.mkdtemp(prefix="aftersales-backup-"))
    try:
        for name in DATABASES:
            url = database_url(name, env)
            kind = kind_of(url)
            if kind == "sqlite":
                source = sqlite_path(url)
                if not source.exists():
                    manifest["missing"].append({"name": name, "source": str(source)})
                    log(f"  {name:<14} skipped: no database at {source}")
                    continue
                copy = clear / f"{name}.db"
                backup_sqlite(source, copy)
                revision = _sqlite_revision(copy)
                source_text = str(source.resolve())
            else:
                copy = clear / f"{name}.dump"
                revision = _pg_revision(url)
                backup_postgres(url, copy)
                source_text = redact(url)
            file = copy.name + SEALED
            seal(copy, work / file, passphrase)
            copy.unlink()
            entry = {
                "name": name,
                "kind": kind,
                "source": source_text,
                "file": file,
                "size": (work / file).stat().st_size,
                "sha256": sha256_of(work / file),
                "alembic_revision": revision,
            }
            manifest["databases"].append(entry)
            log(f"  {name:<14} {kind:<10} {entry['size']:>10} bytes  revision {revision}")
        if not manifest["databases"]:
            raise BackupError(
                f"nothing to back up: no database under {data_dir(env)} "
                "(has the suite ever run? is AFTERSALES_DATA_DIR right?)"
            )
        for name in SECRET_FILES if with_secrets else ():
            source = data_dir(env) / name
            if not source.exists():
                continue
            file = name + SEALED
            seal(source, work / file, passphrase)
            manifest["files"].append(
                {
                    "name": name,
                    "source": str(source.resolve()),
                    "file": file,
                    "mode": "0600",
                    "size": (work / file).stat().st_size,
                    "sha256": sha256_of(work / file),
                }
            )
            log(f"  {name:<14} secret (restored with mode 0600)")
        if not with_secrets:
            log("  secrets        not copied (--with-secrets copies them); keep the keys apart")
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        _fsync_dir(work)
        work.rename(final)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(clear, ignore_errors=True)
    return final


# --- list -------------------------------------------------------------------------------


def list_backups(root: str | os.PathLike = "backups") -> list[dict]:
    """Finished backups under ``root``, oldest first, each with its manifest summary."""
    root = Path(root)
    result = []
    if not root.is_dir():
        return result
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        if directory.name.endswith(".partial"):
            continue
        manifest_path = directory / MANIFEST
        if not manifest_path.exists():
            continue
        manifest = json.loads(manifest_path.read_text())
        result.append(
            {
                "path": str(directory),
                "created_at": manifest.get("created_at"),
                "databases": [d["name"] for d in manifest.get("databases", [])],
                "size": sum(d["size"] for d in manifest.get("databases", [])),
                "encrypted": manifest.get("format", 1) >= 2,
                "secrets": [f["name"] for f in manifest.get("files", [])],
            }
        )
    return result


# --- restore ----------------------------------------------------------------------------


def load_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} is not a backup: no {MANIFEST}")
    manifest = json.loads(path.read_text())
    if manifest.get("format") not in (1, FORMAT):
        raise BackupError(f"{path}: unknown format {manifest.get('format')!r}")
    return manifest


def verify(directory: Path, manifest: dict) -> None:
    """Every file exists with the manifest's size and sha256, or ``BackupError``."""
    problems = []
    for entry in manifest["databases"] + manifest["files"]:
        path = directory / entry["file"]
        if not path.exists():
            problems.append(f"{entry['file']}: missing")
        elif path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"{entry['file']}: checksum mismatch")
    if problems:
        raise BackupError(
            f"refusing to restore {directory}: " + "; ".join(problems) + " (backup damaged?)"
        )


def _port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _holders(paths: Sequence[Path]) -> set[int]:
    """Processes (other than this one) with one of ``paths`` open (Linux /proc)."""
    wanted = {str(p.resolve()) for p in paths}
    holders = set()
    for fd_dir in glob.glob("/proc/[0-9]*/fd"):
        pid = int(fd_dir.split("/")[2])
        if pid == os.getpid():
            continue
        try:
            for fd in os.listdir(fd_dir):
                with contextlib.suppress(OSError):
                    if os.readlink(f"{fd_dir}/{fd}") in wanted:
                        holders.add(pid)
                        break
        except OSError:
            continue  # gone, or not ours to look at
    return holders


def _pg_sessions(url: str) -> int:
    conn = _pg_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cur.fetchone()[0]
    finally:
        conn.close()


def running_signs(manifest: dict, env: Mapping[str, str]) -> list[str]:
    """Why the suite seems to run (empty: it seems stopped)."""
    signs = []
    port = int(env.get("GATEWAY_PORT", "8000"))
    if _port_answers(port):
        signs.append(f"something answers on the gateway port 127.0.0.1:{port}")
    sqlite_files = []
    for entry in manifest["databases"]:
        url = database_url(entry["name"], env)
        if kind_of(url) == "sqlite":
            path = sqlite_path(url)
            sqlite_files += [path, Path(f"{path}-wal")]
        else:
            with contextlib.suppress(Exception):
                sessions = _pg_sessions(url)
                if sessions:
                    signs.append(f"{sessions} other session(s) on {redact(url)}")
    pids = _holders([p for p in sqlite_files if p.exists()])
    if pids:
        signs.append(f"processes {sorted(pids)} have a database file open")
    return signs


def _restore_file(source: Path, target: Path, mode: int | None = None) -> None:
    """Replace ``target`` by a copy of ``source`` atomically (temp, fsync, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restore", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(target.parent)


def restore_sqlite(source: Path, target: Path) -> None:
    # A -wal left from the old database would be replayed onto the restored one.
    for stale in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    _restore_file(source, target)


def restore_postgres(source: Path, url: str) -> None:
    result = subprocess.run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={libpq_url(url)}",
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore into {redact(url)} failed: {result.stderr.strip()}")


def restore(
    directory: str | os.PathLike,
    env: Mapping[str, str] | None = None,
    force: bool = False,
    log=print,
    passphrase: str | None = None,
) -> dict:
    """Put a backup back: every database it holds, and the secret files."""
    env = os.environ if env is None else env
    directory = Path(directory)
    manifest = load_manifest(directory)
    verify(directory, manifest)
    sealed = manifest["format"] >= 2
    if sealed:
        passphrase = passphrase or passphrase_of(env)
    targets = {}
    for entry in manifest["databases"]:
        url = database_url(entry["name"], env)
        if kind_of(url) != entry["kind"]:
            raise BackupError(
                f"{entry['name']} was backed up from {entry['kind']} but is now configured "
                f"as {kind_of(url)} ({redact(url)}); set or unset "
                f"{entry['name'].upper()}_DATABASE_URL to match"
            )
        targets[entry["name"]] = url
    if not force:
        signs = running_signs(manifest, env)
        if signs:
            raise BackupError(
                "the suite seems to be running: "
                + "; ".join(signs)
                + ". Stop it first (Ctrl-C on `make run`), or pass --force."
            )
    clear = Path(tempfile.mkdtemp(prefix="aftersales-restore-"))
    try:
        # Every sealed file is opened (and so authenticated) before anything changes.
        sources = {}
        for entry in manifest["databases"] + manifest["files"]:
            if sealed:
                sources[entry["file"]] = clear / entry["file"].removesuffix(SEALED)
                unseal(directory / entry["file"], sources[entry["file"]], passphrase)
            else:
                sources[entry["file"]] = directory / entry["file"]
        for entry in manifest["databases"]:
            url = targets[entry["name"]]
            if entry["kind"] == "sqlite":
                restore_sqlite(sources[entry["file"]], sqlite_path(url))
                where = sqlite_path(url)
            else:
                restore_postgres(sources[entry["file"]], url)
                where = redact(url)
            revision = entry["alembic_revision"]
            log(f"  {entry['name']:<14} restored to {where} (revision {revision})")
        for entry in manifest["files"]:
            target = data_dir(env) / entry["name"]
            _restore_file(sources[entry["file"]], target, mode=0o600)
            log(f"  {entry['name']:<14} restored to {target}")
    finally:
        shutil.rmtree(clear, ignore_errors=True)
    for entry in manifest.get("missing", []):
        log(f"  {entry['name']:<14} not in this backup (left as it is)")
    for problem in key_problems(manifest, env):
        log(f"  warning: {problem}")
    return manifest


# --- command line -----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python deploy/backup.py", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="back up every database to <root>/<timestamp>/")
    make.add_argument("--root", default="backups")
    make.add_argument(
        "--with-secrets",
        action="store_true",
        help="copy the JWT secret, the passwords and the customer data keys too",
    )
    listing = commands.add_parser("list", help="list finished backups")
    listing.add_argument("--root", default="backups")
    back = commands.add_parser("restore", help="restore a backup directory")
    back.add_argument("directory")
    back.add_argument("--force", action="store_true", help="restore even if the suite seems up")
    for command in (make, back):
        command.add_argument(
            "--passphrase-file", help=f"the passphrase's file (else ${PASSPHRASE})"
        )
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            secret = passphrase_of(os.environ, args.passphrase_file)
            print(f"backing up (data dir {data_dir().resolve()}) ...")
            path = backup(args.root, with_secrets=args.with_secrets, passphrase=secret)
            print(f"backup written to {path}")
        elif args.command == "list":
            backups = list_backups(args.root)
            if not backups:
                print(f"no backups under {args.root}/")
            for item in backups:
                names = ",".join(item["databases"])
                how = "encrypted" if item["encrypted"] else "plain"
                secrets = "+secrets" if item["secrets"] else ""
                print(
                    f"{item['path']}  {item['created_at']}  {item['size']:>10} bytes  "
                    f"{how}{secrets}  {names}"
                )
        else:
            print(f"restoring {args.directory} ...")
            manifest = load_manifest(Path(args.directory))
            secret = (
                passphrase_of(os.environ, args.passphrase_file) if manifest["format"] >= 2 else None
            )
            restore(args.directory, force=args.force, passphrase=secret)
            print("restored. Start the suite again (make run).")
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
