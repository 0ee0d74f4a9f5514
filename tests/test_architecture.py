"""The house keeps its shape: no import cycle between modules, and no module imports one of a higher
layer (function-level imports count). The layers, from the ground up, are in docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = "gongfu_reports"

# Module name prefixes (after "gongfu_reports.") by layer; the longest matching prefix decides.
LAYERS = [
    ["", "errors", "gc_settings"],                                        # __version__, errors, the collector's settings
    ["files", "publish", "bundled", "render.layout", "render.styles", "pdftext", "pdfread", "pdfpack"],   # no domain
    ["config", "model"],
    ["sources", "compose"],                                               # data → model, model → view
    ["kinds"],
    ["render", "lint", "importers"],
    ["build", "progress"],
    ["preview", "template_files", "template_reference"],
    ["cli", "__main__"],
]


def layer_of(module: str) -> int:
    name = module.removeprefix(PACKAGE).removeprefix(".")
    best = None
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or (prefix and name.startswith(prefix + ".")) or (prefix == "" and name == ""):
                if best is None or len(prefix) > len(best[1]):
                    best = (level, prefix)
    assert best is not None, f"{module} has no layer in tests/test_architecture.py"
    return best[0]


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted((REPO / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that `module` imports anywhere in its code (functions included)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import name`: the submodule pkg.name when there is one, else the module pkg itself.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith(PACKAGE) and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports(m, p, known) for m, p in known.items()}


def test_every_module_has_a_layer():
    for module in modules():
        layer_of(module)


def test_no_module_imports_a_higher_layer():
    upward = sorted(f"{a} (layer {layer_of(a)}) → {b} (layer {layer_of(b)})"
                    for a, targets in graph().items() for b in targets
                    if layer_of(b) > layer_of(a))
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    edges = graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):   # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_checker_sees_function_level_and_relative_imports(tmp_path):
    """The graph is read from the code: an import inside a function, written relatively, is an edge."""
    edges = graph()
    assert "gongfu_reports.kinds" in edges["gongfu_reports.progress.common"]
    assert "gongfu_reports.render.docx" in edges["gongfu_reports.render.registry"]   # inside functions
