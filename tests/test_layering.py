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
# An entry names a package or one module of it: "csms_lite.client" allows that and its modules.
ALLOWED: dict[str, frozenset[str]] = {
    "csms_lite": frozenset({"ingest"}),
    "ingest": frozenset(),
    "pipelines": frozenset({"ingest", "models"}),
    # The CSMS only through its HTTP API, so through its one client; the data folder's
    # layout from its one owner (SHARED below).
    "models": frozenset({"csms_lite.client", "ingest.data_folder"}),
    "dashboard": frozenset({"csms_lite.client", "ingest.data_folder", "pipelines.nevi",
                            "csms_lite.registry.passwords"}),
    # The composition root wires every package together, but never the evaluation harness.
    "workbench": frozenset({"csms_lite", "ingest", "pipelines", "models", "dashboard"}),
}
# Single modules a package may import although their package is not in ALLOWED: each owns one
# fact several packages share, so it is spelled once (``ingest.data_folder``: what lives where in
# the data folder; ``pipelines.nevi``: the NEVI threshold, which the marts and the dashboard
# must apply alike; ``csms_lite.registry.passwords``: how a password is hashed, for chargers and
# the dashboard's users alike). Each imports only the standard library at module level, which
# test_shared_modules_stay_leaves holds it to, so allowing it allows no more.
SHARED = frozenset({"ingest.data_folder", "pipelines.nevi", "csms_lite.registry.passwords"})
# The client of the CSMS API runs where no server does: of csms_lite it may use only itself
# and the exception root (csms_lite.errors imports nothing).
CLIENT = "csms_lite.client"
CLIENT_MAY_USE = frozenset({CLIENT, "csms_lite.errors"})


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


def _within(module: str, names: frozenset[str]) -> bool:
    """``module`` is one of ``names`` or inside one of them."""
    return any(module == n or module.startswith(n + ".") for n in names)


def _imports(folder: Path) -> list[tuple[str, str]]:
    """(``path:line``, module) for every import statement under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for module in _modules(node, path):
                found.append((f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}", module))
    return found


def violations(package: str) -> list[str]:
    allowed = ALLOWED[package] | {package}
    return sorted(
        f"{where}: imports {module}"
        for where, module in _imports(ROOT / package)
        if module.split(".")[0] in OURS and not _within(module, allowed)
    )


def client_violations() -> list[str]:
    return sorted(
        f"{where}: imports {module}"
        for where, module in _imports(ROOT / Path(*CLIENT.split(".")))
        if module.split(".")[0] in OURS and not _within(module, CLIENT_MAY_USE)
    )


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_design_allows(package: str) -> None:
    allowed = ", ".join(sorted(ALLOWED[package])) or "nothing"
    bad = violations(package)
    assert not bad, (f"{package} may import only {allowed} of ours (DESIGN.md):\n"
                     + "\n".join(bad))


def test_the_csms_client_imports_no_server_code() -> None:
    bad = client_violations()
    assert not bad, (f"{CLIENT} may import only {', '.join(sorted(CLIENT_MAY_USE))} of ours:\n"
                     + "\n".join(bad))


def test_the_errors_the_client_uses_import_nothing_of_ours() -> None:
    tree = ast.parse((ROOT / "csms_lite" / "errors.py").read_text(encoding="utf-8"))
    path = ROOT / "csms_lite" / "errors.py"
    assert [m for node in ast.walk(tree) for m in _modules(node, path)
            if m.split(".")[0] in OURS] == []


def test_a_module_entry_allows_that_module_only() -> None:
    allowed = frozenset({"csms_lite.client"})
    assert _within("csms_lite.client", allowed)
    assert _within("csms_lite.client.sync", allowed)
    assert not _within("csms_lite.clients", allowed)
    assert not _within("csms_lite.server.hub", allowed)
    assert not _within("csms_lite", allowed)


def test_shared_modules_stay_leaves() -> None:
    """A shared module imports nothing of ours when it is loaded: ``DataFolder.lake`` imports
    the lake's modules inside the property, when it is used, and an ``if TYPE_CHECKING:``
    import (annotations only) is not a statement of the module body."""
    for name in sorted(SHARED):
        path = ROOT.joinpath(*name.split(".")).with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        ours = [m for n in top for m in _modules(n, path) if m.split(".")[0] in OURS]
        assert not ours, f"{name} is shared by several packages: it may not import {ours}"


def test_the_checker_sees_imports_inside_functions() -> None:
    tree = ast.parse("def f() -> None:\n    from workbench import cli\n    import ingest.x\n")
    names = [m for node in ast.walk(tree) for m in _modules(node, ROOT / "models" / "m.py")]
    assert sorted(names) == ["ingest.x", "workbench"]


def test_the_checker_resolves_relative_imports() -> None:
    tree = ast.parse("from . import a\nfrom ..replay.plan import Plan\n")
    names = [m for node in ast.walk(tree)
             for m in _modules(node, ROOT / "ingest" / "sim" / "x.py")]
    assert names == ["ingest.sim", "ingest.replay.plan"]
