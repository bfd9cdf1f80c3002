"""deploy/k8s against the code: every service runs, every variable is read, probes hold.

No cluster is needed: the manifests are read as YAML, as test_compose.py reads
docker-compose.yml, and compared with what the packages declare
(``servicekit.config.ENV_VARS``, ``gateway.settings.ENV_VARS``, the rule settings
dataclasses). When kubectl is installed, ``kubectl kustomize`` must also build them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from complaints.domain import ComplaintSettings
from customer.domain import CustomerSettings
from finance.domain import FinanceSettings
from gateway.settings import ENV_VARS as GATEWAY_ENV_VARS
from returns.domain import ReturnsSettings
from servicekit.config import ENV_VARS as SERVICE_ENV_VARS
from servicekit.config import SERVICES

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
KUSTOMIZATION = yaml.safe_load((K8S / "kustomization.yaml").read_text())
SECRET_EXAMPLE = "secret.example.yaml"
SERVICE_DIRS = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))
NAMESPACE = "aftersales"
GATEWAY_ARGV = [
    "gunicorn",
    "-c",
    "python:gateway.gunicorn_conf",
    "-b",
    "0.0.0.0:8000",
    "gateway.wsgi:app",
]
# Values that hold credentials: only ever from the Secret, never in a ConfigMap or literal.
SECRET_NAMES = {
    "AMQP_URI",
    "JWT_SECRET",
    "AFTERSALES_ADMIN_PASSWORD",
    "CUSTOMER_DATA_KEYS",
    "CUSTOMER_INDEX_KEY",
} | {f"{name.upper()}_DATABASE_URL" for name in (*SERVICES, "gateway")}


def documents(filename: str) -> list[dict]:
    text = (K8S / filename).read_text()
    return [doc for doc in yaml.safe_load_all(text) if doc]


def applied() -> list[dict]:
    """Every object ``kubectl apply -k deploy/k8s`` applies (the secret example is not)."""
    return [doc for filename in KUSTOMIZATION["resources"] for doc in documents(filename)]


def of_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in applied() if doc["kind"] == kind}


def pod_spec(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]


def containers(deployment: dict) -> list[dict]:
    spec = pod_spec(deployment)
    return [*spec.get("initContainers", []), *spec["containers"]]


def all_containers() -> Iterator[tuple[str, dict]]:
    for name, deployment in of_kind("Deployment").items():
        for container in containers(deployment):
            yield name, container


def argv(container: dict) -> list[str]:
    return [str(arg) for arg in [*container.get("command", []), *container.get("args", [])]]


def run_target(container: dict) -> str | None:
    """``<name>`` when the container runs ``python -m servicekit.run <name>``."""
    args = argv(container)
    if "servicekit.run" in args:
        index = args.index("servicekit.run")
        return args[index + 1] if index + 1 < len(args) else ""
    return None


def service_deployments() -> dict[str, dict]:
    """Service name -> the Deployment whose container runs it."""
    found = {}
    for deployment in of_kind("Deployment").values():
        for container in containers(deployment):
            target = run_target(container)
            if target is not None:
                assert target not in found, f"{target} runs in two Deployments"
                found[target] = deployment
    return found


def gateway() -> dict:
    return of_kind("Deployment")["gateway"]


def gateway_container() -> dict:
    (container,) = [c for c in containers(gateway()) if argv(c)[:1] == ["gunicorn"]]
    return container


def configmap_data() -> dict[str, dict[str, str]]:
    return {name: doc.get("data") or {} for name, doc in of_kind("ConfigMap").items()}


def commented_keys(filename: str) -> set[str]:
    """``# NAME: value`` lines: settings an operator may uncomment."""
    text = (K8S / filename).read_text()
    return set(re.findall(r"^\s*#\s*([A-Z][A-Z0-9_]*):", text, flags=re.MULTILINE))


def secret_example() -> dict:
    (doc,) = documents(SECRET_EXAMPLE)
    return doc


