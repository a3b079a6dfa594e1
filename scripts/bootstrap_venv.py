"""Create the virtual environment, even where `python3 -m venv` lacks ensurepip.

Debian and Ubuntu ship `venv` without `ensurepip` unless python3-venv is installed. Then the venv
is made without pip, and pip is taken from the system (`python3 -m pip`) or, failing that,
from its wheel on PyPI, which can install itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path


def has_pip(python: Path) -> bool:
    return subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0


def pip_from_pypi(python: Path) -> None:
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as r:
        info = json.load(r)
    url = next(u["url"] for u in info["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        wheel = Path(tmp) / url.rsplit("/", 1)[1]
        with urllib.request.urlopen(url, timeout=120) as r, wheel.open("wb") as f:
            shutil.copyfileobj(r, f)
        subprocess.run([python, f"{wheel}/pip", "install", "--quiet", str(wheel)], check=True)


def main(target: str) -> None:
    root = Path(target)
    python = root / "bin" / "python"
    if python.exists() and has_pip(python):
        return
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
    except (subprocess.CalledProcessError, OSError):
        venv.EnvBuilder(with_pip=False, clear=True).create(root)
    if not has_pip(python):
        system_pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
        if system_pip.returncode == 0:
            subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "pip"],
                           check=True)
        else:
            pip_from_pypi(python)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".venv")
