"""AuralNav's modules import nothing from hnet/, scripts/ or benchmarks/, and import no cycle among themselves
(the old agent.py -> evaluation.py -> agents.py -> agent.py cycle was hidden in function-local imports)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "auralnav"


def imports(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_sibling_script_or_benchmark_imports():
    for path in PACKAGE.glob("*.py"):
        bad = {m for m in imports(path) if m.split(".")[0] in ("hnet", "doanet", "headernet", "scripts", "benchmarks")}
        assert not bad, f"{path.name} imports {bad}"


def test_no_import_cycle_within_the_package():
    graph = {p.stem: {m.split(".")[1] for m in imports(p) if m.startswith("auralnav.")} for p in PACKAGE.glob("*.py")}

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    cycles = [m for m in graph if m in reach(m) and m != "__init__"]
    assert not cycles, f"modules on an import cycle: {sorted(cycles)}"
    assert "train" not in reach("agents") and "train" not in reach("evaluation")
