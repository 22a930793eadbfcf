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


def test_every_platform_module_has_a_layer():
    """A new module of the platform package must be placed in the contract, or the checker
    silently ignores what it imports (as happened to kreisportal.text)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    named = {
        name.strip().removeprefix("kreisportal.")
        for layer in layers
        for alternatives in layer.split(":")
        for name in alternatives.split("|")
        if name.strip().startswith("kreisportal.")
    }
    modules = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "platform").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    modules -= {"migrations", "settings"} - named  # not imported by the app's code
    assert modules - named == set()
