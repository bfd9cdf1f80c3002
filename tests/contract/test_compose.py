"""docker-compose.yml against the code: every service runs, every variable is read.

No Docker engine is needed: the file is read as YAML and compared with what the
packages declare (``servicekit.config.ENV_VARS``, ``gateway.settings.ENV_VARS``).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import yaml

from servicekit.config import ENV_VARS as SERVICE_ENV_VARS
from servicekit.config import SERVICES

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICE_DIRS = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))
INFRA = {"rabbitmq", "postgres"}  # third-party images; their variables are theirs


def compose_services() -> dict[str, dict]:
    return COMPOSE["services"]


def app_services() -> dict[str, dict]:
    """The containers built from our image (services and gateway)."""
    return {name: spec for name, spec in compose_services().items() if name not in INFRA}


def argv(spec: dict) -> list[str]:
    command = spec.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def environment(spec: dict) -> dict[str, str]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def service_run_target(spec: dict) -> str | None:
    """``<name>`` when the command is ``python -m servicekit.run <name>``."""
    args = argv(spec)
    if "servicekit.run" in args:
        index = args.index("servicekit.run")
        return args[index + 1] if index + 1 < len(args) else ""
    return None


def gateway_env_vars() -> dict[str, str]:
    try:
        settings = importlib.import_module("gateway.settings")
    except ImportError as exc:
        pytest.fail(
            f"gateway.settings cannot be imported ({exc}); the gateway's variables "
            "in docker-compose.yml cannot be checked"
        )
    return settings.ENV_VARS


def test_every_service_folder_runs_in_a_compose_service():
    running = {service_run_target(spec) for spec in compose_services().values()} - {None}
    assert set(SERVICE_DIRS) <= running, f"not in docker-compose.yml: {set(SERVICE_DIRS) - running}"
    assert running <= set(SERVICE_DIRS), f"no such service folder: {running - set(SERVICE_DIRS)}"


def test_every_service_folder_is_a_known_service():
    assert set(SERVICE_DIRS) == set(SERVICES)


@pytest.mark.parametrize("name", SERVICES)
def test_service_container_has_its_broker_and_own_database(name):
    (spec,) = [s for s in compose_services().values() if service_run_target(s) == name]
    env = environment(spec)
    assert "AMQP_URI" in env
    own = f"{name.upper()}_DATABASE_URL"
    assert env.get(own, "").startswith("postgresql://"), f"{name} has no {own}"
    foreign = {k for k in env if k.endswith("_DATABASE_URL") and k != own}
    assert not foreign, f"{name} is given another's database: {foreign}"


def test_every_compose_variable_is_read_by_the_code():
    allowed = set(SERVICE_ENV_VARS) | {f"{s.upper()}_DATABASE_URL" for s in SERVICES}
    allowed |= set(gateway_env_vars())
    unread = {
        name: sorted(set(environment(spec)) - allowed)
        for name, spec in app_services().items()
        if set(environment(spec)) - allowed
    }
    assert not unread, f"variables no code reads: {unread}"


def test_service_containers_get_only_service_variables():
    allowed = set(SERVICE_ENV_VARS) | {f"{s.upper()}_DATABASE_URL" for s in SERVICES}
    for name, spec in app_services().items():
        if service_run_target(spec) is not None:
            assert set(environment(spec)) <= allowed, name


def test_no_container_names_and_no_host_ports_but_the_gateway():
    for name, spec in compose_services().items():
        assert "container_name" not in spec, f"{name} has a fixed container_name"
        if name != "gateway":
            assert not spec.get("ports"), f"{name} publishes host ports: cannot be scaled"
    assert compose_services()["gateway"].get("ports"), "the gateway publishes no port"


def test_gateway_runs_gunicorn_with_gthread_and_the_wsgi_app():
    args = argv(compose_services()["gateway"])
    assert args and Path(args[0]).name == "gunicorn"
    joined = " ".join(args)
    assert re.search(r"(-k|--worker-class)[ =]gthread\b", joined), joined
    assert args[-1] == "gateway.wsgi:app"
    bind = args[args.index("-b") + 1]
    published = str(compose_services()["gateway"]["ports"][0])
    assert published.endswith(":" + bind.rsplit(":", 1)[1]), (published, bind)


def test_gateway_wsgi_module_exists():
    assert importlib.util.find_spec("gateway.wsgi") is not None, "gateway/gateway/wsgi.py missing"


def test_every_database_is_created_by_the_init_script():
    init_sql = (REPO / "deploy" / "postgres-init.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+)", init_sql, flags=re.IGNORECASE))
    for name, spec in app_services().items():
        for key, url in environment(spec).items():
            if key.endswith("_DATABASE_URL"):
                database = url.rsplit("/", 1)[1].split("?")[0]
                assert database in created, f"{name}: {key} names {database!r}, not created"


def test_image_installs_pinned_packages():
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    assert "-c requirements/constraints.txt" in dockerfile
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
