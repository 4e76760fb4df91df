"""The architecture, enforced: each package imports only from its own layer and the layers below.

Layers, bottom to top (README "Where things live"): the record and text rules; pure parsing and
change detection; the portal registry; storage; crawling; alerts; scheduling; the faces. Imports
inside functions count as much as those at the top of a module: a lazy import is still a
dependency. The simulated portal is a tool of tests, benches and the `demo`/`sim` commands: no
other product module may import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# Longest prefix wins; a module of the product that matches none fails the test until it is placed.
LAYERS: dict[str, int] = {
    "crawler.core": 0,
    "crawler.parsing": 1,
    "crawler.changes": 1,
    "crawler.portals": 2,
    "crawler.discovery": 4,
    "storage": 3,
    "crawler.crawling": 4,
    "spiders": 4,
    "crawler.alerts": 5,
    "crawler.scheduling": 6,
    "crawler.fleet": 6,
    "crawler.cli": 7,
    "crawler.web": 7,
    "scheduler": 7,
    "crawler.sim": 7,  # a tool: it may use anything; who may use it is checked below
}
SIMULATOR = "crawler.sim"
MAY_IMPORT_SIMULATOR = ("crawler.cli",)  # `portalwatch demo` and `portalwatch sim`
PRODUCT_ROOTS = ("crawler", "spiders", "storage", "scheduler.py")


def layer_of(module: str) -> int | None:
    if module == "crawler":
        return 0  # the package's own (empty) __init__; its modules each have their own layer
    prefixes = [prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return LAYERS[max(prefixes, key=len)] if prefixes else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> list[Path]:
    paths: list[Path] = []
    for root in PRODUCT_ROOTS:
        target = REPO / root
        paths.extend([target] if target.is_file() else sorted(target.rglob("*.py")))
    return paths


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import of the project's own packages, lazy ones included."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return [(line, name) for line, name in found if name.split(".")[0] in ("crawler", "spiders", "storage",
                                                                           "scheduler")]


def test_every_product_module_has_a_layer() -> None:
    unplaced = [module_name(p) for p in product_modules() if layer_of(module_name(p)) is None]
    assert not unplaced, f"place these modules in a layer (tests/test_layers.py LAYERS): {unplaced}"


@pytest.mark.parametrize("path", product_modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_only_go_down(path: Path) -> None:
    here = module_name(path)
    own = layer_of(here)
    if own is None:
        pytest.skip("not placed in a layer (the test above says so)")
    upward = []
    for line, imported in imports_of(path, here):
        if imported.startswith(SIMULATOR) and not here.startswith((SIMULATOR, *MAY_IMPORT_SIMULATOR)):
            upward.append(f"line {line}: {imported} (the simulator is a tool of tests and demo only)")
            continue
        theirs = layer_of(imported)
        if theirs is not None and theirs > own:
            upward.append(f"line {line}: {imported} (layer {theirs} above {here}'s {own})")
    assert not upward, f"{here} imports upward:\n" + "\n".join(upward)


def test_the_layer_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    """The check itself works: a storage module importing alerts inside a function is caught."""
    module = tmp_path / "probe.py"
    module.write_text("from . import models\n\ndef f():\n    from crawler.alerts.rules import rule_matches\n"
                      "    return rule_matches, models\n")
    found = imports_of(module, "storage.probe")
    assert found == [(1, "storage"), (4, "crawler.alerts.rules")]
    assert [name for _, name in found if (layer_of(name) or 0) > (layer_of("storage.probe") or 0)] == [
        "crawler.alerts.rules"]
