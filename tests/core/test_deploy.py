"""deploy/: the Helm chart is linted and rendered by Helm's own Go SDK (helm-python-sdk binds
libhelm, so no `helm` binary is needed), the compose file and the Dockerfile match the CLI.
Nothing here starts containers: this machine has no Docker engine and no Kubernetes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kreisportal.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CHART = DEPLOY / "helm" / "kreisportal"
CLI_COMMANDS = set(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001


def _cli_accepts(args: list[str]) -> None:
    """The arguments parse with the real `kreisportal` parser (exits on anything unknown)."""
    build_parser().parse_args(args)


# --- Helm ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helm():
    import helm_python  # helm-python-sdk, a test dependency (pyproject.toml)

    return helm_python


@pytest.fixture(scope="module")
def manifests(helm) -> list[dict]:
    chart = helm.Chart.load(CHART)
    rendered = chart.render(name="kp", namespace="portal", is_install=True)
    documents = []
    for path, text in rendered.items():
        if path.endswith(".txt"):
            continue
        documents += [doc for doc in yaml.safe_load_all(text) if doc]
    return documents


def _by_kind(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def test_helm_lint_strict_finds_no_warning_or_error(helm):
    report = helm.lint(CHART, strict=True, kube_version="v1.30.0")
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], report


def test_helm_lint_would_catch_a_broken_template(helm, tmp_path):
    """The linter is real: a chart with a template error fails it."""
    import shutil

    broken = tmp_path / "kreisportal"
    shutil.copytree(CHART, broken)
    (broken / "templates" / "broken.yaml").write_text("kind: {{ .Values.nope.missing }}\n")
    report = helm.lint(broken, strict=True)
    assert report["errors"] or any(m["severity"] == 3 for m in report["messages"])


def test_web_worker_beat_run_the_cli_with_probes_and_security(manifests):
    deployments = _by_kind(manifests, "Deployment")
    assert set(deployments) == {f"kp-kreisportal-{c}" for c in ("web", "worker", "beat")}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        _cli_accepts(container["args"])
        assert container["args"][0] == name.rsplit("-", 1)[1].replace("web", "serve")
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["resources"]["requests"] and container["resources"]["limits"]
        refs = container["envFrom"]
        assert {"secretRef": {"name": "kreisportal-secrets"}} in refs
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert {"/var/lib/kreisportal", "/var/lib/kreisportal/media", "/tmp"} <= mounts

    web = deployments["kp-kreisportal-web"]["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        get = web[probe]["httpGet"]
        assert get["path"] == "/healthz"
        assert {"name": "Host", "value": "kreisportal.example.de"} in get["httpHeaders"]
    beat = deployments["kp-kreisportal-beat"]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"] == {"type": "Recreate"}


def test_migrations_run_as_a_pre_install_and_pre_upgrade_hook_job(manifests):
    (job,) = _by_kind(manifests, "Job").values()
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["migrate"]
    _cli_accepts(container["args"])
    env = {e["name"]: e["value"] for e in container["env"]}
    configmap = next(iter(_by_kind(manifests, "ConfigMap").values()))
    assert env == configmap["data"]  # same settings as the pods, without needing the ConfigMap
    assert env["KREISPORTAL_PRODUCTION"] == "1" and "SECRET_KEY" not in env


def test_ingress_serves_the_base_domain_and_every_tenant_subdomain(manifests):
    (ingress,) = _by_kind(manifests, "Ingress").values()
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert hosts == ["kreisportal.example.de", "*.kreisportal.example.de"]
    assert ingress["spec"]["tls"][0]["hosts"] == hosts
    (service,) = _by_kind(manifests, "Service").values()
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]


def test_web_and_worker_autoscale(manifests):
    hpas = _by_kind(manifests, "HorizontalPodAutoscaler")
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()}
    assert targets == {"kp-kreisportal-web", "kp-kreisportal-worker"}
    web = _by_kind(manifests, "Deployment")["kp-kreisportal-web"]
    assert "replicas" not in web["spec"]  # the autoscaler owns the replica count


def test_values_switch_off_autoscaling_and_persistence(helm):
    chart = helm.Chart.load(CHART)
    values = {
        "web": {"autoscaling": {"enabled": False}, "replicas": 3},
        "worker": {"autoscaling": {"enabled": False}},
        "persistence": {"enabled": False},
        "extraHosts": ["www.gangelt.de"],
    }
    docs = [
        d
        for p, text in chart.render(values, name="kp").items()
        if not p.endswith(".txt")
        for d in yaml.safe_load_all(text)
        if d
    ]
    assert not _by_kind(docs, "HorizontalPodAutoscaler")
    assert not _by_kind(docs, "PersistentVolumeClaim")
    assert _by_kind(docs, "Deployment")["kp-kreisportal-web"]["spec"]["replicas"] == 3
    (ingress,) = _by_kind(docs, "Ingress").values()
    assert "www.gangelt.de" in [r["host"] for r in ingress["spec"]["rules"]]


# --- compose and Dockerfile ------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_has_the_services_and_their_commands_match_the_cli(compose):
    services = compose["services"]
    assert {"migrate", "web", "worker", "beat", "postgres", "redis", "caddy"} <= set(services)
    for name in ("migrate", "web", "worker", "beat"):
        command = services[name]["command"]
        assert command[0] in CLI_COMMANDS
        _cli_accepts(command)
    assert services["web"]["command"][0] == "serve"
    assert services["beat"]["command"] == ["beat"]
    # the app starts only after the migration has completed
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert "SECRET_KEY" in services["web"]["environment"]
    assert "${SECRET_KEY:?" in services["web"]["environment"]["SECRET_KEY"]


def test_caddy_gets_wildcard_and_on_demand_tls(compose):
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert "*.{$BASE_DOMAIN}" in caddyfile and "dns " in caddyfile  # wildcard via DNS-01
    assert "on_demand" in caddyfile and "/tls/allowed" in caddyfile
    caddy = compose["services"]["caddy"]
    assert "443:443" in caddy["ports"]


def test_dockerfile_is_multi_stage_non_root_with_collected_static_files():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    assert re.search(r"^USER (kreisportal|10001)", dockerfile, re.M)
    assert "collectstatic" in dockerfile
    assert re.search(r'^ENTRYPOINT \["kreisportal"\]', dockerfile, re.M)
    cmd = re.search(r"^CMD (\[.*\])", dockerfile, re.M).group(1)
    _cli_accepts(yaml.safe_load(cmd))
