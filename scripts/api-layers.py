#!/usr/bin/env python3
"""The API's layers point one way: fail on an import cycle in api/src.

Reads every `use crate::…`, `use super::…` and `crate::…::` path in
api/src/**/*.rs (test modules included: a test that imports upward is still
an upward import) and builds two graphs:

- files: `users/service.rs` -> `credentials/link_token.rs`, …
- top-level modules: `users` -> `credentials`, …

Either graph having a cycle fails the check, as does `config.rs` or
`error.rs` importing a module that itself imports from the crate (they are
the ground floor: beside them only leaves such as `metrics`, the names of
the Prometheus series).
Run by scripts/test-api; `--graph` prints the module graph, `--src=DIR`
checks another tree (the planted-cycle check in scripts/test-api).
"""

import re
import sys
from pathlib import Path

SRC = Path(
    next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--src=")), "")
    or Path(__file__).resolve().parents[1] / "api" / "src"
).resolve()
GROUND_FLOOR = {"config", "error"}
# Files that are the crate's roots, not layers: they declare modules.
ROOTS = {"lib.rs", "main.rs"}

PATH = re.compile(r"\b(crate|super)((?:::\w+)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super)::\{([^;]*)\};", re.S)


def module_of(path: Path) -> list[str]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    return parts


def resolve(current: list[str], is_mod_file: bool, anchor: str, segments: list[str]) -> list[str]:
    if anchor == "crate":
        return segments
    # `super` in a.rs refers to the parent of module a; in a/mod.rs too
    # (the module's own parent), so both drop the last segment.
    base = current[:-1]
    while segments and segments[0] == "super":
        base = base[:-1]
        segments = segments[1:]
    return base + segments


def file_for(module: list[str]) -> str | None:
    """The file that defines the longest prefix of `module`."""
    for end in range(len(module), 0, -1):
        prefix = module[:end]
        for candidate in (SRC.joinpath(*prefix).with_suffix(".rs"), SRC.joinpath(*prefix, "mod.rs")):
            if candidate.exists():
                return str(candidate.relative_to(SRC))
    return None


def imports(path: Path) -> set[tuple[str, ...]]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"//[^\n]*", "", text)
    found: set[tuple[str, ...]] = set()
    current = module_of(path)
    mod_file = path.name == "mod.rs"
    for anchor, group in USE_GROUP.findall(text):
        for item in re.split(r",\s*(?![^{]*\})", group):
            item = item.strip()
            if not item:
                continue
            head = item.split("::{")[0].split(" as ")[0]
            segments = [s for s in head.split("::") if s and s != "self"]
            if segments:
                found.add(tuple(resolve(current, mod_file, anchor, segments)))
    for anchor, rest in PATH.findall(text):
        segments = [s for s in rest.split("::") if s]
        found.add(tuple(resolve(current, mod_file, anchor, segments)))
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def main() -> int:
    files: dict[str, set[str]] = {}
    modules: dict[str, set[str]] = {}
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.rs")):
        rel = str(path.relative_to(SRC))
        if rel in ROOTS:
            continue
        own_file = rel
        own_module = module_of(path)[0]
        for target in imports(path):
            target_file = file_for(list(target))
            if target_file and target_file != own_file and target_file not in ROOTS:
                files.setdefault(own_file, set()).add(target_file)
            is_module = target and (
                (SRC / f"{target[0]}.rs").exists() or (SRC / target[0] / "mod.rs").exists()
            )
            if is_module and target[0] != own_module:
                modules.setdefault(own_module, set()).add(target[0])
    for floor in sorted(GROUND_FLOOR):
        for target in sorted(modules.get(floor, ())):
            if modules.get(target):
                problems.append(
                    f"{floor} imports crate::{target}, which is not a leaf: the ground floor "
                    "imports only modules that import nothing of the crate"
                )
    for name, graph in (("file", files), ("module", modules)):
        cycle = find_cycle(graph)
        if cycle:
            problems.append(f"{name} import cycle: " + " -> ".join(cycle))
    if "--graph" in sys.argv:
        for module in sorted(modules):
            print(f"{module} -> {', '.join(sorted(modules[module]))}")
    for problem in problems:
        print(f"api-layers: {problem}", file=sys.stderr)
    if not problems:
        print(f"api-layers: {len(files)} files, {len(modules)} modules, no cycle")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
