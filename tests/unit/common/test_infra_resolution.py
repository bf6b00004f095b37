"""The order in which tests look for Kafka and PostgreSQL: environment, testcontainers, local."""

import pytest
from crossdock_common.testing.infra import InfraUnavailable, Resolver, resolve_kafka


def make_resolver(*, docker=(False, "no engine"), check=None, container=None, local=None, calls=None):
    calls = [] if calls is None else calls

    def default_check(address):
        calls.append(("check", address))

    def start_container():
        calls.append(("container",))
        if container is None:
            raise RuntimeError("container failed")
        return container, "handle"

    def start_local():
        calls.append(("local",))
        if local is None:
            raise RuntimeError("local failed")
        return local

    return Resolver(
        kind="Kafka",
        env_var="KAFKA_BOOTSTRAP_SERVERS",
        check=check or default_check,
        docker_available=lambda: docker,
        start_container=start_container,
        start_local=start_local,
    )


def test_resolver_prefers_environment():
    calls = []
    resolver = make_resolver(docker=(True, ""), container="c:1", local="l:1", calls=calls)

    resolution = resolver.resolve({"KAFKA_BOOTSTRAP_SERVERS": "env:9092"})

    assert resolution.address == "env:9092"
    assert resolution.path == "environment"
    assert calls == [("check", "env:9092")]


def test_resolver_uses_testcontainers_when_docker_answers():
    calls = []
    resolver = make_resolver(docker=(True, ""), container="c:1", local="l:1", calls=calls)

    resolution = resolver.resolve({})

    assert resolution.path == "testcontainers"
    assert resolution.address == "c:1"
    assert resolution.handle == "handle"
    assert ("local",) not in calls


def test_resolver_falls_back_to_local_without_docker():
    resolver = make_resolver(docker=(False, "no Docker engine answered"), local="127.0.0.1:19092")

    resolution = resolver.resolve({})

    assert resolution.path == "local"
    assert resolution.address == "127.0.0.1:19092"
    assert any("no Docker engine answered" in attempt for attempt in resolution.attempts)


def test_resolver_falls_back_to_local_when_container_fails():
    resolver = make_resolver(docker=(True, ""), container=None, local="l:1")

    resolution = resolver.resolve({})

    assert resolution.path == "local"
    assert any("container failed" in attempt for attempt in resolution.attempts)


def test_resolver_failure_lists_every_path_tried():
    resolver = make_resolver(docker=(False, "no Docker engine answered"), local=None)

    with pytest.raises(InfraUnavailable) as raised:
        resolver.resolve({})

    message = str(raised.value)
    assert "KAFKA_BOOTSTRAP_SERVERS is not set" in message
    assert "no Docker engine answered" in message
    assert "local failed" in message


def test_resolver_unreachable_environment_address_is_not_replaced():
    def refuse(address):
        raise ConnectionRefusedError(f"connection to {address} refused")

    resolver = make_resolver(docker=(True, ""), container="c:1", local="l:1", check=refuse)

    with pytest.raises(InfraUnavailable) as raised:
        resolver.resolve({"KAFKA_BOOTSTRAP_SERVERS": "10.0.0.1:9092"})

    assert "KAFKA_BOOTSTRAP_SERVERS=10.0.0.1:9092" in str(raised.value)


def test_resolve_kafka_names_unreachable_address():
    with pytest.raises(InfraUnavailable) as raised:
        resolve_kafka({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})

    assert "127.0.0.1:1" in str(raised.value)


def test_kafka_fixture_fails_naming_address(pytester, monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
    pytester.makeconftest('pytest_plugins = ["crossdock_common.testing.pytest_plugin"]')
    pytester.makepyfile("def test_needs_kafka(kafka_bootstrap):\n    pass\n")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1*unreachable*"])