def secret_keys() -> set[str]:
    doc = secret_example()
    return set(doc.get("stringData") or {}) | set(doc.get("data") or {})


def env_names(container: dict) -> set[str]:
    """Every variable the container gets: its env and all of each ConfigMap it loads."""
    names = {item["name"] for item in container.get("env", [])}
    data = configmap_data()
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names |= set(data[source["configMapRef"]["name"]])
        if "secretRef" in source:
            names |= secret_keys()
    return names


def rule_settings() -> set[str]:
    """``<PREFIX>_<FIELD>`` of the settings dataclasses (servicekit.config.settings_from)."""
    return {
        f"{prefix}_{field.name.upper()}"
        for cls, prefix in (
            (CustomerSettings, "CUSTOMER"),
            (ComplaintSettings, "COMPLAINTS"),
            (ReturnsSettings, "RETURNS"),
            (FinanceSettings, "FINANCE"),
        )
        for field in dataclasses.fields(cls)
    }


def read_by_the_code() -> set[str]:
    names = set(SERVICE_ENV_VARS) | set(GATEWAY_ENV_VARS) | rule_settings()
    return names | {f"{name.upper()}_DATABASE_URL" for name in (*SERVICES, "gateway")}


def service_variables(name: str) -> set[str]:
    return set(SERVICE_ENV_VARS) | rule_settings() | {f"{name.upper()}_DATABASE_URL"}


def walk(node: object) -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def container_port(container: dict, port: int | str) -> int:
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == port]
    return number


# -- kustomization -------------------------------------------------------------------


def test_kustomization_lists_every_manifest_but_the_secret_example():
    files = {p.name for p in K8S.glob("*.yaml")} | {p.name for p in K8S.glob("*.yml")}
    expected = files - {"kustomization.yaml", SECRET_EXAMPLE}
    listed = KUSTOMIZATION["resources"]
    assert len(listed) == len(set(listed)), f"listed twice: {listed}"
    assert SECRET_EXAMPLE not in listed, "the secret example must never be applied"
    assert set(listed) == expected, (
        f"not listed: {sorted(expected - set(listed))}, "
        f"no such file: {sorted(set(listed) - expected)}"
    )


def test_secret_example_is_a_secret_with_placeholders():
    doc = secret_example()
    assert doc["kind"] == "Secret" and doc["metadata"]["namespace"] == NAMESPACE
    assert (
        "kubectl" in (K8S / SECRET_EXAMPLE).read_text()
        and "create secret" in (K8S / SECRET_EXAMPLE).read_text()
    ), "the example says how to create the real Secret"
    for key, value in (doc.get("stringData") or {}).items():
        assert "CHANGE-ME" in str(value), f"{key} is not a placeholder"


def test_image_is_named_in_one_place():
    (image,) = KUSTOMIZATION["images"]
    assert image.get("newTag") or image.get("digest"), "the tag is set in kustomization.yaml"
    for name, container in all_containers():
        assert container["image"] == image["name"], (
            f"{name}: image {container['image']!r} is not {image['name']!r} (set only by images:)"
        )


def test_everything_is_in_the_namespace():
    assert KUSTOMIZATION["namespace"] == NAMESPACE
    for doc in applied():
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == NAMESPACE
        else:
            assert doc["metadata"].get("namespace") == NAMESPACE, doc["metadata"]["name"]


def test_kustomize_builds():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    built = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60
    )
    assert built.returncode == 0, built.stderr
    objects = [doc for doc in yaml.safe_load_all(built.stdout) if doc]
    assert len(objects) == len(applied())


# -- services ------------------------------------------------------------------------


def test_every_service_folder_runs_in_a_deployment():
    running = set(service_deployments())
    assert set(SERVICE_DIRS) <= running, f"no Deployment runs: {set(SERVICE_DIRS) - running}"
    assert running <= set(SERVICE_DIRS), f"no such service folder: {running - set(SERVICE_DIRS)}"
    assert set(SERVICE_DIRS) == set(SERVICES)


