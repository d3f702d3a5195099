"""The packages' layering, read from their source with ast: siblings never import each other (DOAnet's
frozen HNet is the one exception), ``common`` imports no system, and no package imports scripts or
benchmarks."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("common", "configs", "hnet", "doanet", "auralnav", "headernet")
SYSTEMS = ("hnet", "doanet", "auralnav", "headernet")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def imports_of(package: str) -> dict[str, set[str]]:
    return {str(p.relative_to(ROOT)): imported_modules(p) for p in sorted((ROOT / package).rglob("*.py"))}


def top(module: str) -> str:
    return module.split(".")[0]


def offenders(package: str, forbidden: set[str], allowed: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """{file: the modules it imports from the ``forbidden`` top-level packages, less ``allowed``}, non-empty only."""
    found = {f: sorted(m for m in mods if top(m) in forbidden and m not in allowed) for f, mods in imports_of(package).items()}
    return {f: m for f, m in found.items() if m}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_imports_scripts_or_benchmarks(package):
    assert not offenders(package, {"scripts", "benchmarks", "tests"})


def test_common_imports_no_system():
    assert not offenders("common", set(SYSTEMS))


@pytest.mark.parametrize("package", ["auralnav", "headernet"])
def test_auralnav_and_headernet_import_no_sibling(package):
    assert not offenders(package, set(SYSTEMS) - {package})


def test_hnet_imports_no_other_system():
    assert not offenders("hnet", {"doanet", "auralnav", "headernet"})


def test_doanet_takes_from_hnet_only_the_model_and_its_loader():
    assert not offenders("doanet", {"hnet", "auralnav", "headernet"}, frozenset({"hnet.model", "hnet.checkpoint"}))


def test_the_walker_sees_function_local_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("import os\n\ndef g():\n    from hnet.io import x\n    import doanet.model as dm\n")
    assert imported_modules(f) == {"os", "hnet.io", "doanet.model"}


def test_configs_import_nothing_of_the_project_but_configs():
    """Parameters sit at the bottom: configs/ imports only its own base (the CLI helpers live in common/cli.py)."""
    assert not offenders("configs", set(PACKAGES) - {"configs"})
