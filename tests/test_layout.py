"""The code layout stays the one the README describes: read from the source with ``ast``, no
module is imported.

- ``organisations`` knows nothing of the apps built on it (``partnerships``, ``notifications``);
- ``core`` imports none of the project's apps;
- ``partnerships`` keeps a short list of top-level modules, everything else in its packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FIRST_PARTY = ("core", "organisations", "partnerships", "notifications")
FORBIDDEN = {
    "organisations": {"partnerships", "notifications"},
    "core": {"organisations", "partnerships", "notifications"},
}
MAX_PARTNERSHIPS_MODULES = 8


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, anywhere in it (functions included), with its line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def import_graph() -> dict[tuple[str, str], list[str]]:
    """Edges between the first-party top-level packages, each with the lines that make it."""
    edges: dict[tuple[str, str], list[str]] = {}
    for package in FIRST_PARTY:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, module in imports(path):
                target = module.split(".")[0]
                if target in FIRST_PARTY and target != package:
                    where = f"{path.relative_to(ROOT)}:{line} imports {module}"
                    edges.setdefault((package, target), []).append(where)
    return edges


def test_organisations_imports_neither_partnerships_nor_notifications():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "organisations").rglob("*.py"))
        for line, module in imports(path)
        if module.split(".")[0] in FORBIDDEN["organisations"]
    ]
    assert offenders == [], "organisations must not depend on the apps built on it:\n" + "\n".join(
        offenders
    )


def test_partnerships_keeps_few_top_level_modules():
    modules = sorted(
        path.name for path in (ROOT / "partnerships").glob("*.py") if path.name != "__init__.py"
    )
    assert len(modules) <= MAX_PARTNERSHIPS_MODULES, (
        f"partnerships/ has {len(modules)} top-level modules (at most "
        f"{MAX_PARTNERSHIPS_MODULES}): {', '.join(modules)}; put the new one in a package "
        "(models, services, reads, reports, forms, views, api, admin)"
    )


def test_the_apps_depend_on_core_never_the_reverse():
    edges = import_graph()
    forbidden = [
        where
        for (source, target), lines in sorted(edges.items())
        if target in FORBIDDEN.get(source, ())
        for where in lines
    ]
    assert forbidden == [], "forbidden dependencies between apps:\n" + "\n".join(forbidden)
