"""Everything under tests/benchmarks is a benchmark: marked here, so `-m "not benchmark"` skips
them all locally (CI runs them: their figures matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.benchmark)
