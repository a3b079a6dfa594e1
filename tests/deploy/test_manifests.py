"""deploy/: nginx accepts its configuration, the Kubernetes manifests validate offline, Compose and
Kubernetes say what the scale test runs (3 replicas, health checks, the same nginx.conf)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.deploy.stack import scale_stack

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))


def resources() -> list[dict]:
    return [doc for path in MANIFESTS if path.name != "kustomization.yaml"
            for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.mark.skipif(scale_stack.nginx_binary() is None, reason="nginx is not installed (.ci/run installs it)")
def test_nginx_accepts_the_configuration_as_the_scale_test_rewrites_it(tmp_path):
    conf = scale_stack.write_nginx_conf(tmp_path, 8080, [8001, 8002, 8003])
    check = scale_stack.nginx_test(conf)
    assert check.returncode == 0, check.stderr


def test_the_rewrite_moves_ports_and_paths_only():
    text = (DEPLOY / "nginx.conf").read_text()
    out = scale_stack.rewrite_nginx_conf(text, 9000, [9001, 9002], Path("/w"))
    assert "listen 127.0.0.1:9000;" in out and "server 127.0.0.1:9002 max_fails=0;" in out
    assert "server app:8000 max_fails" not in out and "/var/cache/nginx/fflab" not in out and "pid /tmp/" not in out
    assert "proxy_cache_path /w/cache/fflab " in out and "access_log /w/access.log fflab;" in out
    with pytest.raises(ValueError):
        scale_stack.rewrite_nginx_conf(text.replace("listen 8080 reuseport;", "listen 80;"), 1, [2], Path("/w"))


def test_nginx_conf_caches_locks_retries_and_streams():
    text = (DEPLOY / "nginx.conf").read_text()
    for directive in ("proxy_cache_lock on;", "proxy_cache_use_stale error timeout updating",
                      "proxy_next_upstream error timeout http_502 http_503 http_504;", "proxy_buffering off;",
                      "proxy_ignore_headers Vary Set-Cookie;", '"$uri$is_args$args|$fflab_lang_key"',
                      "$upstream_cache_status"):
        assert directive in text, directive


def test_kubernetes_manifests_validate_against_the_schema():
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="pip install -e '.[dev]'")
    docs = resources()
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == sorted(["ConfigMap", "Deployment", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy",
                            "PodDisruptionBudget", "PodDisruptionBudget", "Service", "Service"])
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30.0", strict=True)


def test_the_configmap_holds_deploy_nginx_conf_byte_for_byte():
    config = next(d for d in resources() if d["kind"] == "ConfigMap")
    assert config["data"]["nginx.conf"] == (DEPLOY / "nginx.conf").read_text()


def test_app_pods_are_non_root_read_only_probed_and_sized_one_computation_per_core():
    app = next(d for d in resources() if d["kind"] == "Deployment" and d["metadata"]["name"] == "app")
    spec = app["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    assert spec["securityContext"]["runAsNonRoot"] and c["securityContext"]["readOnlyRootFilesystem"]
    assert {m["mountPath"] for m in c["volumeMounts"]} == {"/tmp"}  # the slot lock files (app/slots.py)
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == "/healthz"
    env = {e["name"]: e["value"] for e in c["env"]}
    assert c["resources"]["requests"]["cpu"] == c["resources"]["limits"]["cpu"] == env["FFLAB_COMPUTE_SLOTS"]
    assert spec["terminationGracePeriodSeconds"] > float(env["FFLAB_SHUTDOWN_GRACE"]) + 5


def test_compose_runs_three_replicas_with_health_checks_behind_nginx():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert services["app"]["deploy"]["replicas"] == 3
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["read_only"] and "/tmp" in services["app"]["tmpfs"]
    assert all(s["restart"] == "unless-stopped" for s in services.values())
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
