"""The systemd units and the supervisord template run the same commands, restart a crashed part,
and read the documented environment file; systemd itself checks the units when it is installed.
The container files (deploy/docker/, deploy/docker-compose.yml, deploy/helm/) run those commands
too, have a health check for every service and hold no secret; images cannot be built here, so
these checks are static."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

from scripts import compose_files

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYSTEMD_DIR = PROJECT_ROOT / "deploy" / "systemd"
SUPERVISOR_TEMPLATE = PROJECT_ROOT / "deploy" / "supervisord.conf.in"
START_SCRIPT = PROJECT_ROOT / "scripts" / "start_part.sh"
UNITS = {
    "actions": "backpain-actions.service",
    "rasa": "backpain-rasa.service",
    "web": "backpain-web.service",
}
INSTALLED_AT = "/opt/backpain"
ENV_FILE = "/etc/backpain/backpain.env"
DOCKER_DIR = PROJECT_ROOT / "deploy" / "docker"
COMPOSE_FILE = PROJECT_ROOT / "deploy" / "docker-compose.yml"
HELM_DIR = PROJECT_ROOT / "deploy" / "helm"
# Which part each image runs; the page (`web`) is served by nginx in containers.
IMAGES = {
    "rasa.Dockerfile": ("rasa", "rasa/rasa:3.6.21"),
    "actions.Dockerfile": ("actions", "rasa/rasa-sdk:3.6.2"),
}
COMPOSE_SERVICES = {"nginx", "rasa1", "rasa2", "actions", "postgres", "redis"}
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|AUTH", re.IGNORECASE)
# A reference compose or Rasa resolves from the environment: ${NAME}, ${NAME:?message} (required)
# or ${NAME:-} (optional, empty). A default after `:-` would be a literal secret.
SECRET_REFERENCE = re.compile(r"^\$\{[A-Z_]+(:\?[^}]*|:-)?\}$")
# Top-level keys of the Helm values. The `rasa` chart's (RasaHQ/helm-charts, charts/rasa/
# values.yaml, 1.17.x): first those a colleague checked in its documentation, then the others
# these values rely on, each a top-level key of that same values.yaml.
RASA_CHART_DOCUMENTED = {
    "applicationSettings",
    "replicaCount",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "global",
    "postgresql",
    "redis",
    "extraEnv",
}
RASA_CHART_RELIED_ON = {"image", "command", "args", "nginx", "rasa-action-server"}
# The `rasa-action-server` chart's (charts/rasa-action-server/values.yaml).
ACTION_CHART_KEYS = {
    "fullnameOverride",
    "image",
    "replicaCount",
    "applicationSettings",
    "command",
    "args",
    "resources",
    "livenessProbe",
    "readinessProbe",
}
HELM_VALUES = {
    "values-rasa.yml": (RASA_CHART_DOCUMENTED | RASA_CHART_RELIED_ON, "rasa", "/"),
    "values-action-server.yml": (ACTION_CHART_KEYS, "actions", "/health"),
}


def read_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, comment_prefixes=("#", ";"))
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def supervisor_commands() -> Dict[str, str]:
    parser = read_ini(SUPERVISOR_TEMPLATE)
    return {
        section.split(":", 1)[1]: parser[section]["command"]
        for section in parser.sections()
        if section.startswith("program:")
    }


@pytest.mark.parametrize("part", sorted(UNITS))
def test_unit_runs_what_supervisord_runs_and_restarts_on_failure(part: str) -> None:
    unit = read_ini(SYSTEMD_DIR / UNITS[part])
    service = unit["Service"]
    assert service["ExecStart"] == f"{INSTALLED_AT}/scripts/start_part.sh {part}"
    assert supervisor_commands()[part] == f"${{PROJECT_ROOT}}/scripts/start_part.sh {part}"
    assert service["WorkingDirectory"] == INSTALLED_AT
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["Restart"] == "on-failure" and int(service["RestartSec"]) > 0
    assert unit["Unit"]["PartOf"] == "backpain.target"
    assert unit["Install"]["WantedBy"] == "backpain.target"


def test_supervisord_restarts_every_part_and_stops_their_groups() -> None:
    parser = read_ini(SUPERVISOR_TEMPLATE)
    programs = [section for section in parser.sections() if section.startswith("program:")]
    assert sorted(programs) == [f"program:{part}" for part in sorted(UNITS)]
    for section in programs:
        program = parser[section]
        assert program["autorestart"] == "true"
        assert int(program["startretries"]) >= 3 and int(program["startsecs"]) > 0
        assert program["stopasgroup"] == program["killasgroup"] == "true"
        assert program["stdout_logfile"].startswith("${LOG_DIR}/")
        assert program["stdout_logfile_maxbytes"] and int(program["stdout_logfile_backups"]) > 0
    assert parser["supervisord"]["nodaemon"] == "true"


def test_every_setting_the_start_script_reads_is_in_the_example_environment_file() -> None:
    script = START_SCRIPT.read_text(encoding="utf-8")
    example = (SYSTEMD_DIR / "backpain.env.example").read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{([A-Z_]+):-", script)) - {"VENV_BIN", "CREDENTIALS", "RASA_MODEL"}
    assert read, "no settings found in scripts/start_part.sh"
    for name in sorted(read):
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), f"{name} not in the example"
    for secret in ("RASA_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        assert re.search(rf"^# {secret}=$", example, re.MULTILINE), f"{secret} not documented"


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # Point the units at this checkout and an existing user, as an install would.
    env_file = tmp_path / "backpain.env"
    env_file.write_text("RASA_PORT=5005\n")
    copies = []
    for path in [*SYSTEMD_DIR.glob("*.service"), SYSTEMD_DIR / "backpain.target"]:
        text = path.read_text(encoding="utf-8").replace(INSTALLED_AT, str(PROJECT_ROOT))
        text = text.replace(ENV_FILE, str(env_file))
        text = re.sub(r"^(User|Group)=backpain$", r"\1=root", text, flags=re.MULTILINE)
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(str(copy))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *copies],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def walk(node: Any, path: str = "") -> Iterator[Tuple[str, str, Any]]:
    """(path, key, value) of every mapping entry and every KEY=value list item, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key), value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, str) and re.match(r"^[A-Za-z_]+=", item):
                key, value = item.split("=", 1)
                yield path, key, value
            # Kubernetes' env lists: {name: X, value: ...}
            if isinstance(item, dict) and "name" in item and "value" in item:
                yield path, str(item["name"]), item["value"]
            yield from walk(item, f"{path}[{index}]")


