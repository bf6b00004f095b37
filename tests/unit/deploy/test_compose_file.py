"""docker-compose.yml is valid Compose and every service can be built and health-checked."""

import json

import jsonschema
import pytest
import yaml


@pytest.fixture(scope="module")
def compose(repo_root):
    return yaml.safe_load((repo_root / "docker-compose.yml").read_text())


def test_compose_matches_compose_specification(compose, shared_dir):
    schema = json.loads((shared_dir / "fixtures" / "compose-spec.json").read_text())

    jsonschema.Draft7Validator(schema).validate(compose)


def test_compose_every_service_has_healthcheck(compose):
    missing = [name for name, service in compose["services"].items() if "healthcheck" not in service]

    assert missing == []


def test_compose_build_contexts_and_dockerfiles_exist(compose, repo_root):
    for name, service in compose["services"].items():
        build = service.get("build")
        if build is None:
            assert "image" in service, f"{name} has neither build nor image"
            continue
        context = repo_root / build["context"]
        assert context.is_dir(), f"{name}: build context {context} missing"
        assert (context / build["dockerfile"]).is_file(), f"{name}: Dockerfile {build['dockerfile']} missing"


def test_compose_application_services_wait_for_healthy_infrastructure(compose):
    for name in ["catalog", "inventory", "order_routing", "mirakl_connector", "tiktok_connector"]:
        depends_on = compose["services"][name]["depends_on"]
        assert depends_on["kafka"]["condition"] == "service_healthy", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name


def test_compose_env_file_exists(compose, repo_root):
    for name, service in compose["services"].items():
        for env_file in (
            [service["env_file"]] if isinstance(service.get("env_file"), str) else service.get("env_file", [])
        ):
            assert (repo_root / env_file).is_file(), f"{name}: env file {env_file} missing"
