"""A private, throwaway PostgreSQL cluster for end-to-end tests.

It listens on a unix socket only (``listen_addresses=''``), runs with durability off
(``fsync=off`` and friends) because its data is thrown away, and is owned by the
``postgres`` user when the tests run as root (PostgreSQL refuses to run as root).
``scripts/install_deployment_deps.sh`` installs the server and the drivers.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


def find_pg_bindir() -> Path:
    """Return the directory holding ``initdb``/``pg_ctl``/``psql`` (newest Debian version first)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise RuntimeError("PostgreSQL server not found; run scripts/install_deployment_deps.sh")


class PostgresCluster:
    """Start and stop one PostgreSQL cluster under a fresh temporary directory.

    :param base_dir: parent of the cluster directory; a short path is needed because the
        unix socket path must stay under ~100 characters. Defaults to the system temp dir.
    """

    def __init__(self, base_dir: str | None = None) -> None:
        self.bindir = find_pg_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="af-e2e-pg-", dir=base_dir))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.log_file = self.root / "postgres.log"
        self.superuser = "postgres"
        self._run_as: str | None = None
        if os.geteuid() == 0:
            self._run_as = "postgres"
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.socket_dir.mkdir()
        if self._run_as:
            pw = pwd.getpwnam(self._run_as)
            os.chown(self.socket_dir, pw.pw_uid, pw.pw_gid)
        self.started = False

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self._run_as, "--"] if self._run_as else []
        return [*prefix, *args]

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self._cmd(*args), capture_output=True, text=True, timeout=timeout, cwd=self.root, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> PostgresCluster:
        """Create the cluster (``initdb``) and start the server; returns self."""
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            self.superuser,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = " ".join(
            [
                "-c listen_addresses=''",
                f"-c unix_socket_directories={self.socket_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
                "-c shared_buffers=64MB",
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.started = True
        return self

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (a copy of ``template`` if given) and return its SQLAlchemy URL.

        Copying a migrated template takes well under a second, against several seconds for
        ``airflow db migrate``; the template must have no open connections.
        """
        suffix = f' TEMPLATE "{template}"' if template else ""
        self.psql("postgres", f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)

    def psql(self, database: str, sql: str) -> str:
        """Run one SQL statement with ``psql`` and return its unaligned output."""
        result = self._run(
            str(self.bindir / "psql"),
            "-h",
            str(self.socket_dir),
            "-U",
            self.superuser,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        )
        return result.stdout

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{self.superuser}@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        """Stop the server (immediate mode) and delete the cluster directory."""
        if self.started:
            subprocess.run(
                self._cmd(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"
                ),
                capture_output=True,
                timeout=60,
                check=False,
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)
