"""deploy/backup.py on real databases: SQLite files made by the services' migrations
(in WAL mode, with a writer still connected) and PostgreSQL on 127.0.0.1:5432. Every
backup is sealed under a passphrase (rule C11); secrets only when asked."""

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

from servicekit import crypto, migrations
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


PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    """scrypt's production cost is ~0.1 s a file; the layout is what is under test."""
    monkeypatch.setattr(crypto, "SCRYPT_N", 1 << 10)


@pytest.fixture
def env(tmp_path):
    """An environment like the suite's: SQLite files under a data dir, a gateway port
    nothing listens on, a backup passphrase."""
    return {
        "AFTERSALES_DATA_DIR": str(tmp_path / "data"),
        "GATEWAY_PORT": str(free_port()),
        "AFTERSALES_BACKUP_PASSPHRASE": PASSPHRASE,
    }


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
        target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None, with_secrets=True)
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format"] == 2
    assert [d["name"] for d in manifest["databases"]] == list(NAMES)
    for entry in manifest["databases"]:
        assert entry["kind"] == "sqlite" and entry["file"] == f"{entry['name']}.db.sealed"
        assert entry["alembic_revision"]
        assert entry["sha256"] == bk.sha256_of(target / entry["file"])
        assert not Path(f"{target / entry['file']}-wal").exists()
    assert {f["name"] for f in manifest["files"]} == {"jwt-secret", "admin-password"}
    assert (target / "jwt-secret.sealed").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["manifest.json", "jwt-secret.sealed", "admin-password.sealed"]
        + [f"{name}.db.sealed" for name in NAMES]
    )
    for sealed in target.glob("*.sealed"):  # nothing readable without the passphrase
        content = sealed.read_bytes()
        assert content.startswith(crypto.MAGIC)
        assert b"SQLite format 3" not in content and b"before-customer" not in content
        assert b"secret-1" not in content and b"admin-pass-1" not in content
    copy_path = tmp_path / "customer-copy.db"
    bk.unseal(target / "customer.db.sealed", copy_path, PASSPHRASE)
    copy = sqlite3.connect(copy_path)
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
    with open(target / "returns.db.sealed", "r+b") as fh:
        fh.seek(2000)
        byte = fh.read(1)
        fh.seek(2000)
        fh.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(bk.BackupError, match="returns.db.sealed: checksum mismatch"):
        bk.restore(target, env=env, log=lambda *_: None)
    assert markers(urls["returns"], "returns") == {"old", "new"}
    assert markers(urls["customer"], "customer") == set()

    (target / "customer.db.sealed").unlink()
    with pytest.raises(bk.BackupError, match="customer.db.sealed: missing"):
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
    listed = capsys.readouterr().out
    assert str(path) in listed and "encrypted" in listed and "+secrets" not in listed
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
        assert kinds["gateway"] == ("postgresql", "gateway.dump.sealed")
        assert kinds["returns"] == ("sqlite", "returns.db.sealed")
        revisions = {d["name"]: d["alembic_revision"] for d in manifest["databases"]}
        assert revisions["customer"] and revisions["gateway"] == "0002_access_and_idempotency"
        assert kinds["customer"] == ("postgresql", "customer.dump.sealed")
        assert b"PGDMP" not in (target / "customer.dump.sealed").read_bytes()
        bk.unseal(target / "customer.dump.sealed", tmp_path / "customer.dump", PASSPHRASE)
        assert (tmp_path / "customer.dump").read_bytes()[:5] == b"PGDMP"

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


# --- rule C11: sealed backups, secrets when asked, the customer data keys ---------------
PHONE, EMAIL, LICENSE, TAX = "13812345678", "wang@huadong-jd.cn", "310115000123456", "9131MA1K3Y"
PERSONAL = (PHONE, EMAIL, LICENSE, TAX, "9131MA1K3Z")


@pytest.fixture
def customer_keys():
    """The customer service's key source, put back as it was after the test."""
    from customer.security_keys import KEYS

    previous = KEYS._keys
    yield KEYS
    KEYS.use(previous)


def _customer_uow(url: str, env, keys_source):
    from customer.models import start_mappers
    from customer.repository import REPOSITORIES
    from customer.security_keys import protect_history
    from servicekit.db import Database, UnitOfWork

    keys_source.use(crypto.load_keys("customer", env))
    start_mappers()
    database = Database(url)
    return database, UnitOfWork(
        database, repositories=REPOSITORIES, history_changes=protect_history
    )


def add_card(url: str, env, keys_source) -> str:
    """A card with personal data and a change of its tax number, as the service writes
    them (encrypted with the customer keys of ``env``)."""
    from customer import handlers
    from customer.commands import CreateCustomer, UpdateCustomer
    from customer.domain import CustomerSettings
    from servicekit.domain import Actor

    database, uow = _customer_uow(url, env, keys_source)
    clerk = Actor("li.na", ("sales_clerk",))
    contacts = [{"name": "王建国", "phone": PHONE, "email": EMAIL}]
    new = CreateCustomer(
        name="华东机电有限公司", nature="agent", contacts=contacts, license_no=LICENSE, tax_no=TAX
    )
    customer_id = handlers.create_customer(uow, new, clerk, CustomerSettings()).id
    change = UpdateCustomer({"tax_no": "9131MA1K3Z"})
    handlers.update_customer(uow, customer_id, change, clerk, CustomerSettings())
    database.dispose()
    return customer_id


def read_card(url: str, env, keys_source, customer_id: str) -> dict:
    from customer import handlers

    database, uow = _customer_uow(url, env, keys_source)
    try:
        card = handlers.get_customer(uow, customer_id)
        return {"phone": card.contacts[0]["phone"], "tax_no": card.tax_no}
    finally:
        database.dispose()


