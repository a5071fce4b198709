"""`commissioning demo`: everything starts, an award crosses Kafka, everything stops cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from shared.infra.databases import drop_databases
from shared.infra.processes import service_ports
from shared.messaging import SERVICES
from tests.support.services import free_base_port

COMMISSIONING = str(Path(sys.executable).with_name("commissioning"))
STORY = (  # an approval crossed Kafka to become an award, and the year ended balanced
    r"APPROVED .* -> GrantAwarded £[\d,]+\.\d\d, \d+ instalment\(s\)\n"
    r"[\s\S]*ledger check north-wales: BALANCED over \d+ entries"
)


def demo_env(**servers: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    return {**env, **servers}


async def test_demo_tells_how_an_award_reached_monitoring_and_stops(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix, base = f"demo_{uuid.uuid4().hex[:8]}_", free_base_port()
    command = [
        COMMISSIONING,
        "demo",
        "--no-wait",
        "--base-port",
        str(base),
        "--database-prefix",
        prefix,
        "--log-dir",
        str(tmp_path),
    ]
    env = demo_env(DATABASE_URL=database_url, KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap)
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        await drop_databases(database_url, [f"{prefix}{name}" for name in SERVICES])
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\nlogs: {tmp_path}"
    assert re.search(STORY, result.stdout), result.stdout
    for name, port in service_ports(base).items():
        assert f"{name:<13} http://127.0.0.1:{port}/docs" in result.stdout
        assert f"http://127.0.0.1:{port}/openapi.json" in result.stdout
        assert (tmp_path / f"{name}.log").exists()
    assert result.stdout.rstrip().endswith("stopped cleanly.")
    # Connect rather than bind: the story's many requests leave TIME_WAIT sockets on the ports.
    listening = [port for port in service_ports(base).values() if _listening(port)]
    assert not listening, "a service still listens after the demo"


def test_demo_on_embedded_servers_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    base, output = free_base_port(), tmp_path / "demo.out"
    with output.open("w") as out:
        # Its own process group, which Ctrl-C in a terminal signals as a whole.
        demo = subprocess.Popen(
            [COMMISSIONING, "demo", "--base-port", str(base), "--log-dir", str(tmp_path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=demo_env(),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while "press Ctrl-C to stop." not in output.read_text():
            assert demo.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(60) == 0, output.read_text()
    finally:
        if demo.poll() is None:
            demo.kill()
    text = output.read_text()
    assert re.search(STORY, text), text
    for name in SERVICES:
        assert re.search(rf"^{name} +stopped$", text, re.MULTILINE), text
    assert text.rstrip().endswith("stopped cleanly.")
    postgres = re.search(r"PostgreSQL: embedded, postgresql://postgres@127\.0\.0\.1:(\d+)/", text)
    kafka = re.search(r"Kafka: embedded Tansu broker, 127\.0\.0\.1:(\d+)", text)
    assert postgres and kafka, text
    ports = {"postgres": int(postgres[1]), "kafka": int(kafka[1]), **service_ports(base)}
    assert not [name for name, port in ports.items() if _listening(port)], text


def test_demo_names_the_port_that_is_taken(tmp_path: Path) -> None:
    base = free_base_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base + 1))
        taken.listen()
        result = subprocess.run(
            [COMMISSIONING, "demo", "--no-wait", "--base-port", str(base)],
            capture_output=True,
            text=True,
            env=demo_env(),
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert f"port {base + 1} (for funding) is already in use" in result.stderr
    assert "--base-port" in result.stderr


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
