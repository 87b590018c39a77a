"""`_` is gettext in every module that imports it from i18n: a function that binds `_` too
(`for _ in ...`, `_ = ...`) makes each message of that function fail at the moment it is
needed, as an error is being reported. sync's check of a colleague's chain did, and every
chain that failed verification ended sync in a traceback."""

import ast
from pathlib import Path

import pmjournal

ROOT = Path(pmjournal.__file__).parent


def _imports_gettext(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and (node.module or "").endswith("i18n")
        and any(a.name == "_" and a.asname is None for a in node.names)
        for node in tree.body
    )


def _binds_underscore(function: ast.AST) -> list[int]:
    """Lines where `function` itself (not a nested comprehension, which has its own scope) binds `_`."""
    lines = []
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(
            node,
            (
                ast.FunctionDef,
                ast.AsyncFunctionDef,
                ast.Lambda,
                ast.ClassDef,
                ast.ListComp,
                ast.SetComp,
                ast.DictComp,
                ast.GeneratorExp,
            ),
        ):
            continue
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            lines.append(node.lineno)
        elif isinstance(node, ast.ExceptHandler) and node.name == "_":
            lines.append(node.lineno)
        stack.extend(ast.iter_child_nodes(node))
    return lines


def test_no_function_hides_gettext():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not _imports_gettext(tree):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [f"{path.relative_to(ROOT.parent)}:{line}" for line in _binds_underscore(node)]
    assert found == []
