"""Run services as processes on this machine: `make demo` and the end-to-end tests use this."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.messaging import SERVICES

DEFAULT_BASE_PORT = 8001  # applications 8001, funding 8002, monitoring 8003, publication 8004


class ServiceStartError(RuntimeError):
    """A service did not come up: the message names it and points at its log."""


def service_ports(base_port: int = DEFAULT_BASE_PORT) -> dict[str, int]:
    """The port of each service: consecutive from `base_port`, in the order of SERVICES."""
    return {name: base_port + offset for offset, name in enumerate(SERVICES)}


def busy_ports(ports: Mapping[str, int]) -> dict[str, int]:
    """The services whose port something on 127.0.0.1 already listens on."""
    busy = {}
    for name, port in ports.items():
        with socket.socket() as sock:
            # As uvicorn does: connections of an earlier run lingering in TIME_WAIT must not
            # count as "in use", only a listener does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                busy[name] = port
    return busy


@dataclass
class ServiceProcess:
    """One service as a child process, its output in a log file."""

    name: str
    port: int
    env: Mapping[str, str]  # DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, COMMISSIONING_JWT_SECRET...
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        env = {**os.environ, **self.env, "PORT": str(self.port), "LISTEN_ADDRESS": "127.0.0.1"}
        env["PYTHONUNBUFFERED"] = "1"  # log lines reach the file as they happen
        with self.log_path.open("ab") as log:
            # A session of its own: Ctrl-C in the terminal reaches the demo, which stops the
            # services in order, rather than every process at once.
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.name}.main"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        return self

    def exit_code(self) -> int | None:
        """None while running, else the exit code."""
        return None if self.process is None else self.process.poll()

    def log_tail(self, lines: int = 15) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def failure(self, what: str) -> ServiceStartError:
        tail = self.log_tail()
        return ServiceStartError(
            f"{self.name} {what}; see its log {self.log_path}"
            + (f"; its last lines:\n{tail}" if tail else "")
        )

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait for a clean shutdown, SIGKILL if it does not come; the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def wait_until_healthy(
    services: Sequence[ServiceProcess], timeout: float = 90.0
) -> dict[str, float]:
    """Poll every service's `/healthz` until all answer 200; seconds each took from now."""
    started, ready = time.monotonic(), dict[str, float]()
    deadline = started + timeout
    with httpx.Client(timeout=2.0) as client:
        while len(ready) < len(services):
            for service in services:
                if service.name in ready:
                    continue
                if (code := service.exit_code()) is not None:
                    raise service.failure(f"exited with code {code} while starting")
                try:
                    if client.get(f"{service.url}/healthz").status_code == 200:
                        ready[service.name] = time.monotonic() - started
                except httpx.HTTPError:
                    pass  # not listening yet
            if time.monotonic() > deadline:
                late = next(s for s in services if s.name not in ready)
                raise late.failure(
                    f"did not answer 200 on {late.url}/healthz within {timeout:.0f} s"
                )
            time.sleep(0.1)
    return ready


def stop_all(services: Sequence[ServiceProcess], timeout: float = 15.0) -> dict[str, int | None]:
    """Ask every service to stop at once, then wait for each; their exit codes."""
    for service in services:
        if service.process is not None and service.process.poll() is None:
            service.process.terminate()
    return {service.name: service.stop(timeout) for service in services}