def literal_secrets(node: Any) -> List[str]:
    found = []
    for path, key, value in walk(node):
        # existingSecret* keys name a Kubernetes Secret (and a key in it), not its value.
        if key.startswith("existingSecret"):
            continue
        if SECRET_NAME.search(key) and isinstance(value, (str, int)) and value != "":
            if not SECRET_REFERENCE.match(str(value)):
                found.append(f"{path}.{key}={value}")
    return found


def test_the_secret_check_catches_literals() -> None:
    assert literal_secrets({"environment": {"DB_PASSWORD": "hunter2"}})
    assert literal_secrets({"environment": ["REDIS_PASSWORD=hunter2"]})
    assert literal_secrets({"environment": {"RASA_API_TOKEN": "${RASA_API_TOKEN:-hunter2}"}})
    assert literal_secrets({"tracker_store": {"password": "hunter2"}})
    assert literal_secrets({"redis": {"existing_password": "hunter2"}})
    assert literal_secrets({"extraEnv": [{"name": "SLACK_SIGNING_SECRET", "value": "x"}]})
    assert not literal_secrets({"environment": {"DB_PASSWORD": "${DB_PASSWORD:?set it}"}})


def test_compose_has_the_six_services_each_with_a_health_check() -> None:
    services = load_yaml(COMPOSE_FILE)["services"]
    assert set(services) == COMPOSE_SERVICES
    for name, service in services.items():
        test = (service.get("healthcheck") or {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
        assert not service["healthcheck"].get("disable"), name


def test_compose_holds_no_secret_values() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert literal_secrets(yaml.safe_load(text)) == []
    # Also as text: a `...password: value` key anywhere (comments aside) is a reference.
    for line in text.splitlines():
        match = re.match(r"^\s*-?\s*[A-Za-z_]*password:\s+([^#\s].*)$", line, re.IGNORECASE)
        assert not match or SECRET_REFERENCE.match(match.group(1).strip()), line
    services = yaml.safe_load(text)["services"]
    # The services that need a password get it from the environment, required.
    for name, variable in (("rasa1", "DB_PASSWORD"), ("postgres", "POSTGRES_PASSWORD")):
        assert services[name]["environment"][variable].startswith("${DB_PASSWORD:?")


def test_compose_rasa_servers_use_postgresql_and_redis_behind_nginx() -> None:
    services = load_yaml(COMPOSE_FILE)["services"]
    rasa_services = sorted(name for name in services if name.startswith("rasa"))
    assert len(rasa_services) >= 2
    endpoints = load_yaml(DOCKER_DIR / "endpoints.yml")
    assert (
        endpoints["tracker_store"]["type"] == "stores.reconnecting_sql.ReconnectingSQLTrackerStore"
    )
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["tracker_store"]["url"] in services
    assert endpoints["lock_store"]["type"] == "redis" and endpoints["lock_store"]["url"] in services
    assert endpoints["action_endpoint"]["url"].startswith("http://actions:")
    assert literal_secrets(endpoints) == []
    for name in rasa_services:
        service = services[name]
        inside = service["environment"]["ENDPOINTS"]
        assert any(volume.endswith(f":{inside}:ro") for volume in service["volumes"]), name
        assert {"postgres", "redis", "actions"} <= set(service["depends_on"]), name
    nginx_conf = (DOCKER_DIR / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream rasa \{(.*?)\}", nginx_conf, re.DOTALL).group(1)
    assert sorted(re.findall(r"server (rasa[0-9]+):5005 ", upstream)) == rasa_services
    assert "@" not in upstream


def test_compose_files_are_what_the_script_renders() -> None:
    """deploy/docker/nginx.conf and endpoints.yml: scripts/compose_files.py, run again."""
    nginx_conf = (DOCKER_DIR / "nginx.conf").read_text(encoding="utf-8")
    assert nginx_conf == compose_files.nginx_conf(), "run scripts/compose_files.py"
    endpoints = (DOCKER_DIR / "endpoints.yml").read_text(encoding="utf-8")
    assert endpoints == compose_files.endpoints_yaml(), "run scripts/compose_files.py"
    # Every path nginx.conf names in the container is one the compose file mounts.
    mounts = [v.split(":")[1] for v in load_yaml(COMPOSE_FILE)["services"]["nginx"]["volumes"]]
    for named in re.findall(r"(?:include|root|alias) (/[^;]+);", nginx_conf):
        assert any(named.rstrip("/").startswith(mount) for mount in mounts), named


@pytest.mark.parametrize("dockerfile", sorted(IMAGES))
def test_dockerfile_runs_what_supervisord_runs_on_the_official_image(dockerfile: str) -> None:
    part, base = IMAGES[dockerfile]
    lines = (DOCKER_DIR / dockerfile).read_text(encoding="utf-8").splitlines()
    froms = [line for line in lines if line.startswith("FROM ")]
    assert len(froms) == 1 and re.fullmatch(
        rf"FROM {re.escape(base)}@sha256:[0-9a-f]{{64}}", froms[0]
    )
    cmds = [line for line in lines if line.startswith("CMD ")]
    assert len(cmds) == 1, "one CMD"
    command = json.loads(cmds[0][len("CMD ") :])
    assert command[:2] == ["/bin/bash", "-c"]
    assert command[-1].endswith(f"exec scripts/start_part.sh {part}")
    assert supervisor_commands()[part] == f"${{PROJECT_ROOT}}/scripts/start_part.sh {part}"
    assert "ENTRYPOINT []" in lines


@pytest.mark.parametrize("values_file", sorted(HELM_VALUES))
def test_helm_values_use_known_keys_two_replicas_probes_and_no_secrets(values_file: str) -> None:
    allowed, part, probe_path = HELM_VALUES[values_file]
    values = load_yaml(HELM_DIR / values_file)
    assert set(values) <= allowed, f"unknown top-level keys: {sorted(set(values) - allowed)}"
    assert isinstance(values["replicaCount"], int) and values["replicaCount"] >= 2
    for probe in ("livenessProbe", "readinessProbe"):
        assert values[probe]["httpGet"]["path"] == probe_path
        assert values[probe]["httpGet"]["port"] == "http"
    assert values["resources"]["requests"]["memory"]
    assert values["command"] == ["/bin/bash", "-c"]
    assert values["args"][-1].endswith(f"exec scripts/start_part.sh {part}")
    assert literal_secrets(values) == []


def test_helm_rasa_values_use_postgresql_and_redis_from_existing_secrets() -> None:
    values = load_yaml(HELM_DIR / "values-rasa.yml")
    settings = values["applicationSettings"]
    assert settings["token"] == "", "the chart's own Secret must not hold a real token"
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False
    tracker = settings["endpoints"]["trackerStore"]
    assert tracker["enabled"] and tracker["dialect"] == "postgresql"
    assert tracker["type"] == "stores.reconnecting_sql.ReconnectingSQLTrackerStore"
    assert tracker["password"] == "${DB_PASSWORD}"
    lock = settings["endpoints"]["lockStore"]
    assert lock["enabled"] and lock["type"] == "redis" and lock["password"] == "${REDIS_PASSWORD}"
    assert values["global"]["postgresql"]["existingSecret"]
    assert values["postgresql"]["existingSecretKey"]
    assert values["redis"]["existingSecret"] and values["redis"]["existingSecretPasswordKey"]
    assert "ENDPOINTS=/app/endpoints.yml" in values["args"][-1]
