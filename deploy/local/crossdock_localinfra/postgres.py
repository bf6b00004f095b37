"""A private PostgreSQL cluster made with the machine's `initdb` and `pg_ctl`.

`initdb` refuses to run as root. When this runs as root (as CI does), every
server command runs as the unprivileged `postgres` system user through
`runuser`, and that user owns the cluster's folder. The cluster listens on
127.0.0.1 only. Durability settings are relaxed (`fsync=off`) because this
cluster only ever contains development and test data.
"""

import glob
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from crossdock_localinfra import paths, process
from crossdock_localinfra.kafka import LocalInfraError

USER = "crossdock"
PASSWORD = "crossdock"
DATABASE = "crossdock"
SERVER_USER = "postgres"


@dataclass(kw_only=True)
class LocalPostgres:
    """The local cluster: its port and the folder that contains its data, socket and log."""

    port: int = field(default_factory=lambda: int(os.environ.get("CROSSDOCK_LOCAL_PG_PORT", "55432")))
    base_dir: Path = field(default_factory=paths.postgres_base_dir)

    @property
    def dsn(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    def running_pid(self) -> int | None:
        """Return the postmaster pid of this checkout's cluster, if it runs."""
        try:
            pid = process.read_pid(self.pid_file)
        except PermissionError:
            pid = None
        if pid is not None and process.is_running(pid, str(self.data_dir)):
            return pid
        return None

    def up(self, *, timeout: float = 60.0) -> None:
        """Create the cluster on first use, start it unless it runs, and create the database."""
        self._bindir()
        if self.running_pid() is None:
            if process.port_in_use(self.port):
                raise LocalInfraError(
                    f"port {self.port} is already in use by another process (another checkout's PostgreSQL?); "
                    "stop it or set CROSSDOCK_LOCAL_PG_PORT to a free port"
                )
            if not process.wait_until_bindable(self.port):
                raise LocalInfraError(f"port {self.port} cannot be bound; set CROSSDOCK_LOCAL_PG_PORT to a free port")
            self._init_cluster()
            self._write_config()
            self._run_as_server_user(
                ["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", str(int(timeout)), "start"],
                what="starting PostgreSQL",
            )
        self.wait_ready(timeout=timeout)
        self._create_database()

    def down(self) -> bool:
        """Stop the cluster through its pid file. Return False when it was not running."""
        if self.running_pid() is None:
            return False
        self._run_as_server_user(
            ["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop"],
            what="stopping PostgreSQL",
        )
        return True

    def wait_ready(self, *, timeout: float) -> None:
        """Block until `pg_isready` accepts connections, or raise naming the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                [self._binary("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                capture_output=True,
            )
            if result.returncode == 0:
                return
            time.sleep(0.3)
        raise LocalInfraError(
            f"PostgreSQL on 127.0.0.1:{self.port} is not ready after {timeout:.0f} s; read {self.log_file}"
        )

    def _init_cluster(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return

        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.base_dir.chmod(0o755)
        password_file = self.base_dir / "initdb-password"
        password_file.write_text(PASSWORD + "\n")
        if self._needs_server_user():
            server = pwd.getpwnam(SERVER_USER)
            os.chown(self.base_dir, server.pw_uid, server.pw_gid)
            os.chown(password_file, server.pw_uid, server.pw_gid)

        try:
            self._run_as_server_user(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    USER,
                    f"--pwfile={password_file}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                ],
                what="initdb",
            )
        finally:
            password_file.unlink(missing_ok=True)

    def _write_config(self) -> None:
        conf = self.data_dir / "postgresql.conf"
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.base_dir}'",
            "max_connections": "300",
            "shared_buffers": "128MB",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
        }
        text = "".join(f"{key} = {value}\n" for key, value in settings.items())
        self._run_as_server_user(
            ["sh", "-c", f"cat > '{self.data_dir}/crossdock.conf'"], what="writing crossdock.conf", stdin=text
        )
        current = self._run_as_server_user(["cat", str(conf)], what="reading postgresql.conf")
        if "include_if_exists = 'crossdock.conf'" not in current:
            self._run_as_server_user(
                ["sh", "-c", f"echo \"include_if_exists = 'crossdock.conf'\" >> '{conf}'"],
                what="editing postgresql.conf",
            )

    def _create_database(self) -> None:
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        common = ["-h", "127.0.0.1", "-p", str(self.port), "-U", USER]
        exists = subprocess.run(
            [
                self._binary("psql"),
                *common,
                "-d",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'",
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if exists.returncode != 0:
            raise LocalInfraError(f"psql could not query PostgreSQL on port {self.port}: {exists.stderr.strip()}")
        if exists.stdout.strip() == "1":
            return
        created = subprocess.run([self._binary("createdb"), *common, DATABASE], capture_output=True, text=True, env=env)
        if created.returncode != 0:
            raise LocalInfraError(f"createdb {DATABASE} failed: {created.stderr.strip()}")

    def _needs_server_user(self) -> bool:
        return os.geteuid() == 0

    def _run_as_server_user(self, argv: list[str], *, what: str, stdin: str | None = None) -> str:
        if argv[0] in {"initdb", "pg_ctl"}:
            argv = [self._binary(argv[0]), *argv[1:]]
        if self._needs_server_user():
            runuser = shutil.which("runuser")
            if runuser is None:
                raise LocalInfraError("running as root needs `runuser` to start PostgreSQL as the postgres user")
            argv = [runuser, "-u", SERVER_USER, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, input=stdin, cwd="/")
        if result.returncode != 0:
            raise LocalInfraError(
                f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}\nlog: {self.log_file}"
            )
        return result.stdout

    def _binary(self, name: str) -> str:
        return str(Path(self._bindir()) / name)

    def _bindir(self) -> str:
        candidates: list[str] = []
        pg_config = shutil.which("pg_config")
        if pg_config:
            result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
            if result.returncode == 0:
                candidates.append(result.stdout.strip())
        candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(str(Path(on_path).parent))
        for candidate in candidates:
            if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
                return candidate
        raise LocalInfraError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found via pg_config --bindir, "
            "/usr/lib/postgresql/*/bin or PATH; install the PostgreSQL server package"
        )
