"""The repository layout must not shadow the standard library (DESIGN.md §2)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_stdlib_platform_and_uuid_work_from_the_repository_root():
    code = (
        "import sys, platform, uuid; "
        "assert hasattr(platform, 'python_version'), platform.__file__; "
        "assert uuid.uuid4().version == 4; "
        "import kreisportal.settings.env; print(platform.python_version())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ".".join(map(str, sys.version_info[:3]))


def test_platform_folder_is_not_a_regular_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