@pytest.mark.parametrize("name", SERVICES)
def test_service_deployment(name):
    deployment = service_deployments()[name]
    assert deployment["metadata"]["name"] == name, "kubectl scale deploy/<service> must work"
    assert deployment["spec"]["replicas"] >= 2
    (container,) = containers(deployment)
    assert argv(container) == ["python", "-m", "servicekit.run", name]
    # nameko stops gracefully on SIGTERM: finishing workers needs its time before SIGKILL.
    assert pod_spec(deployment).get("terminationGracePeriodSeconds", 30) >= 30


@pytest.mark.parametrize("name", SERVICES)
def test_service_gets_its_broker_and_own_database_only(name):
    (container,) = containers(service_deployments()[name])
    names = env_names(container)
    assert {"AMQP_URI", f"{name.upper()}_DATABASE_URL"} <= names
    foreign = names - service_variables(name)
    assert not foreign, f"{name} gets variables it does not read: {sorted(foreign)}"


# -- variables -----------------------------------------------------------------------


def test_every_variable_in_the_manifests_is_read_by_the_code():
    named = {
        f"{name}: env": {item["name"] for item in c.get("env", [])} for name, c in all_containers()
    }
    named |= {f"ConfigMap {name}": set(data) for name, data in configmap_data().items()}
    named |= {f"{f} (commented)": commented_keys(f) for f in KUSTOMIZATION["resources"]}
    named[SECRET_EXAMPLE] = secret_keys()
    unread = {where: sorted(names - read_by_the_code()) for where, names in named.items()}
    unread = {where: names for where, names in unread.items() if names}
    assert not unread, f"variables no code reads: {unread}"


def test_the_rule_settings_are_checked_by_field():
    allowed = read_by_the_code()
    assert {
        "CUSTOMER_DISCOUNT_FLOOR",
        "COMPLAINTS_VP_LIMIT",
        "RETURNS_POST_AT_ONCE",
        "FINANCE_RESALE_WINDOW_DAYS",
    } <= allowed
    assert "COMPLAINTS_RESALE_WINDOW_DAYS" not in allowed  # rule P12's window is finance's
    assert "COMPLAINTS_VP_LIMT" not in allowed and "CUSTOMER_ANYTHING" not in allowed


def test_secret_example_holds_every_secret():
    assert secret_keys() == SECRET_NAMES


def test_references_resolve():
    maps = configmap_data()
    secret_name = secret_example()["metadata"]["name"]
    for name, container in all_containers():
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                assert source["configMapRef"]["name"] in maps, name
            if "secretRef" in source:
                assert source["secretRef"]["name"] == secret_name, name
        for item in container.get("env", []):
            ref = item.get("valueFrom", {})
            if "secretKeyRef" in ref:
                assert ref["secretKeyRef"]["name"] == secret_name, (name, item["name"])
                assert ref["secretKeyRef"]["key"] in secret_keys(), (name, item["name"])
            if "configMapKeyRef" in ref:
                key = ref["configMapKeyRef"]
                assert key["key"] in maps.get(key["name"], {}), (name, item["name"])


def test_credentials_come_only_from_the_secret():
    for name, data in configmap_data().items():
        assert not set(data) & SECRET_NAMES, f"ConfigMap {name} holds {set(data) & SECRET_NAMES}"
    for name, container in all_containers():
        for item in container.get("env", []):
            if item["name"] in SECRET_NAMES:
                assert "secretKeyRef" in item.get("valueFrom", {}), (name, item["name"])


# -- gateway -------------------------------------------------------------------------


def test_gateway_runs_gunicorn_on_port_8000():
    container = gateway_container()
    assert argv(container) == GATEWAY_ARGV
    assert {p["containerPort"] for p in container["ports"]} == {8000}
    assert gateway()["spec"]["replicas"] >= 2
    assert importlib.util.find_spec("gateway.gunicorn_conf") is not None
    assert importlib.util.find_spec("gateway.wsgi") is not None


