"""docker-compose.yml and the image agree with the code (ports, variables, secrets, topics are
created before use) — checked without a Docker engine; the image's Python package is built and
holds every file the services read at run time."""

import re
import shutil
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.checks import ROOT, settings_variables
from ioc.cli import main

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
IOC = {name: s for name, s in SERVICES.items() if s.get("image") == "ioc:local"}
PORTS = {"ingest": (8001, 9101), "indicators-worker": (9102,), "indicators-api": (8002,)}
PORTS |= {"alerts": (8003, 9103)}


def test_infrastructure_is_where_make_up_has_it() -> None:
    assert SERVICES["kafka"]["ports"] == ["127.0.0.1:9092:9092"]
    assert SERVICES["redis"]["ports"] == ["127.0.0.1:16379:6379"]
    assert SERVICES["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "--appendfsync" in SERVICES["redis"]["command"]


def test_services_publish_the_ports_their_settings_listen_on() -> None:
    for name, ports in PORTS.items():
        assert SERVICES[name]["ports"] == [f"127.0.0.1:{p}:{p}" for p in ports]
        health = SERVICES[name]["environment"]["IOC_HEALTH_URL"]
        assert re.match(rf"http://127\.0\.0\.1:{ports[0]}/(healthz|metrics)$", health)


def test_services_set_only_variables_the_code_reads() -> None:
    variables = settings_variables()
    for name, service in IOC.items():
        command = service["command"]
        if command[0] != "python":
            continue  # the command line (topics, simulate)
        known = variables[command[2]]
        assert service["environment"].keys() - known.known == set(), name
        assert known.required <= service["environment"].keys(), name


def test_long_running_services_are_health_checked_and_wait_for_what_they_need() -> None:
    for name, service in SERVICES.items():
        if service.get("restart") == "no" or name == "kafka-data":
            continue
        assert "healthcheck" in service or service.get("image") == "ioc:local", name
        assert service.get("healthcheck", {}).get("disable") is not True, name
    for name in PORTS:
        conditions = {k: v["condition"] for k, v in SERVICES[name]["depends_on"].items()}
        assert conditions["topics"] == "service_completed_successfully", name
        assert conditions["redis"] == "service_healthy", name
    assert SERVICES["topics"]["command"] == ["ioc", "topics", "ensure"]


def test_secrets_are_required_never_defaulted() -> None:
    text = (ROOT / "docker-compose.yml").read_text("utf-8")
    for secret in COMPOSE["secrets"].values():
        assert re.fullmatch(r"\$\{IOC_[A-Z_]+:\?.+\}", secret["file"])
    assert "${GRAFANA_ADMIN_PASSWORD:?" in text
    assert SERVICES["ingest"]["environment"]["INGEST_AGENCIES_FILE"] == "/run/secrets/agencies"


def test_prometheus_scrapes_every_service_at_its_metrics_port() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text("utf-8"))
    targets = {
        t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]
    }
    assert targets == {"ingest:9101", "indicators-worker:9102", "alerts:9103"}
    mounted = {v.split(":")[0] for v in SERVICES["grafana"]["volumes"]}
    assert {"./deploy/grafana/provisioning", "./deploy/grafana/dashboards"} <= mounted


def test_the_image_runs_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    stages = re.findall(r"^FROM .*$", dockerfile, re.M)
    assert len(stages) == 2
    assert " AS build" in stages[0]
    final = dockerfile[dockerfile.rindex("\nFROM ") :]
    assert re.search(r"^USER 10001:10001$", final, re.M)
    assert "HEALTHCHECK" in final
    assert '"ioc", "health"' in final
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.M))
    packages = yaml.safe_load("[" + _pyproject_include() + "]")
    assert copied == {p.rstrip("*") for p in packages}


def _pyproject_include() -> str:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    match = re.search(r"^include = \[(.*)\]$", text, re.M)
    assert match
    return match.group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Built from a copy of what the Dockerfile copies (setuptools writes build/ beside it)."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    for package in re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.M):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    [built] = list(out.glob("ioc-*.whl"))
    return zipfile.ZipFile(built)


def test_the_package_holds_the_files_the_services_read(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    needed = {
        "services/ingest/openapi.json",
        "services/alerts/console/index.html",
        "services/alerts/console/static/console.js",
        "services/alerts/console/static/console.css",
        "catalog/indicators.yaml",
        "catalog/plans/quang-ngai-359.yaml",
        "catalog/provinces/quang-ngai/org_units.yaml",
        "contracts/asyncapi.yaml",
    }
    assert needed <= names
    assert not any(n.startswith(("tests/", "bench/", "deploy/")) for n in names)


def test_every_module_a_container_runs_exists() -> None:
    for name, service in IOC.items():
        command = service["command"]
        if command[0] == "python":
            module = Path(ROOT, *command[2].split("."))
            assert (module / "__main__.py").is_file(), name


def test_the_health_probe_of_the_image(monkeypatch: pytest.MonkeyPatch) -> None:
    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert main(["health", f"{base}/healthz"]) == 0
        assert main(["health", f"{base}/readyz"]) == 1
        monkeypatch.setenv("IOC_HEALTH_URL", f"{base}/healthz")
        assert main(["health"]) == 0
    finally:
        server.shutdown()
    assert main(["health", f"{base}/healthz", "--timeout", "1"]) == 1  # nothing listening
