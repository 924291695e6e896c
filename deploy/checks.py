"""Offline checks of the deployment files, run by the tests (tests/deploy): each returns the
problems it found, one line each, so a test can show them all and a broken file can be shown
to be caught.

- Kubernetes: render an overlay; built-in kinds against their schemas (kubernetes-validate,
  strict: an unknown field is an error); Strimzi and Prometheus Operator resources against the
  CRDs' schemas, just as strict.
- Prometheus: rules and their unit tests with promtool.
- Metrics: every metric a dashboard or rule reads is one the code exports.
"""

import json
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.registry import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
K8S_VERSION = "1.32.0"
CRDS = Path(os.environ.get("IOC_CRDS_DIR", ROOT.parent / "shared" / "crds"))
Document = dict[str, Any]


# --- Kubernetes -----------------------------------------------------------------------------


def render(kustomization: Path) -> list[Document]:
    tool = ROOT / "deploy/local/manifest-tools.sh"
    out = subprocess.run(
        [str(tool), "kustomize", str(kustomization)], capture_output=True, text=True, check=True
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def manifest_problems(documents: Iterable[Document]) -> list[str]:
    problems = []
    schemas = crd_schemas()
    for doc in documents:
        api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
        name = f"{kind}/{doc.get('metadata', {}).get('name', '?')}"
        if (api, kind) in schemas:
            validator = jsonschema.Draft7Validator(schemas[api, kind])
            problems += [
                f"{name}: {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in validator.iter_errors(doc)
            ]
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(f"{name}: no schema for {api} {kind} (neither built in nor a CRD)")
        except kubernetes_validate.ValidationError as e:
            where = ".".join(map(str, e.absolute_path)) or "(root)"
            problems.append(f"{name}: {where}: {e.message}")
    return problems


@cache
def crd_schemas() -> dict[tuple[str, str], Document]:
    """(apiVersion, kind) → the served version's schema, made strict like kubectl's field
    validation: properties not in the schema are errors, not silently pruned."""
    schemas = {}
    for path in sorted(CRDS.glob("*/*.yaml")):
        for crd in yaml.safe_load_all(path.read_text("utf-8")):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    schema = _strict(version["schema"]["openAPIV3Schema"])
                    schemas[f"{group}/{version['name']}", kind] = schema
    if not schemas:
        raise FileNotFoundError(f"no CRDs under {CRDS} (set IOC_CRDS_DIR)")
    return schemas


def _strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {k: _strict(v) for k, v in schema.items()}
    if (
        "properties" in strict
        and "additionalProperties" not in strict
        and not strict.get("x-kubernetes-preserve-unknown-fields")
    ):
        # metadata is validated by the API server's own rules, not the CRD's
        strict["additionalProperties"] = False
        if strict["properties"].keys() >= {"apiVersion", "kind", "spec"}:
            strict["properties"]["metadata"] = {"type": "object"}
    return strict


# --- Prometheus -----------------------------------------------------------------------------


def promtool(*args: str) -> list[str]:
    run = subprocess.run(["promtool", *args], capture_output=True, text=True)
    if run.returncode == 0:
        return []
    return [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]


# --- metric names ---------------------------------------------------------------------------

_PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "inf", "nan", "le",
}  # fmt: skip
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def metrics_read(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (recording-rule names included)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges and subqueries
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
        word, rest = match.group(), expr[match.end() :].lstrip()
        if rest.startswith("(") or word.lower() in _PROMQL_WORDS or word.startswith("$"):
            continue
        if expr[match.start() - 1 : match.start()] in {"$", "."}:
            continue  # Grafana variables, numbers like 0.99
        names.add(word)
    return names


def exported_metrics() -> set[str]:
    """Every sample name the services export: their metrics modules register on import."""
    import services.alerts.board
    import services.alerts.desk
    import services.alerts.notifier
    import services.indicators.outputs
    import services.indicators.worker  # noqa: F401
    from services.ingest.metrics import IngestMetrics

    ingest = CollectorRegistry()
    IngestMetrics(ingest)
    names = {"up"}  # Prometheus's own, per scrape target
    for registry in (REGISTRY, ingest):
        for family in registry.collect():
            names |= {family.name + s for s in _SUFFIXES.get(family.type, ("",))}
    return names


def dashboard_queries(dashboards: Path) -> Iterator[tuple[str, str]]:
    """(where, PromQL) of every panel query of every dashboard."""
    for path in sorted(dashboards.glob("*.json")):
        board = json.loads(path.read_text("utf-8"))
        for panel in board.get("panels", []):
            for target in panel.get("targets", []):
                yield f"{path.name}: {panel.get('title')}", target.get("expr", "")


def rule_queries(rules: Path) -> Iterator[tuple[str, str]]:
    for group in yaml.safe_load(rules.read_text("utf-8"))["groups"]:
        for rule in group["rules"]:
            yield f"{rules.name}: {rule.get('alert') or rule.get('record')}", rule["expr"]


def unknown_metrics(queries: Iterable[tuple[str, str]], known: set[str]) -> list[str]:
    return [
        f"{where}: {name} is not exported by IOC"
        for where, expr in queries
        for name in sorted(metrics_read(expr) - known)
    ]


# --- settings -------------------------------------------------------------------------------

# Read by libraries or the command line, not by a settings class.
OTHER_VARIABLES = {"OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "IOC_HEALTH_URL"}


@dataclass(frozen=True)
class Variables:
    known: set[str]
    required: set[str]  # no default: the deployment must set them


def settings_variables() -> dict[str, Variables]:
    """The environment variables each service reads, by the module that runs it."""
    from pydantic_settings import BaseSettings

    from infra.settings import KafkaSecurity
    from services.alerts.settings import AlertsSettings
    from services.indicators.settings import IndicatorsSettings
    from services.ingest.settings import IngestSettings

    def variables(cls: type[BaseSettings], required: bool = False) -> set[str]:
        prefix = cls.model_config.get("env_prefix", "")
        return {
            alias if isinstance(alias := field.validation_alias, str) else (prefix + name).upper()
            for name, field in cls.model_fields.items()
            if field.is_required() or not required
        }

    return {
        module: Variables(
            variables(cls) | variables(KafkaSecurity) | OTHER_VARIABLES,
            variables(cls, required=True),
        )
        for module, cls in (
            ("services.ingest", IngestSettings),
            ("services.indicators", IndicatorsSettings),
            ("services.alerts", AlertsSettings),
        )
    }
