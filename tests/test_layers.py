"""The shape of the code: no import circle in the package, and the web page reaches the assistant only
through its protocol (web/protocol.py), reading the plans at each event, not when the page is built."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"
# What the web may import of the rest of the package: plain data, text helpers and the protocol's types.
# The service, the chain, retrieval, the index and the embedder are reached only through the protocol.
WEB_FORBIDDEN = {"assistant.service", "assistant.chain", "assistant.retrieval", "assistant.indexing",
                 "assistant.embeddings", "assistant.evaluation", "assistant.cli"}
SERVICE_NAMES = {"svc", "self.svc"}  # how web code names the service it was given


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every assistant module `path` imports, at any depth of the file (a lazy import is still a dependency)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if (ROOT / Path(*full.split("."))).with_suffix(".py").exists()
                        or (ROOT / Path(*full.split(".")) / "__init__.py").exists() else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m == "assistant" or m.startswith("assistant.")}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def test_no_import_circle() -> None:
    deps = graph()
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(deps.get(node, ())):
            if nxt not in deps:
                continue
            if state.get(nxt) == 1:
                # A package importing its own submodules (its __init__) is not a circle of modules.
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                if not all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(cycle, cycle[1:])):
                    circles.append(cycle)
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(deps):
        if module not in state:
            visit(module, [module])
    assert not circles, circles


def test_the_web_reaches_the_assistant_only_through_its_protocol() -> None:
    from assistant.web.protocol import PlanService

    members = {n for n in dir(PlanService) if not n.startswith("_")} | set(PlanService.__annotations__)
    problems = []
    for path in sorted((PACKAGE / "web").glob("*.py")):
        name = module_name(path)
        problems += [f"{name} imports {m}" for m in imports(path)
                     if any(m == f or m.startswith(f + ".") for f in WEB_FORBIDDEN)]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and ast.unparse(node.value) in SERVICE_NAMES \
                    and node.attr not in members:
                problems.append(f"{name}:{node.lineno} uses {ast.unparse(node)}, not in the protocol")
    assert not problems, problems


def test_the_service_satisfies_the_protocol() -> None:
    from assistant.service import PlanAssistant
    from assistant.web.protocol import PlanService

    missing = [n for n in dir(PlanService) if not n.startswith("_") and not hasattr(PlanAssistant, n)]
    assert not missing, missing