def every_byte(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def test_a_backup_needs_a_passphrase_and_a_wrong_one_restores_nothing(env, tmp_path):
    urls = make_databases(env)
    put_marker(urls["returns"], "returns", "backed-up")
    without = {k: v for k, v in env.items() if k != "AFTERSALES_BACKUP_PASSPHRASE"}
    with pytest.raises(bk.BackupError, match="AFTERSALES_BACKUP_PASSPHRASE"):
        bk.backup(tmp_path / "backups", env=without, log=lambda *_: None)
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())

    target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    put_marker(urls["returns"], "returns", "later")
    wrong = dict(env, AFTERSALES_BACKUP_PASSPHRASE="not the passphrase")
    with pytest.raises(bk.BackupError, match="wrong passphrase"):
        bk.restore(target, env=wrong, log=lambda *_: None)
    with pytest.raises(bk.BackupError, match="AFTERSALES_BACKUP_PASSPHRASE"):
        bk.restore(target, env=without, log=lambda *_: None)
    assert markers(urls["returns"], "returns") == {"backed-up", "later"}  # untouched
    bk.restore(target, env=env, log=lambda *_: None)
    assert markers(urls["returns"], "returns") == {"backed-up"}


def test_secrets_are_copied_only_when_asked(env, tmp_path):
    make_databases(env)
    data = Path(env["AFTERSALES_DATA_DIR"])
    (data / "jwt-secret").write_text("jwt-secret-value")
    keys = crypto.load_keys("customer", env)  # generates the customer key files
    plain = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    manifest = json.loads((plain / "manifest.json").read_text())
    assert manifest["files"] == []
    assert not list(plain.glob("jwt-secret*")) and not list(plain.glob("customer-*"))
    # the keys it needs are named, never copied
    assert manifest["keys"]["customer"] == {
        "data": keys.data.fingerprints(),
        "index": crypto.fingerprint(keys.index.key),
        "source": "file",
    }
    assert keys.data.keys[0].encode() not in every_byte(plain)

    asked = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None, with_secrets=True)
    names = {f["name"] for f in json.loads((asked / "manifest.json").read_text())["files"]}
    assert names == {"jwt-secret", "customer-data-keys", "customer-index-key"}
    everything = every_byte(asked)
    assert keys.data.keys[0].encode() not in everything and b"jwt-secret-value" not in everything


def test_customer_cards_are_unreadable_in_a_backup_and_come_back_with_their_keys(
    env, tmp_path, customer_keys
):
    urls = make_databases(env)
    data = Path(env["AFTERSALES_DATA_DIR"])
    customer_id = add_card(urls["customer"], env, customer_keys)
    # the database itself holds none of it in clear (encrypted at rest) ...
    path = bk.sqlite_path(urls["customer"])
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert "华东机电有限公司".encode() in raw
    for secret in PERSONAL:
        assert secret.encode() not in raw, secret

    target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None, with_secrets=True)
    # ... nor the backup, sealed or opened
    assert "华东机电有限公司".encode() not in every_byte(target)
    opened = tmp_path / "opened.db"
    bk.unseal(target / "customer.db.sealed", opened, PASSPHRASE)
    assert "华东机电有限公司".encode() in opened.read_bytes()
    for secret in PERSONAL:
        assert secret.encode() not in every_byte(target), secret
        assert secret.encode() not in opened.read_bytes(), secret

    # a new machine: no database, no keys; the backup with its secrets brings both back
    for path in data.iterdir():
        path.unlink()
    logged = []
    bk.restore(target, env=env, log=logged.append)
    assert not [line for line in logged if "warning" in line]
    assert read_card(urls["customer"], env, customer_keys, customer_id) == {
        "phone": PHONE,
        "tax_no": "9131MA1K3Z",
    }

    # restored where other keys are in place: the restore says which keys it needs
    only_db = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    needed = json.loads((only_db / "manifest.json").read_text())["keys"]["customer"]["data"]
    (data / "customer-data-keys").write_text(crypto.new_data_key() + "\n")
    (data / "customer-index-key").write_text(crypto.new_index_key() + "\n")
    logged.clear()
    bk.restore(only_db, env=env, log=logged.append)
    warnings = "\n".join(line for line in logged if "warning" in line)
    assert needed[0] in warnings and "cannot be read" in warnings
    assert "index key differs" in warnings
    with pytest.raises(crypto.InvalidToken):
        read_card(urls["customer"], env, customer_keys, customer_id)


def test_a_backup_of_the_earlier_plain_format_is_still_restored(env, tmp_path):
    urls = make_databases(env)
    put_marker(urls["finance"], "finance", "old-format")
    target = bk.backup(tmp_path / "backups", env=env, log=lambda *_: None)
    manifest = json.loads((target / "manifest.json").read_text())
    for entry in manifest["databases"]:  # as format 1 wrote it: plain copies
        plain = entry["file"].removesuffix(".sealed")
        bk.unseal(target / entry["file"], target / plain, PASSPHRASE)
        (target / entry["file"]).unlink()
        entry.update(file=plain, size=(target / plain).stat().st_size)
        entry["sha256"] = bk.sha256_of(target / plain)
    manifest["format"] = 1
    (target / "manifest.json").write_text(json.dumps(manifest))
    put_marker(urls["finance"], "finance", "later")
    without = {k: v for k, v in env.items() if k != "AFTERSALES_BACKUP_PASSPHRASE"}
    bk.restore(target, env=without, log=lambda *_: None)
    assert markers(urls["finance"], "finance") == {"old-format"}
    assert bk.list_backups(tmp_path / "backups")[0]["encrypted"] is False
