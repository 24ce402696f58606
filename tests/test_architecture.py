"""Imports run one way: between the layers documented in docs/architecture.md, and no cycles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "gezondewijk"


def _layers() -> dict[str, int]:
    """Package or module → layer number, from the table in docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layers: dict[str, int] = {}
    for number, names in re.findall(r"^\| (\d+) \| [^|]+ \| (.+) \|$", text, flags=re.M):
        for name in re.findall(r"`([\w.]+)`", names):
            assert name not in layers, f"{name} is in two layers of docs/architecture.md"
            layers[name] = int(number)
    return layers


def _unit(module: str) -> str:
    """The top-level package or module of ``gezondewijk.x.y`` (``x``); ``gezondewijk`` itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "gezondewijk"


def _is_module(dotted: str) -> bool:
    path = ROOT / "src" / Path(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports() -> list[tuple[str, str, str]]:
    """(importing file, importing unit, imported unit) for every gezondewijk import."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT / "src").with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                for alias in node.names:
                    dotted = f"{base}.{alias.name}"
                    targets.append(dotted if _is_module(dotted) else base)
            for target in targets:
                if target == "gezondewijk" or target.startswith("gezondewijk."):
                    found.append((str(rel), _unit(module), _unit(target)))
    return found


def test_every_package_is_in_a_layer() -> None:
    layers = _layers()
    units = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    units |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    units.add("gezondewijk")
    missing = sorted(units - set(layers))
    assert not missing, f"place these in the layer table of docs/architecture.md: {missing}"
    stale = sorted(set(layers) - units)
    assert not stale, f"docs/architecture.md names what no longer exists: {stale}"


def test_no_import_runs_back_up() -> None:
    layers = _layers()
    upward = [
        f"{file}: {source} (layer {layers[source]}) imports {target} (layer {layers[target]})"
        for file, source, target in _imports()
        if source != target and layers[target] > layers[source]
    ]
    assert not upward, "\n".join(upward)


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for _, source, target in _imports():
        if source != target:
            graph.setdefault(source, set()).add(target)

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
        return False

    cycles = sorted(
        {
            " ↔ ".join(sorted((a, b)))
            for a, targets in graph.items()
            for b in targets
            if reaches(b, a)
        }
    )
    assert not cycles, f"import cycles between packages: {cycles}"


def test_the_walk_sees_imports() -> None:
    """The check itself finds a known import (so an empty walk cannot pass silently)."""
    assert ("gezondewijk/run/build", "run", "scoring") in {(f, s, t) for f, s, t in _imports()}


#: The most lines a module may have, and a function (its docstring not counted).
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _source_files() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "vendor" not in p.parts]


def test_no_module_is_too_long() -> None:
    long = [
        f"{p.relative_to(PACKAGE)}: {n} lines"
        for p in _source_files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, f"split these modules (at most {MAX_MODULE_LINES} lines): {long}"


def _function_lengths(text: str) -> list[tuple[str, int]]:
    """(name, lines without its docstring) of every function in ``text``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0]
            doc = (
                first.end_lineno - first.lineno + 1  # type: ignore[operator]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                else 0
            )
            found.append((node.name, node.end_lineno - node.lineno + 1 - doc))  # type: ignore[operator]
    return found


def test_no_function_is_too_long() -> None:
    long = [
        f"{p.relative_to(PACKAGE)}: {name} {n} lines"
        for p in _source_files()
        for name, n in _function_lengths(p.read_text(encoding="utf-8"))
        if n > MAX_FUNCTION_LINES
    ]
    assert not long, f"split these functions (at most {MAX_FUNCTION_LINES} lines): {long}"


def test_the_length_check_sees_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES + 1))
    text = f'def f():\n    """Doc\n\n    more.\n    """\n{body}\n'
    assert _function_lengths(text) == [("f", MAX_FUNCTION_LINES + 2)]  # the def line too


def test_complexity_is_bounded_by_the_linter() -> None:
    """Ruff's C901 (max-complexity 15) runs in ``make lint``; here: it is switched on."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert "C90" in config["lint"]["select"]
    assert config["lint"]["mccabe"]["max-complexity"] <= 15
