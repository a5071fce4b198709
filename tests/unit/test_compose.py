"""docker-compose.yml: valid against the Compose Specification schema and wired as expected.

No Docker engine runs on the development machines (DESIGN.md section 7), so `docker compose config`
cannot check the file; this test does what it would: interpolate variables the way Compose does,
validate against the Compose JSON schema (draft-07) from the handout, and check the wiring.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from pydantic_settings import BaseSettings

from services.applications.settings import ApplicationsSettings
from services.funding.settings import FundingSettings
from services.monitoring.settings import MonitoringSettings, PolicySettings
from services.publication.settings import PublicationSettings
from tests.support.compose import (
    COMPOSE_FILE,
    REPO,
    Doc,
    MissingVariableError,
    command_text,
    depends_on_of,
    environment_of,
    image_cmd,
    interpolate,
    interpolate_all,
)

SCHEMA_FILE = REPO.parent / "shared" / "standards" / "compose" / "compose-spec.json"

SERVICES = ("applications", "funding", "monitoring", "publication")
DEFAULT_PORTS = {"applications": 8001, "funding": 8002, "monitoring": 8003, "publication": 8004}
REQUIRED_VARIABLES = ("COMMISSIONING_JWT_SECRET", "POSTGRES_PASSWORD", "VOTER_HASH_SALT")
# What an operator exports before `docker compose up`: the required variables and nothing else.
OPERATOR_ENV = {
    "COMMISSIONING_JWT_SECRET": "0" * 64,
    "POSTGRES_PASSWORD": "pw",
    "VOTER_HASH_SALT": "1" * 64,
}


def schema_errors(doc: Doc, schema: Doc) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(doc)
    ]


def operator_problems(doc: Doc) -> Iterator[str]:
    """What an operator would check by eye; yields one message per problem found."""
    services: dict[str, Doc] = doc.get("services") or {}
    if "version" in doc:
        yield "top-level `version` is obsolete in the Compose Specification"

    for name in SERVICES:
        service = services.get(name)
        if service is None:
            yield f"{name}: missing"
            continue
        build = service.get("build")
        dockerfile = build.get("dockerfile") if isinstance(build, dict) else None
        if dockerfile != "deploy/Dockerfile":
            yield f"{name}: does not build from deploy/Dockerfile (build: {build!r})"
        env = environment_of(service)
        # No `command`: the image's CMD runs `python -m services.${SERVICE}.main`.
        runs = command_text(service) or " ".join(image_cmd()).replace(
            "${SERVICE}", env.get("SERVICE", "?")
        )
        if f"services.{name}.main" not in runs:
            yield f"{name}: does not run `python -m services.{name}.main` (runs {runs!r})"
        test = " ".join((service.get("healthcheck") or {}).get("test") or [])
        if "/healthz" not in test or "urllib" not in test:
            yield f"{name}: no healthcheck calling /healthz with urllib (test: {test!r})"
        if not service.get("restart"):
            yield f"{name}: no restart policy"

        url = urlsplit(env.get("DATABASE_URL", ""))
        if url.scheme not in ("postgresql", "postgres") or url.path != f"/{name}":
            yield f"{name}: DATABASE_URL does not point at its own database {name!r}"
        if url.hostname not in services:
            yield f"{name}: DATABASE_URL host {url.hostname!r} is not a compose service"
        if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
            yield f"{name}: KAFKA_BOOTSTRAP_SERVERS not set"
        for var in ("COMMISSIONING_JWT_SECRET", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"):
            if not env.get(var):
                yield f"{name}: {var} not set"
        port = env.get("PORT")
        if port != str(DEFAULT_PORTS[name]):
            yield f"{name}: PORT is {port!r}, expected {DEFAULT_PORTS[name]}"
        published = [str(item) for item in service.get("ports") or []]
        if published and not all(item.endswith(f":{port}") for item in published):
            yield f"{name}: published ports {published} do not target PORT {port}"

        needs = depends_on_of(service)
        for target, condition in {
            "postgres": "service_healthy",
            "kafka": "service_healthy",
            "kafka-init": "service_completed_successfully",
        }.items():
            if needs.get(target) != condition:
                yield f"{name}: should depend on {target} with condition {condition}"

    kafka = services.get("kafka") or {}
    if not str(kafka.get("image", "")).startswith("apache/kafka:"):
        yield "kafka: not the official apache/kafka image"
    roles = environment_of(kafka).get("KAFKA_PROCESS_ROLES", "")
    if {role.strip() for role in roles.split(",")} != {"broker", "controller"}:
        yield f"kafka: not a combined KRaft broker+controller (KAFKA_PROCESS_ROLES={roles!r})"
    if not kafka.get("healthcheck"):
        yield "kafka: no healthcheck"

    init = command_text(services.get("kafka-init") or {})
    if "kafka-topics.sh" not in init or "retention.ms=-1" not in init:
        yield "kafka-init: does not create topics with kafka-topics.sh and retention.ms=-1"
    created = set(re.findall(r"commissioning\.[a-z]+\.v1(?:\.dlq)?", init))
    for name in SERVICES:
        for topic in (f"commissioning.{name}.v1", f"commissioning.{name}.v1.dlq"):
            if topic not in created:
                yield f"kafka-init: topic {topic} not created"

    postgres = services.get("postgres") or {}
    if not str(postgres.get("image", "")).startswith("postgres:16"):
        yield "postgres: not the official postgres:16 image"
    if "pg_isready" not in " ".join((postgres.get("healthcheck") or {}).get("test") or []):
        yield "postgres: no pg_isready healthcheck"

    images = {name: str(service.get("image", "")) for name, service in services.items()}
    if not any(image.startswith("otel/opentelemetry-collector") for image in images.values()):
        yield "no OpenTelemetry collector"
    if not any(image.startswith("jaegertracing/") for image in images.values()):
        yield "no Jaeger"

    declared_volumes = set(doc.get("volumes") or {})
    for name, service in services.items():
        for target, condition in depends_on_of(service).items():
            if target not in services:
                yield f"{name}: depends_on unknown service {target!r}"
            elif condition == "service_healthy" and not services[target].get("healthcheck"):
                yield f"{name}: waits for {target} to be healthy, but {target} has no healthcheck"
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/")):
                if not (REPO / source).exists():
                    yield f"{name}: bind-mounted {source} does not exist in the repository"
            elif source not in declared_volumes:
                yield f"{name}: named volume {source!r} is not declared at top level"


@pytest.fixture(scope="module")
def schema() -> Doc:
    if not SCHEMA_FILE.is_file():
        pytest.skip(f"Compose schema not found at {SCHEMA_FILE} (the handout's shared/standards/)")
    loaded: Doc = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(loaded)
    return loaded


@pytest.fixture(scope="module")
def raw() -> Doc:
    loaded: Doc = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml is not a mapping"
    return loaded


@pytest.fixture(scope="module")
def compose(raw: Doc) -> Doc:
    """The file as Compose sees it after interpolation with only the required variables set."""
    resolved: Doc = interpolate_all(raw, OPERATOR_ENV)
    return resolved


def test_file_is_valid_against_the_compose_schema(compose: Doc, schema: Doc) -> None:
    assert schema_errors(compose, schema) == []


def test_schema_validation_rejects_a_broken_file(compose: Doc, schema: Doc) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["funding"]["depends_on"]["postgres"]["condition"] = "service_ready"
    broken["services"]["kafka"]["healthcheck"]["intervall"] = "10s"
    broken["services"]["publication"]["ports"] = "8004:8004"
    errors = schema_errors(broken, schema)
    assert any(error.startswith("services/funding/depends_on") for error in errors), errors
    assert any(error.startswith("services/kafka/healthcheck") for error in errors), errors
    assert any(error.startswith("services/publication/ports") for error in errors), errors


def test_wiring_is_what_an_operator_expects(compose: Doc) -> None:
    assert list(operator_problems(compose)) == []


def test_wiring_checks_catch_mistakes(compose: Doc) -> None:
    broken = copy.deepcopy(compose)
    services = broken["services"]
    services["funding"]["environment"]["DATABASE_URL"] = "postgresql://u:p@postgres:5432/monitoring"
    services["monitoring"]["depends_on"]["kafak"] = {"condition": "service_started"}
    del services["publication"]["healthcheck"]
    services["applications"]["environment"]["SERVICE"] = "funding"
    services["kafka"]["environment"].pop("KAFKA_PROCESS_ROLES")
    del services["jaeger"]
    broken["version"] = "3.9"
    problems = "\n".join(operator_problems(broken))
    assert "funding: DATABASE_URL does not point at its own database" in problems
    assert "monitoring: depends_on unknown service 'kafak'" in problems
    assert "publication: no healthcheck" in problems
    assert "applications: does not run `python -m services.applications.main`" in problems
    assert "kafka: not a combined KRaft broker+controller" in problems
    assert "otel-collector: depends_on unknown service 'jaeger'" in problems
    assert "no Jaeger" in problems
    assert "`version` is obsolete" in problems


@pytest.mark.parametrize("variable", REQUIRED_VARIABLES)
def test_required_secrets_must_be_set(raw: Doc, variable: str) -> None:
    env = {key: value for key, value in OPERATOR_ENV.items() if key != variable}
    with pytest.raises(MissingVariableError, match=variable):
        interpolate_all(raw, env)


def test_no_secret_has_a_default() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for variable in REQUIRED_VARIABLES:
        uses = re.findall(r"\$\{" + variable + r"(:?[-?+])?", text)
        assert uses, f"{variable} is not used"
        assert set(uses) == {":?"}, f"{variable} must always be written ${{{variable}:?...}}"


def test_interpolation_follows_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET}-${UNSET}-$SET-$$SET", env) == "x--x-$SET"
    assert interpolate("${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:-d}", env) == "d d  x"
    assert interpolate("${SET:+alt}${UNSET:+alt}", env) == "alt"
    with pytest.raises(MissingVariableError) as missing:
        interpolate("${EMPTY:?give it}", env)
    assert str(missing.value) == "required variable EMPTY is missing a value: give it"
    with pytest.raises(MissingVariableError) as where:
        interpolate_all({"services": {"web": {"environment": ["A=${UNSET?}"]}}}, env)
    assert str(where.value) == (
        "error while interpolating services.web.environment[0]: "
        "required variable UNSET is missing a value"
    )


def test_services_share_one_image_and_the_dockerfile_exists(compose: Doc) -> None:
    images = {compose["services"][name].get("image") for name in SERVICES}
    assert len(images) == 1, f"the four services should run one image, got {images}"
    assert (REPO / "deploy" / "Dockerfile").is_file()


def test_collector_config_routes_traces_to_jaeger_and_metrics_to_prometheus(
    compose: Doc,
) -> None:
    mounts = [str(v) for v in compose["services"]["otel-collector"].get("volumes") or []]
    source = next(m.split(":", 1)[0] for m in mounts if "otel-collector.yaml" in m)
    config: Doc = yaml.safe_load((REPO / source).read_text(encoding="utf-8"))
    pipelines = config["service"]["pipelines"]
    for pipeline in pipelines.values():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                assert component in config[kind], f"{component} used but not defined in {kind}"
    trace_exporters = [config["exporters"][name] for name in pipelines["traces"]["exporters"]]
    assert any(str(e.get("endpoint", "")).startswith("jaeger:") for e in trace_exporters)
    assert "prometheus" in pipelines["metrics"]["exporters"]


def _pins(lock: str) -> dict[str, str]:
    """name -> version of every `name==version` line of a uv/pip-compile lock file."""
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (REPO / lock).read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in found}


def test_the_image_installs_the_runtime_lock_which_holds_no_dev_tools() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    tools = ("pytest", "pytest-asyncio", "hypothesis", "ruff", "mypy", "playwright")
    assert not [t for t in tools if t in runtime], "dev tools in the runtime lock"
    assert all(t in dev for t in tools), "the dev lock should pin every dev tool"
    # One environment takes both files: the dev lock must agree with every runtime pin.
    assert {name: dev.get(name) for name in runtime} == runtime
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    installs = re.findall(r"pip install (?:--\S+ )*-r (\S+)", dockerfile)
    assert installs == ["requirements.lock"], installs
    assert not re.search(r"^COPY .*requirements-dev", dockerfile, re.MULTILINE)


def test_the_services_pass_on_an_optional_consumer_group_prefix(compose: Doc) -> None:
    for name in SERVICES:
        assert environment_of(compose["services"][name])["CONSUMER_GROUP_PREFIX"] == "", name
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    shared = interpolate_all(raw, {**OPERATOR_ENV, "CONSUMER_GROUP_PREFIX": "dorset-"})
    for name in SERVICES:
        assert environment_of(shared["services"][name])["CONSUMER_GROUP_PREFIX"] == "dorset-"


# What the services read from the environment and compose leaves at the service's default, why.
LEFT_TO_DEFAULT = {
    "SERVICE_NAME": "fixed per service by its settings class",
    "SSE_HEARTBEAT_SECONDS": "publication's 15 s keeps common proxies from closing event streams",
    "MONITORING_POLICY": "the standard monitoring policy; set it per installation if it differs",
}


def unset_settings(doc: Doc) -> list[str]:
    """Settings a service reads that compose neither sets nor lists in LEFT_TO_DEFAULT."""
    read: dict[str, list[type[BaseSettings]]] = {
        "applications": [ApplicationsSettings],
        "funding": [FundingSettings],
        "monitoring": [MonitoringSettings, PolicySettings],
        "publication": [PublicationSettings],
    }
    problems = []
    for name, classes in read.items():
        env = environment_of(doc["services"][name])
        for settings in classes:
            prefix = str(settings.model_config.get("env_prefix") or "")
            for field in settings.model_fields:
                key = f"{prefix}{field}".upper()
                if key not in env and key not in LEFT_TO_DEFAULT:
                    problems.append(f"{name}: {key} is read but not set by compose")
    return problems


def test_every_setting_a_service_reads_is_set_or_left_to_its_default_on_purpose(
    compose: Doc,
) -> None:
    assert unset_settings(compose) == []
    broken = copy.deepcopy(compose)
    del broken["services"]["applications"]["environment"]["VOTER_HASH_SALT"]
    del broken["services"]["publication"]["environment"]["PUBLIC_URL"]
    assert unset_settings(broken) == [
        "applications: VOTER_HASH_SALT is read but not set by compose",
        "publication: PUBLIC_URL is read but not set by compose",
    ]
