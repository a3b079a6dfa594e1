"""Make sure the browser tests have a Chromium: Debian's /usr/bin/chromium, else Playwright's own."""

from __future__ import annotations

import shutil
import subprocess
import sys

SYSTEM_CHROMIUM = "/usr/bin/chromium"

if shutil.which(SYSTEM_CHROMIUM) is None:
    print("no /usr/bin/chromium: installing Playwright's Chromium", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
