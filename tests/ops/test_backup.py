"""deploy/backup.py on real databases: SQLite files made by the services' migrations
(in WAL mode, with a writer still connected) and PostgreSQL on 127.0.0.1:5432."""

from __future__ import annotations

import importlib.util
import json
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, text

from servicekit import migrations
from servicekit.config import database_url
from servicekit.db import normalize_url
from servicekit.testing import postgres_database

REPO = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bk = _load("aftersales_backup", REPO / "deploy" / "backup.py")

NAMES = ("customer", "complaints", "returns", "finance", "gateway")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def env(tmp_path):
    """An environment like the suite's: SQLite files under a data dir, a gateway port
    nothing listens on."""
    return {"AFTERSALES_DATA_DIR": str(tmp_path / "data"), "GATEWAY_PORT": str(free_port())}


def _engine(url: str):
    return create_engine(normalize_url(url), poolclass=pool.NullPool)


def put_marker(url: str, name: str, value: str) -> None:
    """One recognizable row: a lease in a service database, a user in the gateway's."""
    engine = _engine(url)
    with engine.begin() as conn:
        if name == "gateway":
            conn.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, roles, created_at) "
                    "VALUES (:id, :u, 'x', '[]', :at)"
                ),
                {"id": value[:32], "u": value, "at": datetime.now(UTC)},
            )
        else:
            conn.execute(
                text("INSERT INTO leases (name, holder, until) VALUES (:n, :h, :at)"),
                {"n": value, "h": "test", "at": datetime.now(UTC)},
            )
    engine.dispose()


def markers(url: str, name: str) -> set[str]:
    engine = _engine(url)
    query = "SELECT username FROM users" if name == "gateway" else "SELECT name FROM leases"
    with engine.connect() as conn:
        result = {row[0] for row in conn.execute(text(query))}
    engine.dispose()
    return result


def clear_markers(url: str, name: str) -> None:
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users" if name == "gateway" else "DELETE FROM leases"))
    engine.dispose()


def make_databases(env) -> dict[str, str]:
    urls = {}
    for name in NAMES:
        url = database_url(name, env)
        migrations.upgrade(name, url)
        urls[name] = url
    return urls


def wal_mode(url: str) -> None:
    conn = sqlite3.connect(bk.sqlite_path(url))
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()


def test_sqlite_backup_while_a_writer_is_connected_and_restore(env, tmp_path):
    urls = make_databases(env)
    data = Path(env["AFTERSALES_DATA_DIR"])
    for name, url in urls.items():
        wal_mode(url)
        put_marker(url, name, f"before-{name}")
    (data / "jwt-secret").write_text("secret-1")
    (data / "jwt-secret").chmod(0o600)
    (data / "admin-password").write_text("admin-pass-1")
    (data / "admin-password").chmod(0o600)

    # A writer with committed rows still only in the -wal (no checkpoint) and an open
    # transaction: the copy has the committed rows and not the uncommitted one.
    writer = sqlite3.connect(bk.sqlite_path(urls["customer"]), isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO leases (name, holder, until) VALUES ('in-wal', 'w', '2030-01-01')")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO leases (name, holder, until) VALUES ('uncommitted', 'w', 'x')")
    assert Path(f"{bk.sqlite_path(urls['customer'])}-wal").stat().st_size > 0
    try:
        target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    manifest = json.loads((target / "manifest.json").read_text())
    assert [d["name"] for d in manifest["databases"]] == list(NAMES)
    for entry in manifest["databases"]:
        assert entry["kind"] == "sqlite"
        assert entry["alembic_revision"]
        assert entry["sha256"] == bk.sha256_of(target / entry["file"])
        assert not Path(f"{target / entry['file']}-wal").exists()
    assert {f["name"] for f in manifest["files"]} == {"jwt-secret", "admin-password"}
    assert (target / "jwt-secret").stat().st_mode & 0o777 == 0o600
    copy = sqlite3.connect(target / "customer.db")
    assert {r[0] for r in copy.execute("SELECT name FROM leases")} == {"before-customer", "in-wal"}
    copy.close()

    # Change everything after the backup, leaving a -wal with newer content behind.
    for name, url in urls.items():
        clear_markers(url, name)
        put_marker(url, name, f"after-{name}")
    (data / "jwt-secret").write_text("secret-2")
    (data / "admin-password").unlink()
    stale = sqlite3.connect(bk.sqlite_path(urls["finance"]), isolation_level=None)
    stale.execute("PRAGMA wal_autocheckpoint=0")
    stale.execute("INSERT INTO leases (name, holder, until) VALUES ('stale-wal', 'w', 'x')")
    stale.close()  # the last connection closing checkpoints; make a -wal by hand instead
    stale = sqlite3.connect(bk.sqlite_path(urls["finance"]), isolation_level=None)
    stale.execute("PRAGMA wal_autocheckpoint=0")
    stale.execute("INSERT INTO leases (name, holder, until) VALUES ('stale-wal-2', 'w', 'x')")
    wal = Path(f"{bk.sqlite_path(urls['finance'])}-wal")
    saved_wal = wal.read_bytes()
    stale.close()
    wal.write_bytes(saved_wal)  # as if a process had died with this -wal

    bk.restore(target, env=env, log=lambda *_: None)

    assert markers(urls["customer"], "customer") == {"before-customer", "in-wal"}
    for name in ("complaints", "returns", "finance", "gateway"):
        assert markers(urls[name], name) == {f"before-{name}"}
    assert (data / "jwt-secret").read_text() == "secret-1"
    assert (data / "admin-password").read_text() == "admin-pass-1"
    assert (data / "admin-password").stat().st_mode & 0o777 == 0o600
    # the restored files open as the services open them, and migrations find them at head
    for name, url in urls.items():
        migrations.upgrade(name, url)
        wal_mode(url)


