"""`crossdock-localinfra` starts and stops exactly its own servers, idempotently.

Runs a second pair of servers on other ports and folders, so it never touches
the servers the rest of the suite uses.
"""

import shutil
from pathlib import Path

import pytest
from crossdock_localinfra import LocalKafka, LocalPostgres
from crossdock_localinfra.process import is_running


@pytest.fixture
def private_servers(tmp_path):
    kafka = LocalKafka(port=29092, controller_port=29093, state_dir=tmp_path / "kafka")
    postgres_dir = Path("/var/tmp") / f"crossdock-pg-test-{tmp_path.name}"
    postgres = LocalPostgres(port=55439, base_dir=postgres_dir)
    yield kafka, postgres
    kafka.down()
    postgres.down()
    shutil.rmtree(postgres_dir, ignore_errors=True)


def test_local_servers_up_down_leave_nothing_running(private_servers):
    kafka, postgres = private_servers

    kafka.up()
    postgres.up()
    kafka.up()
    postgres.up()
    kafka_pid = kafka.running_pid()
    postgres_pid = postgres.running_pid()

    assert kafka_pid is not None
    assert postgres_pid is not None

    assert kafka.down() is True
    assert postgres.down() is True
    assert kafka.down() is False
    assert postgres.down() is False
    assert not is_running(kafka_pid, str(kafka.config_file))
    assert not is_running(postgres_pid, str(postgres.data_dir))
