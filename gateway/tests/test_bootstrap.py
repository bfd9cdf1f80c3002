"""First start: user admin, never with a built-in default; shared generated secrets."""

import stat
import threading

import pytest

from gateway.auth import bootstrap
from gateway.auth.store import IdentityStore
from servicekit.db import Database


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def login(client, password):
    return client.post("/auth/token", json={"username": "admin", "password": password})


def test_without_a_configured_password_a_random_one_is_written_0600(make_app, tmp_path, capfd):
    client = make_app(ADMIN_PASSWORD=None).test_client()
    path = tmp_path / "admin-password"
    assert mode(path) == 0o600
    password = path.read_text().strip()
    assert len(password) >= 16
    assert password in capfd.readouterr().err
    assert login(client, password).status_code == 200
    for guess in ("admin", "password", "admin123", "changeme", ""):
        assert login(client, guess).status_code in (401, 422)


def test_generated_passwords_differ_between_installations(make_app, tmp_path, tmp_path_factory):
    make_app(ADMIN_PASSWORD=None)
    other = tmp_path_factory.mktemp("other")
    make_app(ADMIN_PASSWORD=None, DATA_DIR=other, DATABASE_URL=f"sqlite:///{other / 'g.db'}")
    first = (tmp_path / "admin-password").read_text()
    assert first != (other / "admin-password").read_text()


def test_a_configured_password_is_used_and_no_file_written(make_app, tmp_path):
    client = make_app(ADMIN_PASSWORD="configured-secret").test_client()
    assert not (tmp_path / "admin-password").exists()
    assert login(client, "configured-secret").status_code == 200


def test_a_second_start_keeps_the_admin(make_app, tmp_path):
    make_app(ADMIN_PASSWORD=None)
    password = (tmp_path / "admin-password").read_text().strip()
    client = make_app(ADMIN_PASSWORD="something-else").test_client()
    assert (tmp_path / "admin-password").read_text().strip() == password
    assert login(client, password).status_code == 200
    assert login(client, "something-else").status_code == 401


def test_a_short_configured_password_is_refused(make_app):
    with pytest.raises(ValueError, match="at least 8"):
        make_app(ADMIN_PASSWORD="short")


def test_concurrent_first_starts_create_admin_once(make_app, tmp_path):
    make_app(ADMIN_PASSWORD="x" * 12)  # creates the schema (and admin)
    store = IdentityStore(Database(f"sqlite:///{tmp_path / 'gateway.db'}"))
    with store.database.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM users")
    results, barrier = [], threading.Barrier(6)

    def start():
        barrier.wait()
        results.append(bootstrap.ensure_admin(store, tmp_path, None))

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    with store.database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM users").scalar() == 1
    password = (tmp_path / "admin-password").read_text().strip()
    assert (
        make_app()
        .test_client()
        .post("/auth/token", json={"username": "admin", "password": password})
        .status_code
        == 200
    )


def test_jwt_secret_is_generated_once_0600_and_shared(make_app, tmp_path):
    first = make_app()
    second = make_app()
    path = tmp_path / "jwt-secret"
    assert mode(path) == 0o600
    assert len(path.read_text().strip()) >= 32
    token = (
        first.test_client()
        .post("/auth/token", json={"username": "admin", "password": "admin-test-password"})
        .get_json()["access_token"]
    )
    answered = second.test_client().get(
        "/api/v1/customers/c-1", headers={"Authorization": f"Bearer {token}"}
    )
    assert answered.status_code == 200


def test_configured_jwt_secret_is_used_and_nothing_written(make_app, tmp_path):
    app = make_app(JWT_SECRET="configured-jwt-secret-of-enough-length-000")
    assert app.extensions["gateway"].jwt_secret == "configured-jwt-secret-of-enough-length-000"
    assert not (tmp_path / "jwt-secret").exists()
