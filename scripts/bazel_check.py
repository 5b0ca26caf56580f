#!/usr/bin/env python3
"""Check that the Bazel files describe the same build as Cargo.

For every workspace member (from `cargo metadata`) its BUILD.bazel must exist and declare:
- `rust_library` (or `rust_proc_macro`) named after the lib crate, `rust_binary` per bin target,
  a `rust_test` over each of them, and one `rust_test` per integration test (`tests/*.rs`);
- `deps` / `proc_macro_deps` equal to the Cargo dependencies: registry crates as
  `@crates//:<package>`, workspace crates as `//<dir>:<crate_name>`; test targets add the
  dev-dependencies.
MODULE.bazel's `crate.from_cargo(manifests = [...])` must list the root and every member manifest.

Deps are compared strictly; `data`, `compile_data`, `env`, `rustc_env` and other attributes are
the author's business. Prints one line per problem and exits 1 if there is any.
Run `just bazel-gen --force <dir>` to regenerate a member's file. Python standard library only.
"""

from __future__ import annotations

import ast
import os
import sys

# No __pycache__ beside the scripts in the work tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cargo_bazel import (  # noqa: E402
    CARGO_DEFS,
    RULES_RUST_DEFS,
    Target,
    expected_manifests,
    expected_members,
    sort_labels,
    workspace_root,
)

CHECKED_RULES = {"rust_library", "rust_proc_macro", "rust_binary", "rust_test", "cargo_build_script"}


class Unreadable(Exception):
    """An attribute is not a literal the checker can evaluate."""


