"""Docker files as Docker would read them: compose.yaml against the Compose specification's schema,
.env.example against the image's ENV defaults, and the image installing from the lock file."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_schema() -> dict[str, object]:
    """The Compose specification's JSON schema (compose-spec/compose-spec, schema/compose-spec.json),
    as vendored, with its license, by check-jsonschema (pinned in pyproject's dev extras)."""
    source = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema: dict[str, object] = json.loads(source.read_text(encoding="utf-8"))
    return schema


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def image_env() -> dict[str, str]:
    """The ENV the final stage of the image sets."""
    final_stage = [i for i, (word, _) in enumerate(dockerfile_instructions()) if word == "FROM"][-1]
    env: dict[str, str] = {}
    for word, rest in dockerfile_instructions()[final_stage:]:
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(rest))
    return env


def env_example_assignments() -> dict[str, str]:
    """The variables .env.example sets (uncommented lines only), as docker --env-file reads them."""
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    jsonschema.validate(compose, compose_schema())


def test_the_schema_check_catches_a_broken_compose_file() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    compose["services"]["serve"]["depends_on"]["migrate"]["condition"] = "when_it_feels_like_it"
    try:
        jsonschema.validate(compose, compose_schema())
    except jsonschema.ValidationError:
        return
    raise AssertionError("an invalid condition passed the schema")


def test_compose_runs_postgres_16_migrations_once_then_serve_and_worker_with_health_checks() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert services["db"]["image"].startswith("postgres:16")
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["serve"]["command"] == ["serve", "--no-scheduler"]
    assert services["worker"]["command"] == ["worker"]
    for name in ("serve", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["healthcheck"]["test"] == ["CMD", "serendip", "healthcheck"]
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "healthcheck" in services["db"]
    volumes = yaml.safe_load((ROOT / "compose.yaml").read_text())["volumes"]
    assert any(v.split(":")[0] in volumes for v in services["db"]["volumes"])


def test_env_example_does_not_override_the_images_defaults() -> None:
    defaults = image_env()
    assert defaults["SERENDIP_HOST"] == "0.0.0.0"
    assert defaults["DATABASE_URL"].startswith("sqlite:////data/")
    assert not set(defaults) & set(env_example_assignments())


def test_the_image_installs_its_dependencies_from_the_lock_file_with_hashes() -> None:
    runs = [rest for word, rest in dockerfile_instructions() if word == "RUN"]
    assert any("--require-hashes -r" in run and "requirements.lock" in run for run in runs)
    assert any("--no-deps" in run and "/wheels/" in run for run in runs)


def test_the_lock_file_pins_every_dependency_to_an_exact_version() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {
        m.group(1).lower().replace("_", "-") for m in re.finditer(r"^([A-Za-z0-9_.-]+)==\S+ ", lock, re.M)
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is not in requirements.lock"
    assert "--python-version 3.12" in lock.splitlines()[1]


def test_the_healthcheck_is_the_serendip_healthcheck_command() -> None:
    checks = [rest for word, rest in dockerfile_instructions() if word == "HEALTHCHECK"]
    assert len(checks) == 1 and checks[0].endswith('CMD ["serendip", "healthcheck"]')
