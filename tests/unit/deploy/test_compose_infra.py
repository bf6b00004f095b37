"""The compose path of `crossdock-localinfra`: its compose file and how the backend is chosen."""

import json
import subprocess

import jsonschema
import pytest
import yaml
from crossdock_localinfra import compose
from crossdock_localinfra.kafka import LocalInfraError


@pytest.fixture(scope="module")
def infra_file(repo_root):
    return yaml.safe_load((repo_root / "deploy" / "local" / "compose.infra.yml").read_text())


def test_infra_compose_file_matches_compose_specification(infra_file, shared_dir):
    schema = json.loads((shared_dir / "fixtures" / "compose-spec.json").read_text())

    jsonschema.Draft7Validator(schema).validate(infra_file)


def test_infra_compose_ports_loopback_only(infra_file):
    kafka, postgres = infra_file["services"]["kafka"], infra_file["services"]["postgres"]

    assert kafka["ports"] == ["127.0.0.1:${CROSSDOCK_LOCAL_KAFKA_PORT:-19092}:9092"]
    assert postgres["ports"] == ["127.0.0.1:${CROSSDOCK_LOCAL_PG_PORT:-55432}:5432"]
    # Clients on the host must receive the published address, not the container's.
    assert (
        kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"]
        == "PLAINTEXT://127.0.0.1:${CROSSDOCK_LOCAL_KAFKA_PORT:-19092}"
    )
    assert all("healthcheck" in service for service in infra_file["services"].values())


def test_compose_addresses_match_the_local_servers(monkeypatch):
    monkeypatch.setenv("CROSSDOCK_LOCAL_KAFKA_PORT", "29092")
    monkeypatch.setenv("CROSSDOCK_LOCAL_PG_PORT", "55499")

    infra = compose.ComposeInfra()

    assert infra.bootstrap_servers == "127.0.0.1:29092"
    assert infra.dsn == "postgresql://crossdock:crossdock@127.0.0.1:55499/crossdock"
    assert infra.command("up", "--wait")[:4] == ["docker", "compose", "-f", str(compose.COMPOSE_FILE)]


def test_backend_named_explicitly_is_used_without_asking_docker(monkeypatch):
    monkeypatch.setattr(compose, "docker_engine_answers", lambda: pytest.fail("docker must not be asked"))

    assert compose.chosen_backend({"CROSSDOCK_INFRA": "local"}) == "local"
    assert compose.chosen_backend({"CROSSDOCK_INFRA": "Compose"}) == "compose"


def test_auto_backend_follows_the_docker_engine(monkeypatch):
    monkeypatch.setattr(compose, "docker_engine_answers", lambda: False)
    assert compose.chosen_backend({}) == "local"

    monkeypatch.setattr(compose, "docker_engine_answers", lambda: True)
    assert compose.chosen_backend({"CROSSDOCK_INFRA": "auto"}) == "compose"


def test_unknown_backend_names_the_value_and_the_choices():
    with pytest.raises(LocalInfraError, match=r"CROSSDOCK_INFRA='podman' is not one of auto, local, compose"):
        compose.chosen_backend({"CROSSDOCK_INFRA": "podman"})


def test_docker_engine_that_does_not_answer_means_local(monkeypatch):
    monkeypatch.setattr(compose.shutil, "which", lambda name: "/usr/bin/docker")
    monkeypatch.setattr(
        compose.subprocess,
        "run",
        lambda *args, **kwargs: subprocess.CompletedProcess(args, 1, b"", b"Cannot connect to the Docker daemon"),
    )

    assert compose.docker_engine_answers() is False
