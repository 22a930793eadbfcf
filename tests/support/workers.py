"""Real Celery worker processes for tests: each on a queue of its own (the broker folder may be
shared with a running demo)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def start_worker(
    queue: str, database_url: str, *, app: str = "kreisportal.celery", env: dict | None = None
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "DATABASE_URL": database_url, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