def literal(node: ast.AST):
    """Evaluate the Starlark subset found in BUILD files: strings, lists, dicts, `+`, glob()."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [literal(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {literal(k): literal(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left), literal(node.right)
        if isinstance(left, list) and isinstance(right, list):
            return left + right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "glob":
        # Globs only ever appear in srcs/data, which are not compared as sets.
        return [("glob", tuple(literal(a) for a in node.args))]
    raise Unreadable(ast.unparse(node))


def parse_starlark(path: str) -> ast.Module:
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read(), filename=path)


class BuildFile:
    """The rule calls and loads of one BUILD.bazel."""

    def __init__(self, path: str):
        self.path = path
        self.targets: dict[str, tuple[str, dict[str, ast.AST], int]] = {}
        self.loaded: dict[str, set[str]] = {}
        self.problems: list[str] = []
        for stmt in parse_starlark(path).body:
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
                continue
            call = stmt.value
            if not isinstance(call.func, ast.Name):
                continue
            rule = call.func.id
            if rule == "load" and call.args:
                module = literal(call.args[0])
                symbols = {literal(a) for a in call.args[1:]} | {k.arg for k in call.keywords}
                self.loaded.setdefault(module, set()).update(symbols)
                continue
            attrs = {k.arg: k.value for k in call.keywords if k.arg}
            if rule in CHECKED_RULES and "name" in attrs:
                name = literal(attrs["name"])
                if name in self.targets:
                    self.problems.append(f"{path}:{call.lineno}: target {name!r} declared twice")
                self.targets[name] = (rule, attrs, call.lineno)

    def list_attr(self, name: str, attr: str) -> list:
        _, attrs, _ = self.targets[name]
        if attr not in attrs:
            return []
        value = literal(attrs[attr])
        if not isinstance(value, list):
            raise Unreadable(ast.unparse(attrs[attr]))
        return value


def compare_deps(where: str, attr: str, actual: list, required: set[str], allowed: set[str]) -> list[str]:
    problems = []
    actual_set = set(actual)
    if len(actual_set) != len(actual):
        dupes = sort_labels(d for d in actual_set if actual.count(d) > 1)
        problems.append(f"{where}: duplicate {attr}: {', '.join(dupes)}")
    missing = sort_labels(required - actual_set)
    extra = sort_labels(actual_set - required - allowed)
    if missing:
        problems.append(f"{where}: missing {attr}: {', '.join(missing)}")
    if extra:
        problems.append(f"{where}: extra {attr}: {', '.join(extra)}")
    return problems


def check_target(build: BuildFile, rel_path: str, target: Target) -> list[str]:
    if target.name not in build.targets:
        return [f"{rel_path}: missing {target.rule}(name = {target.name!r})"]
    rule, attrs, line = build.targets[target.name]
    where = f"{rel_path}:{line}: {rule} {target.name}"
    problems = []
    if rule != target.rule:
        problems.append(f"{where}: should be {target.rule}")
    macro_labels = {d.label for d in target.deps.deps if d.proc_macro}
    for attr, is_macro in (("deps", False), ("proc_macro_deps", True)):
        try:
            actual = build.list_attr(target.name, attr)
        except Unreadable as err:
            problems.append(f"{where}: {attr} is not a literal list ({err}); cannot verify it")
            continue
        if not all(isinstance(a, str) for a in actual):
            problems.append(f"{where}: {attr} must be a list of label strings")
            continue
        required = target.deps.required(is_macro)
        allowed = target.deps.optional_labels()
        # Test targets over a crate inherit its deps; repeating them is harmless.
        if target.crate and target.crate[1:] in build.targets:
            inherited_attrs = build.targets[target.crate[1:]][1]
            if attr in inherited_attrs:
                try:
                    allowed |= set(build.list_attr(target.crate[1:], attr))
                except Unreadable:
                    pass
        misplaced = set(actual) & macro_labels if not is_macro else set()
        if misplaced:
            problems.append(f"{where}: proc-macro crates belong in proc_macro_deps: {', '.join(sort_labels(misplaced))}")
            actual = [a for a in actual if a not in misplaced]
        problems += compare_deps(where, attr, actual, required, allowed)
    if target.crate is not None:
        crate = literal(attrs["crate"]) if "crate" in attrs else None
        if crate != target.crate:
            problems.append(f"{where}: crate should be {target.crate!r}, found {crate!r}")
    if target.edition and "edition" in attrs and literal(attrs["edition"]) != target.edition:
        problems.append(f"{where}: edition should be {target.edition!r}, found {literal(attrs['edition'])!r}")
    if target.edition and not target.crate and "edition" not in attrs:
        problems.append(f"{where}: no edition (Cargo says {target.edition!r})")
    if target.srcs is not None:
        try:
            srcs = build.list_attr(target.name, "srcs")
        except Unreadable:
            srcs = []
        root = literal(attrs["crate_root"]) if "crate_root" in attrs else None
        if target.srcs[0] not in srcs and root != target.srcs[0]:
            problems.append(f"{where}: srcs should contain {target.srcs[0]!r}")
    if target.crate_root and rule in ("rust_binary", "rust_test"):
        root = literal(attrs["crate_root"]) if "crate_root" in attrs else None
        if root != target.crate_root:
            problems.append(f"{where}: crate_root should be {target.crate_root!r}, found {root!r}")
    return problems


def check_loads(build: BuildFile, rel_path: str) -> list[str]:
    problems = []
    for name, (rule, _, line) in sorted(build.targets.items(), key=lambda t: t[1][2]):
        module = CARGO_DEFS if rule == "cargo_build_script" else RULES_RUST_DEFS
        if rule not in build.loaded.get(module, set()):
            problems.append(f"{rel_path}:{line}: {rule} used but not loaded from {module}")
    return problems


def check_module(root: str, manifests: list[str]) -> list[str]:
    path = os.path.join(root, "MODULE.bazel")
    if not os.path.exists(path):
        return ["MODULE.bazel: missing"]
    problems = []
    from_cargo = None
    use_repos = []
    for stmt in parse_starlark(path).body:
        call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) else None
        if call is None:
            continue
        if isinstance(call.func, ast.Attribute) and call.func.attr == "from_cargo":
            from_cargo = call
        if isinstance(call.func, ast.Name) and call.func.id == "use_repo":
            use_repos.append(call)
    if from_cargo is None:
        return ["MODULE.bazel: no crate.from_cargo(...)"]
    attrs = {k.arg: k.value for k in from_cargo.keywords}
    hub = literal(attrs["name"]) if "name" in attrs else None
    if hub != "crates":
        problems.append(f"MODULE.bazel:{from_cargo.lineno}: crate.from_cargo name should be 'crates', found {hub!r}")
    if "cargo_lockfile" not in attrs or literal(attrs["cargo_lockfile"]) != "//:Cargo.lock":
        problems.append(f"MODULE.bazel:{from_cargo.lineno}: cargo_lockfile should be '//:Cargo.lock'")
    try:
        actual = literal(attrs["manifests"]) if "manifests" in attrs else []
    except Unreadable as err:
        return problems + [f"MODULE.bazel:{from_cargo.lineno}: manifests is not a literal list ({err})"]
    problems += compare_deps(f"MODULE.bazel:{from_cargo.lineno}: crate.from_cargo", "manifests", actual, set(manifests), set())
    if not any(any(isinstance(a, ast.Constant) and a.value == "crates" for a in c.args) for c in use_repos):
        problems.append('MODULE.bazel: missing use_repo(crate, "crates")')
    return problems


def main() -> int:
    root = workspace_root()
    members = expected_members(root)
    problems: list[str] = []
    for member in members:
        path = os.path.join(root, member.build_file)
        if not os.path.exists(path):
            problems.append(f"{member.build_file}: missing (crate {member.package}; `just bazel-gen` writes it)")
            continue
        build = BuildFile(path)
        problems += build.problems
        problems += check_loads(build, member.build_file)
        expected_names = {t.name for t in member.targets}
        for target in member.targets:
            problems += check_target(build, member.build_file, target)
        for name, (rule, _, line) in build.targets.items():
            if name not in expected_names:
                problems.append(f"{member.build_file}:{line}: {rule} {name}: no Cargo target matches it (stale?)")
    problems += check_module(root, expected_manifests(root, members))

    for problem in problems:
        print(problem)
    if problems:
        files = {p.split(":", 1)[0] for p in problems}
        print(f"bazel-check: {len(problems)} problem(s) in {len(files)} file(s); "
              f"fix by hand or regenerate with `just bazel-gen --force <crate dir>`")
        return 1
    print(f"bazel-check: {len(members)} crates, BUILD files and MODULE.bazel match cargo metadata")
    return 0


if __name__ == "__main__":
    sys.exit(main())
