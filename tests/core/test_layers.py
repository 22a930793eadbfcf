"""The layers contract (pyproject's [tool.importlinter]) holds: the top imports the domain apps,
they import the platform base, never upwards, and sibling packages have no import cycles.
Imports inside functions count (import-linter reads every import statement of a module)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_layers_contract_holds(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


@pytest.mark.parametrize(
    "contract",
    [
        # tenants uses the platform base (kreisportal.database) inside functions and at the top
        '[[tool.importlinter.contracts]]\nname = "control"\ntype = "forbidden"\n'
        'source_modules = ["tenants"]\nforbidden_modules = ["kreisportal.database"]\n',
        # a layer order upside down must break
        '[[tool.importlinter.contracts]]\nname = "control"\ntype = "layers"\n'
        'layers = ["tenants", "services"]\n',
    ],
)
def test_the_checker_sees_real_imports(tmp_path, monkeypatch, contract):
    """Negative controls: contracts the code does break are reported broken."""
    monkeypatch.chdir(ROOT)
    config = tmp_path / "control.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["kreisportal", "tenants", "cms", "services", '
        '"payments"]\n\n' + contract
    )
    assert lint_imports(config_filename=str(config), no_cache=True) == 1
