"""The import rules of DESIGN.md ("Packages and who may import whom"), checked on the source: every
import statement in every module of a package, those inside functions and ``TYPE_CHECKING``
blocks included, may name only the packages of ours that the package is allowed to use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = frozenset(
    {"csms_lite", "ingest", "pipelines", "models", "dashboard", "workbench", "evaluation"}
)
# Each package may import itself and these of ours, nothing else of ours (so never workbench,
# the ``cpo`` command's composition root, nor evaluation, which only bench/ and tests use).
ALLOWED: dict[str, frozenset[str]] = {
    "csms_lite": frozenset({"ingest"}),
    "ingest": frozenset(),
    "pipelines": frozenset({"ingest", "models"}),
    "models": frozenset(),
    "dashboard": frozenset(),
    # The composition root wires every package together, but never the evaluation harness.
    "workbench": frozenset({"csms_lite", "ingest", "pipelines", "models", "dashboard"}),
}


def _modules(node: ast.AST, path: Path) -> list[str]:
    """The absolute module names an import statement names (relative ones resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level == 0:
            return [node.module or ""]
        package = list(path.relative_to(ROOT).with_suffix("").parts)
        base = package[: len(package) - node.level]  # a module's level 1 is its own package
        return [".".join([*base, node.module] if node.module else base)]
    return []


def violations(package: str) -> list[str]:
    forbidden = OURS - ALLOWED[package] - {package}
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for module in _modules(node, path):
                if module.split(".")[0] in forbidden:
                    line = getattr(node, "lineno", 0)
                    found.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    return sorted(found)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_design_allows(package: str) -> None:
    allowed = ", ".join(sorted(ALLOWED[package])) or "nothing"
    bad = violations(package)
    assert not bad, (f"{package} may import only {allowed} of ours (DESIGN.md):\n"
                     + "\n".join(bad))


def test_the_checker_sees_imports_inside_functions() -> None:
    tree = ast.parse("def f() -> None:\n    from workbench import cli\n    import ingest.x\n")
    names = [m for node in ast.walk(tree) for m in _modules(node, ROOT / "models" / "m.py")]
    assert sorted(names) == ["ingest.x", "workbench"]


def test_the_checker_resolves_relative_imports() -> None:
    tree = ast.parse("from . import a\nfrom ..replay.plan import Plan\n")
    names = [m for node in ast.walk(tree)
             for m in _modules(node, ROOT / "ingest" / "sim" / "x.py")]
    assert names == ["ingest.sim", "ingest.replay.plan"]
