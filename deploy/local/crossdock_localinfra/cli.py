"""`crossdock-localinfra up|down|status|run`: the commands behind `make infra-up`, `make infra-down` and `make test`.

A server is started only when its environment variable (`KAFKA_BOOTSTRAP_SERVERS`,
`DATABASE_URL`) is unset, because then the user has pointed crossdock at servers
of their own. Where a Docker engine responds, both run as containers from
`deploy/local/compose.infra.yml` instead (see `crossdock_localinfra.compose`).
"""

import argparse
import os
import signal
import subprocess
import sys

from crossdock_localinfra.compose import ComposeInfra, chosen_backend
from crossdock_localinfra.kafka import LocalInfraError, LocalKafka
from crossdock_localinfra.postgres import LocalPostgres


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crossdock-localinfra", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "run"])
    parser.add_argument(
        "program",
        nargs=argparse.REMAINDER,
        help="for `run`: the command to run with the servers up, after `--`",
    )
    args = parser.parse_args(argv)

    kafka = LocalKafka()
    postgres = LocalPostgres()
    use_local_kafka = not os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    use_local_postgres = not os.environ.get("DATABASE_URL")

    try:
        if use_local_kafka and use_local_postgres and chosen_backend() == "compose":
            return _compose_command(ComposeInfra(), args.command, args.program)
        if args.command == "run":
            return _run_with_servers(kafka, postgres, args.program, use_local_kafka, use_local_postgres)
        if args.command == "up":
            if use_local_kafka:
                kafka.up()
            if use_local_postgres:
                postgres.up()
            print(f"KAFKA_BOOTSTRAP_SERVERS={os.environ.get('KAFKA_BOOTSTRAP_SERVERS') or kafka.bootstrap_servers}")
            print(f"DATABASE_URL={os.environ.get('DATABASE_URL') or postgres.dsn}")
        elif args.command == "down":
            stopped_kafka = kafka.down()
            stopped_postgres = postgres.down()
            print(f"kafka: {'stopped' if stopped_kafka else 'was not running'}")
            print(f"postgres: {'stopped' if stopped_postgres else 'was not running'}")
        else:
            print(f"kafka: {_describe(kafka.running_pid())} ({kafka.bootstrap_servers})")
            print(
                f"postgres: {_describe(postgres.running_pid())} (127.0.0.1:{postgres.port}, data {postgres.data_dir})"
            )
    except LocalInfraError as error:
        print(f"crossdock-localinfra {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


def _run_with_servers(
    kafka: LocalKafka,
    postgres: LocalPostgres,
    program: list[str],
    use_local_kafka: bool,
    use_local_postgres: bool,
) -> int:
    """Run `program` with the local servers up; stop afterwards only the servers this call started.

    A server that was already running (a developer's `make infra-up`) is left
    running. The servers are stopped even when the program fails or the run is
    interrupted, and the program's exit status is returned unchanged.
    """
    if program and program[0] == "--":
        program = program[1:]
    if not program:
        print("crossdock-localinfra run: give the command to run after `--`", file=sys.stderr)
        return 2

    start_kafka = use_local_kafka and kafka.running_pid() is None
    start_postgres = use_local_postgres and postgres.running_pid() is None
    try:
        if use_local_kafka:
            kafka.up()
        if use_local_postgres:
            postgres.up()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or kafka.bootstrap_servers,
            "DATABASE_URL": os.environ.get("DATABASE_URL") or postgres.dsn,
        }
        child = subprocess.Popen(program, env=env)
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            return child.wait()
    finally:
        if start_kafka:
            kafka.down()
        if start_postgres:
            postgres.down()


def _compose_command(infra: ComposeInfra, command: str, program: list[str]) -> int:
    """Run one of the four commands with both servers as compose containers."""
    addresses = {"KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap_servers, "DATABASE_URL": infra.dsn}
    if command == "up":
        infra.up()
        for name, value in addresses.items():
            print(f"{name}={value}")
    elif command == "down":
        print(f"kafka and postgres containers: {'stopped' if infra.down() else 'were not running'}")
    elif command == "status":
        print(f"kafka and postgres containers: {'running' if infra.is_running() else 'not running'} (compose)")
    else:
        if program and program[0] == "--":
            program = program[1:]
        if not program:
            print("crossdock-localinfra run: give the command to run after `--`", file=sys.stderr)
            return 2
        started_here = not infra.is_running()
        try:
            infra.up()
            child = subprocess.Popen(program, env={**os.environ, **addresses})
            try:
                return child.wait()
            except KeyboardInterrupt:
                child.send_signal(signal.SIGINT)
                return child.wait()
        finally:
            if started_here:
                infra.down()
    return 0


def _describe(pid: int | None) -> str:
    return f"running, pid {pid}" if pid is not None else "not running"


if __name__ == "__main__":
    sys.exit(main())