def test_restore_refuses_a_damaged_backup_and_changes_nothing(env, tmp_path):
    urls = make_databases(env)
    put_marker(urls["returns"], "returns", "old")
    target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    put_marker(urls["returns"], "returns", "new")
    with open(target / "returns.db", "r+b") as fh:
        fh.seek(2000)
        byte = fh.read(1)
        fh.seek(2000)
        fh.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(bk.BackupError, match="returns.db: checksum mismatch"):
        bk.restore(target, env=env, log=lambda *_: None)
    assert markers(urls["returns"], "returns") == {"old", "new"}
    assert markers(urls["customer"], "customer") == set()

    (target / "customer.db").unlink()
    with pytest.raises(bk.BackupError, match="customer.db: missing"):
        bk.restore(target, env=env, log=lambda *_: None)


def test_restore_refuses_while_the_suite_seems_to_run(env, tmp_path):
    urls = make_databases(env)
    put_marker(urls["customer"], "customer", "backed-up")
    target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    put_marker(urls["customer"], "customer", "later")

    with socket.socket() as listener:  # something answers on the gateway port
        listener.bind(("127.0.0.1", int(env["GATEWAY_PORT"])))
        listener.listen()
        with pytest.raises(bk.BackupError, match="gateway port"):
            bk.restore(target, env=env, log=lambda *_: None)
    assert "later" in markers(urls["customer"], "customer")

    holder = subprocess.Popen(  # another process holds a database open
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT 1 FROM leases').fetchall(); print('ok', flush=True); "
            "time.sleep(60)",
            str(bk.sqlite_path(urls["customer"])),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(bk.BackupError, match=rf"processes \[{holder.pid}\]"):
            bk.restore(target, env=env, log=lambda *_: None)
        bk.restore(target, env=env, force=True, log=lambda *_: None)
    finally:
        holder.kill()
        holder.wait()
    assert markers(urls["customer"], "customer") == {"backed-up"}


def test_restore_refuses_when_a_database_changed_kind(env, tmp_path):
    make_databases(env)
    target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    moved = dict(env, CUSTOMER_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/nowhere")
    with pytest.raises(bk.BackupError, match="CUSTOMER_DATABASE_URL"):
        bk.restore(target, env=moved, log=lambda *_: None)


def test_backup_of_nothing_fails_and_leaves_no_directory(env, tmp_path):
    with pytest.raises(bk.BackupError, match="nothing to back up"):
        bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    assert list((tmp_path / "backups").iterdir()) == []


def test_missing_databases_are_noted_and_list_shows_finished_backups(env, tmp_path):
    migrations.upgrade("customer", database_url("customer", env))
    root = tmp_path / "backups"
    first = bk.backup(root, env=env, log=lambda *_: None)
    second = bk.backup(root, env=env, log=lambda *_: None)
    (root / "20990101T000000Z.partial").mkdir()
    manifest = json.loads((first / "manifest.json").read_text())
    assert [d["name"] for d in manifest["databases"]] == ["customer"]
    assert {m["name"] for m in manifest["missing"]} == {
        "complaints",
        "returns",
        "finance",
        "gateway",
    }
    listed = bk.list_backups(root)
    assert [item["path"] for item in listed] == [str(first), str(second)]
    assert listed[0]["databases"] == ["customer"]


def test_command_line(env, tmp_path, monkeypatch, capsys):
    make_databases(env)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "backups"
    assert bk.main(["backup", "--root", str(root)]) == 0
    (path,) = [p for p in root.iterdir()]
    assert bk.main(["list", "--root", str(root)]) == 0
    assert str(path) in capsys.readouterr().out
    assert bk.main(["restore", str(path)]) == 0
    assert bk.main(["restore", str(tmp_path)]) == 1
    assert "no manifest.json" in capsys.readouterr().err


@pytest.mark.postgres
def test_postgres_backup_and_restore(env, tmp_path):
    with postgres_database() as customer_url, postgres_database() as gateway_url:
        env = dict(env, CUSTOMER_DATABASE_URL=customer_url, GATEWAY_DATABASE_URL=gateway_url)
        urls = make_databases(env)
        for name, url in urls.items():
            put_marker(url, name, f"before-{name}")

        target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)

        manifest = json.loads((target / "manifest.json").read_text())
        kinds = {d["name"]: (d["kind"], d["file"]) for d in manifest["databases"]}
        assert kinds["customer"] == ("postgresql", "customer.dump")
        assert kinds["gateway"] == ("postgresql", "gateway.dump")
        assert kinds["returns"] == ("sqlite", "returns.db")
        revisions = {d["name"]: d["alembic_revision"] for d in manifest["databases"]}
        assert revisions["customer"] and revisions["gateway"] == "0002_access_and_idempotency"
        assert (target / "customer.dump").read_bytes()[:5] == b"PGDMP"

        for name, url in urls.items():
            clear_markers(url, name)
            put_marker(url, name, f"after-{name}")

        bk.restore(target, env=env, log=lambda *_: None)

        for name, url in urls.items():
            assert markers(url, name) == {f"before-{name}"}, name
        migrations.upgrade("customer", customer_url)  # still at head, nothing to do

        # another session on a PostgreSQL database means the suite may be running
        import psycopg2

        conn = psycopg2.connect(customer_url)
        try:
            with pytest.raises(bk.BackupError, match="other session"):
                bk.restore(target, env=env, log=lambda *_: None)
        finally:
            conn.close()
