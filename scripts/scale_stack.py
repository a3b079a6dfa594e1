"""The deployed stack on loopback, for `make scale-test`: Debian's nginx with deploy/nginx.conf in
front of app replicas started exactly as the image starts them.

Nothing here invents a configuration: the replicas run the Dockerfile's CMD under the Dockerfile's
ENV plus the `app` service's environment of deploy/compose.yaml, moved to a loopback port; nginx
runs deploy/nginx.conf with only its ports and writable paths rewritten (`rewrite_nginx_conf`).
A replica is started in a session of its own, so killing it kills it whole (web workers and compute
children), as stopping a container does.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def dockerfile() -> tuple[list[str], dict[str, str]]:
    """The image's CMD (exec form) and ENV, read from the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    cmd = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, re.M).group(1))
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV\s+(.*)$", text, re.M):
        for item in shlex.split(line):
            key, _, value = item.partition("=")
            env[key] = value
    return cmd, env


def compose_app_environment() -> dict[str, str]:
    """The environment deploy/compose.yaml gives the app replicas (`${VAR:-default}` taken as its default)."""
    service = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["app"]
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(v)) for k, v in env.items()}


def replica_command(port: int) -> tuple[list[str], dict[str, str]]:
    """The image's command and environment for a replica on 127.0.0.1:port, with this checkout's app."""
    cmd, env = dockerfile()
    cmd = list(cmd)
    assert cmd[0] == "uvicorn", cmd
    cmd[0:1] = [sys.executable, "-m", "uvicorn"]
    for flag, value in (("--app-dir", str(ROOT)), ("--host", "127.0.0.1"), ("--port", str(port))):
        cmd[cmd.index(flag) + 1] = value
    env.pop("PATH", None)
    env.update(compose_app_environment())
    return cmd, env


def rewrite_nginx_conf(text: str, listen: int, upstreams: list[int], workdir: Path) -> str:
    """deploy/nginx.conf moved to loopback: listen on 127.0.0.1:`listen`, the replicas on 127.0.0.1
    at `upstreams`, the cache, temp files, pid and access log under `workdir`. Nothing else changes."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    out, n_server = re.subn(r"^\s*server app:8000 [^;]*;$", servers, text, flags=re.M)
    out, n_listen = re.subn(r"^(\s*)listen 8080 reuseport;$", rf"\1listen 127.0.0.1:{listen};", out, flags=re.M)
    out = re.sub(r"(?<![\w/])(/var/cache/nginx/|/tmp/)",
                 lambda m: f"{workdir}/cache/" if m.group(1).startswith("/var") else f"{workdir}/", out)
    out, n_log = re.subn(r"access_log /dev/stdout fflab;", f"access_log {workdir}/access.log fflab;", out)
    if (n_server, n_listen, n_log) != (1, 1, 1):
        raise ValueError(f"deploy/nginx.conf changed shape: server {n_server}, listen {n_listen}, log {n_log}")
    return out


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def nginx_test(conf: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a rewritten configuration (run as any user: every path it writes is in its workdir)."""
    return subprocess.run([nginx_binary() or "nginx", "-e", "stderr", "-t", "-q", "-c", str(conf),
                           "-p", str(conf.parent)], capture_output=True, text=True, timeout=30)


def write_nginx_conf(workdir: Path, listen: int, upstreams: list[int]) -> Path:
    (workdir / "cache").mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # nginx's workers run as nobody when started by root
    conf = workdir / "nginx.conf"
    conf.write_text(rewrite_nginx_conf((DEPLOY / "nginx.conf").read_text(), listen, upstreams, workdir))
    return conf


def wait_http(url: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1, headers={"connection": "close"}).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


class Replica:
    """One app replica, as the image runs it, on a fixed loopback port (kept across a restart)."""

    def __init__(self, port: int, log: Path, env: dict[str, str] | None = None) -> None:
        self.port = port
        self.log = log
        self.env = env or {}  # on top of the image's and compose's (a test's shorter grace, say)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd, env = replica_command(self.port)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env, **self.env}, stdout=out, stderr=out,
                                         start_new_session=True)
        wait_http(f"http://127.0.0.1:{self.port}/healthz", proc=self.proc)

    def kill(self) -> None:
        """SIGKILL every process of the replica (supervisor, web workers, compute children) at once."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, grace: float = 15) -> None:
        """SIGTERM, as a container stop does; SIGKILL after `grace` seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
        try:  # stragglers of the session (there should be none)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Nginx:
    """Debian's nginx running a rewritten deploy/nginx.conf in the foreground."""

    def __init__(self, workdir: Path, listen: int, upstreams: list[int]) -> None:
        self.workdir = workdir
        self.conf = write_nginx_conf(workdir, listen, upstreams)
        self.url = f"http://127.0.0.1:{listen}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        check = nginx_test(self.conf)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
        with open(self.workdir / "error.log", "ab") as out:
            self.proc = subprocess.Popen([nginx_binary() or "nginx", "-e", "stderr", "-c", str(self.conf),
                                          "-p", str(self.workdir), "-g", "daemon off;"],
                                         stdout=out, stderr=out, start_new_session=True)
        wait_http(self.url + "/nginx-healthz", proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_lines(self) -> list[dict]:
        path = self.workdir / "access.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out