def test_gateway_probes():
    container = gateway_container()
    for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
        assert probe in container, f"gateway has no {probe}"
        http = container[probe]["httpGet"]
        assert http["path"] == path, (probe, http["path"])
        assert container_port(container, http["port"]) == 8000, probe


def test_gateway_shares_the_jwt_secret():
    (item,) = [i for i in gateway_container()["env"] if i["name"] == "JWT_SECRET"]
    assert item["valueFrom"]["secretKeyRef"]["key"] == "JWT_SECRET"
    names = env_names(gateway_container())
    assert {"AMQP_URI", "GATEWAY_DATABASE_URL", "AFTERSALES_ADMIN_PASSWORD"} <= names


def test_gateway_prometheus_dir_is_an_empty_dir():
    container = gateway_container()
    (item,) = [i for i in container["env"] if i["name"] == "PROMETHEUS_MULTIPROC_DIR"]
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    assert item["value"] in mounts, "PROMETHEUS_MULTIPROC_DIR is not a mounted volume"
    volumes = {v["name"]: v for v in pod_spec(gateway()).get("volumes", [])}
    assert "emptyDir" in volumes[mounts[item["value"]]]


def test_gateway_service_and_disruption_budget():
    pod_labels = gateway()["spec"]["template"]["metadata"]["labels"]
    service = of_kind("Service")["gateway"]
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert service["spec"]["selector"].items() <= pod_labels.items()
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80
    assert container_port(gateway_container(), port["targetPort"]) == 8000
    annotations = service["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == "8000"
    budgets = [
        pdb
        for pdb in of_kind("PodDisruptionBudget").values()
        if pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    ]
    assert budgets, "no PodDisruptionBudget selects the gateway pods"


# -- every workload ------------------------------------------------------------------


def test_no_host_ports_anywhere():
    for doc in applied():
        for key, value in walk(doc):
            assert key != "hostPort", f"{doc['metadata']['name']} has a hostPort"
            if key in ("hostNetwork", "hostPID", "hostIPC"):
                assert value is not True, f"{doc['metadata']['name']} sets {key}"


def test_every_container_has_resources():
    for name, container in all_containers():
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        assert {"cpu", "memory"} <= set(requests), f"{name}: requests {requests}"
        assert "memory" in limits, f"{name}: limits {limits}"


def test_every_deployment_selects_its_own_pods():
    for name, deployment in of_kind("Deployment").items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name


def test_containers_run_as_non_root_on_a_read_only_root():
    for name, deployment in of_kind("Deployment").items():
        pod = pod_spec(deployment).get("securityContext") or {}
        volumes = {v["name"]: v for v in pod_spec(deployment).get("volumes", [])}
        for container in containers(deployment):
            context = container.get("securityContext") or {}
            assert context.get("runAsNonRoot", pod.get("runAsNonRoot")) is True, name
            # runAsNonRoot with the image's USER given by name cannot be verified.
            assert context.get("runAsUser", pod.get("runAsUser", 0)) > 0, name
            assert context.get("readOnlyRootFilesystem") is True, name
            assert context.get("allowPrivilegeEscalation") is False, name
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{name}: /tmp is not an emptyDir"


def test_every_customer_replica_gets_the_same_personal_data_keys():
    # rule C11: without them each pod generates its own keys and cannot read the others'
    customers = [(n, c) for n, c in all_containers() if run_target(c) == "customer"]
    assert customers
    for name, container in customers:
        from_secret = {
            item["name"]
            for item in container.get("env", [])
            if "secretKeyRef" in item.get("valueFrom", {})
        }
        assert {"CUSTOMER_DATA_KEYS", "CUSTOMER_INDEX_KEY"} <= from_secret, name
