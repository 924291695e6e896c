"""The Kubernetes overlays render, validate strictly against the built-in and CRD schemas, and
hold the production properties the design relies on; a broken manifest is caught."""

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.topics import ALL_TOPICS, EVENT_TOPICS
from deploy.checks import ROOT, Document, manifest_problems, render, settings_variables

OVERLAYS = ROOT / "deploy/k8s/overlays"


@pytest.fixture(scope="module", params=["dev", "prod"])
def rendered(request: pytest.FixtureRequest) -> list[Document]:
    return render(OVERLAYS / request.param)


@pytest.fixture(scope="module")
def prod() -> list[Document]:
    return render(OVERLAYS / "prod")


def of(documents: list[Document], kind: str) -> dict[str, Document]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


def test_every_resource_is_valid(rendered: list[Document]) -> None:
    assert manifest_problems(rendered) == []


def test_every_overlay_has_the_whole_system(rendered: list[Document]) -> None:
    assert set(of(rendered, "Deployment")) == {
        "ioc-ingest",
        "ioc-indicators-worker",
        "ioc-indicators-api",
        "ioc-alerts",
    }
    assert set(of(rendered, "KafkaTopic")) == {t.name for t in ALL_TOPICS}
    assert {"ioc-ingest", "ioc-indicators", "ioc-alerts"} == set(of(rendered, "KafkaUser"))
    assert of(rendered, "NetworkPolicy")["default-deny"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    assert of(rendered, "ServiceMonitor")
    assert of(rendered, "PrometheusRule")


def test_production_kafka_is_three_controllers_three_brokers_rf3_min_isr2(
    prod: list[Document],
) -> None:
    pools = of(prod, "KafkaNodePool")
    assert sorted((p["spec"]["roles"], p["spec"]["replicas"]) for p in pools.values()) == [
        (["broker"], 3),
        (["controller"], 3),
    ]
    config = of(prod, "Kafka")["ioc"]["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert all(t["spec"]["replicas"] == 3 for t in of(prod, "KafkaTopic").values())
    topics = {t.name: t for t in ALL_TOPICS}
    for name, topic in of(prod, "KafkaTopic").items():
        assert topic["spec"]["partitions"] == topics[name].partitions
        assert topic["spec"]["config"] == topics[name].config


def test_pods_are_restricted_probed_and_sized(rendered: list[Document]) -> None:
    workloads = of(rendered, "Deployment") | of(rendered, "StatefulSet")
    for name, workload in workloads.items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"] == {"drop": ["ALL"]}, name
            assert {"startupProbe", "livenessProbe", "readinessProbe"} <= container.keys(), name
            # Liveness never depends on Kafka: a broker outage must not restart every pod.
            liveness = container["livenessProbe"].get("httpGet", {}).get("path")
            assert liveness in (None, "/healthz", "/metrics"), name
            assert container["resources"]["requests"].keys() == {"cpu", "memory"}, name
            assert "memory" in container["resources"]["limits"], name


def test_scaling_and_disruption(rendered: list[Document]) -> None:
    hpas = of(rendered, "HorizontalPodAutoscaler")
    assert hpas["ioc-ingest"]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    # More workers than partitions would sit idle.
    assert hpas["ioc-indicators-worker"]["spec"]["maxReplicas"] <= EVENT_TOPICS[0].partitions
    assert "ioc-alerts" not in hpas  # one evaluating instance by design
    assert of(rendered, "Deployment")["ioc-alerts"]["spec"]["strategy"] == {"type": "Recreate"}
    budgets = of(rendered, "PodDisruptionBudget")
    assert {"ioc-ingest", "ioc-indicators-worker", "ioc-indicators-api"} <= budgets.keys()


def test_deployments_set_only_variables_the_code_reads(rendered: list[Document]) -> None:
    config = of(rendered, "ConfigMap")
    [shared] = [c for name, c in config.items() if name.startswith("ioc-config")]
    variables = settings_variables()
    for name, deployment in of(rendered, "Deployment").items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        module = container["command"][2]
        env = {e["name"] for e in container.get("env", [])} | shared["data"].keys()
        assert env - variables[module].known == set(), name
        assert variables[module].required <= env, name


def test_ports_and_secrets_agree_with_the_code(rendered: list[Document]) -> None:
    ports = {"ioc-ingest": {8001, 9101}, "ioc-indicators-worker": {9102}}
    ports |= {"ioc-indicators-api": {8002}, "ioc-alerts": {8003, 9103}}
    for name, deployment in of(rendered, "Deployment").items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert {p["containerPort"] for p in container["ports"]} == ports[name]
        for e in container.get("env", []):
            if "secretKeyRef" in e.get("valueFrom", {}):
                # Strimzi writes each KafkaUser's password into a Secret of the user's name.
                assert e["valueFrom"]["secretKeyRef"]["name"] in of(rendered, "KafkaUser")


BREAKAGES: dict[str, Callable[[Document], Any]] = {
    "Deployment": lambda d: d["spec"]["template"]["spec"].update(containres=[]),
    "Service": lambda d: d["spec"]["ports"][0].update(port="http"),
    "KafkaTopic": lambda d: d["spec"].update(partitions="six"),
    "KafkaNodePool": lambda d: d["spec"].pop("roles"),
    "KafkaUser": lambda d: d["spec"]["authentication"].update(type="password"),
    "PrometheusRule": lambda d: d["spec"]["groups"][0].update(rulez=[]),
    "NetworkPolicy": lambda d: d["spec"].update(podSelector="everything"),
}


@pytest.mark.parametrize("kind", BREAKAGES)
def test_a_broken_manifest_is_caught(prod: list[Document], kind: str) -> None:
    broken = copy.deepcopy(prod)
    target = next(d for d in broken if d["kind"] == kind)
    BREAKAGES[kind](target)
    problems = manifest_problems(broken)
    assert len(problems) == 1
    assert problems[0].startswith(f"{kind}/{target['metadata']['name']}: ")


def test_an_unknown_kind_is_caught() -> None:
    thing = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "x"}}
    assert manifest_problems([thing]) == [
        "Thing/x: no schema for example.com/v1 Thing (neither built in nor a CRD)"
    ]


def test_a_kustomization_that_does_not_render_fails(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(subprocess.CalledProcessError):
        render(tmp_path)
