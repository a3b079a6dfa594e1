"""Fetch the plotly.js files the pages use into static/vendor/, or check the ones there.

The pages draw only cartesian traces (scatter, bar, heatmap, contour), so they load plotly.js's
cartesian bundle (a third of the full library), plus the zh-CN locale for the toolbar's tooltips.
Both come from the npm registry at the version of plotly.js inside the Python `plotly` package, so
the figure JSON the server writes and the library that draws it always match. The app never
downloads anything: this script is run by a developer (`python scripts/vendor_plotly.py`) when the
plotly package is upgraded, and `--check` verifies the files against static/vendor/MANIFEST.json.

Needs the npm client (only here, never at run time or in the image).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"
# file in static/vendor -> (npm package, path inside its tarball)
FILES = {
    "plotly-cartesian.min.js": ("plotly.js-cartesian-dist-min", "package/plotly-cartesian.min.js"),
    "plotly-locale-zh-cn.js": ("plotly.js", "package/dist/plotly-locale-zh-cn.js"),
    "LICENSE-plotly.txt": ("plotly.js-cartesian-dist-min", "package/LICENSE"),
}


def python_plotly_js_version() -> str:
    """Return the version of plotly.js bundled with the Python package (its figure JSON's schema)."""
    head = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")[:300]
    match = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    if not match:
        raise SystemExit("cannot read the plotly.js version of the Python plotly package")
    return match.group(1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(version: str) -> None:
    """Download the packages with `npm pack` and copy the files and their checksums into static/vendor."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tarballs = {}
        for package in sorted({p for p, _ in FILES.values()}):
            out = subprocess.run(["npm", "pack", f"{package}@{version}", "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True).stdout.split()[-1]
            tarballs[package] = Path(tmp) / out
        entries = {}
        for name, (package, member) in FILES.items():
            with tarfile.open(tarballs[package]) as tar:
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
            (VENDOR / name).write_bytes(data)
            entries[name] = {"package": package, "version": version, "path": member.removeprefix("package/"),
                             "sha256": hashlib.sha256(data).hexdigest()}
    MANIFEST.write_text(json.dumps({"plotly.js": version, "files": entries}, indent=2) + "\n", encoding="utf-8")


def check() -> list[str]:
    """Return what is wrong with static/vendor (empty when every file matches the manifest and version)."""
    problems = []
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if manifest["plotly.js"] != python_plotly_js_version():
        problems.append(f"vendored plotly.js {manifest['plotly.js']} but the Python package expects "
                        f"{python_plotly_js_version()}: run scripts/vendor_plotly.py")
    for name, entry in manifest["files"].items():
        path = VENDOR / name
        if not path.exists():
            problems.append(f"{name} is missing")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{name} does not match its checksum")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the vendored files, download nothing")
    args = parser.parse_args()
    if not args.check:
        fetch(python_plotly_js_version())
    problems = check()
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"static/vendor: plotly.js {python_plotly_js_version()}, every checksum matches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
