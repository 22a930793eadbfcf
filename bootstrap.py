#!/usr/bin/env python3
"""Install and run Kreisportal on a fresh machine with nothing but Python 3.11+.

    python3 bootstrap.py demo [--port 8000]   # install, then run the demo (11 tenants)
    python3 bootstrap.py test [pytest args]   # install, then run the whole test suite

Creates `.venv/` itself, installs the project with pip (again only when pyproject.toml changed)
and, for the tests, Debian's `chromium` for the browser tests when it is missing.
No database setup: without DATABASE_URL an embedded PostgreSQL starts by itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".kreisportal-installed"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def run(*cmd: str | Path, **kwargs) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before anything is installed
        sys.exit(f"[bootstrap] Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        say(f"creating {VENV.relative_to(ROOT)}/")
        run(sys.executable, "-m", "venv", VENV)
    pyproject = ROOT / "pyproject.toml"
    if STAMP.exists() and STAMP.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    say("installing Kreisportal and its dependencies (first run: a few minutes)")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]")
    STAMP.touch()


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_debian_package(program: str, package: str, purpose: str) -> None:
    """Install a Debian package when its program is missing (as root with apt-get)."""
    if shutil.which(program):
        return
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        say(f"installing Debian's {package} ({purpose})")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(apt, "update", "-qq", env=env, stdout=subprocess.DEVNULL)
        run(apt, "install", "-y", "-qq", package, env=env, stdout=subprocess.DEVNULL)
    if not shutil.which(program):
        say(
            f"{program} is missing and could not be installed here ({purpose}): "
            f"install it with `sudo apt-get install {package}`."
        )


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium (Playwright cannot download browsers here)."""
    if find_chromium():
        return
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if apt and is_root:
        say("installing Debian's chromium for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(apt, "update", "-qq", env=env, stdout=subprocess.DEVNULL)
        run(apt, "install", "-y", "-qq", "chromium", env=env, stdout=subprocess.DEVNULL)
    if not find_chromium():
        say(
            "chromium is missing and could not be installed here: the browser tests will fail. "
            "Install it with `sudo apt-get install chromium` (Debian/Ubuntu) or set "
            "KREISPORTAL_CHROMIUM to a Chromium binary."
        )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "install"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    os.chdir(ROOT)
    ensure_debian_package("xmlsec1", "xmlsec1", "SAML signatures of the login")
    if command == "install":
        return 0
    if command == "demo":
        return subprocess.call([str(BIN / "kreisportal"), "demo", *rest])
    if not os.environ.get("KREISPORTAL_CHROMIUM"):
        ensure_chromium()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
