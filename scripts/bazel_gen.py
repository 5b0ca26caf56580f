#!/usr/bin/env python3
"""Write BUILD.bazel files for workspace members from `cargo metadata`.

Usage: bazel_gen.py [--force] [CRATE_DIR ...]

By default only members without a BUILD.bazel get one (hand-written files are left alone);
`--force` rewrites the named members (or all of them). The `manifests` list of MODULE.bazel's
`crate.from_cargo` is always brought in line with the workspace members. The output is in the
shape `bazel_check.py` expects and is already formatted the way buildifier wants it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

# No __pycache__ beside the scripts in the work tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cargo_bazel import (  # noqa: E402
    CARGO_DEFS,
    RULES_RUST_DEFS,
    Member,
    Target,
    expected_manifests,
    expected_members,
    sort_labels,
    workspace_root,
)

INDENT = "    "
# buildifier's attribute order for rules in BUILD files: name, srcs, the rest by name, deps.
ATTR_PRIORITY = {"name": -99, "srcs": -90, "deps": 4}


def _string_list(values: list[str], level: int) -> str:
    if not values:
        return "[]"
    if len(values) == 1:
        return f'["{values[0]}"]'
    inner = INDENT * (level + 1)
    lines = "".join(f'{inner}"{v}",\n' for v in values)
    return f"[\n{lines}{INDENT * level}]"


def _dict(values: dict[str, str], level: int) -> str:
    if len(values) == 1:
        ((k, v),) = values.items()
        return f'{{"{k}": "{v}"}}'
    inner = INDENT * (level + 1)
    lines = "".join(f'{inner}"{k}": "{v}",\n' for k, v in sorted(values.items()))
    return f"{{\n{lines}{INDENT * level}}}"


def render_target(target: Target) -> str:
    attrs: list[tuple[str, str]] = [("name", f'"{target.name}"')]
    if target.srcs is not None:
        attrs.append(("srcs", _string_list(target.srcs, 1)))
    elif target.src_glob:
        attrs.append(("srcs", f'glob(["{target.src_glob}"])'))
    if target.crate:
        attrs.append(("crate", f'"{target.crate}"'))
    if target.crate_root:
        attrs.append(("crate_root", f'"{target.crate_root}"'))
    if target.crate_name:
        attrs.append(("crate_name", f'"{target.crate_name}"'))
    if target.edition and not target.crate:
        attrs.append(("edition", f'"{target.edition}"'))
    data = sort_labels(target.data)
    if data or target.data_globs:
        parts = []
        if data:
            parts.append(_string_list(data, 1))
        if target.data_globs:
            parts.append(f"glob({_string_list(target.data_globs, 1)})")
        attrs.append(("data", " + ".join(parts)))
    if target.rustc_env:
        attrs.append(("rustc_env", _dict(target.rustc_env, 1)))
    if target.public:
        attrs.append(("visibility", '["//visibility:public"]'))
    aliases = target.deps.aliases()
    if aliases:
        attrs.append(("aliases", _dict(aliases, 1)))
    macros = target.deps.macros()
    if macros:
        attrs.append(("proc_macro_deps", _string_list(macros, 1)))
    deps = target.deps.normal()
    if deps:
        attrs.append(("deps", _string_list(deps, 1)))
    attrs.sort(key=lambda kv: (ATTR_PRIORITY.get(kv[0], 0), kv[0]))
    body = "".join(f"{INDENT}{key} = {value},\n" for key, value in attrs)
    return f"{target.rule}(\n{body})\n"


def render_member(member: Member) -> str:
    rust_rules = sorted({t.rule for t in member.targets if t.rule != "cargo_build_script"})
    loads = []
    if any(t.rule == "cargo_build_script" for t in member.targets):
        loads.append(f'load("{CARGO_DEFS}", "cargo_build_script")')
    if rust_rules:
        symbols = ", ".join(f'"{r}"' for r in rust_rules)
        loads.append(f'load("{RULES_RUST_DEFS}", {symbols})')
    header = "".join(f"{line}\n" for line in loads)
    return header + "".join(f"\n{render_target(t)}" for t in member.targets)


def update_module(root: str, manifests: list[str]) -> bool:
    """Rewrite the `manifests = [...]` of crate.from_cargo; True when the file changed."""
    path = os.path.join(root, "MODULE.bazel")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(r"(crate\.from_cargo\((?:[^()]|\([^()]*\))*?\n(\s*)manifests = )\[[^\]]*\]", re.S)
    match = pattern.search(text)
    if match is None:
        raise SystemExit(f"{path}: no `manifests = [...]` inside crate.from_cargo(...) to update")
    level = len(match.group(2)) // len(INDENT)
    new = text[: match.start()] + match.group(1) + _string_list(manifests, level) + text[match.end() :]
    if new == text:
        return False
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="overwrite existing BUILD.bazel files")
    parser.add_argument("dirs", nargs="*", help="member directories to generate (default: all)")
    args = parser.parse_args()

    root = workspace_root()
    members = expected_members(root)
    wanted = {os.path.normpath(d).rstrip("/") for d in args.dirs}
    unknown = wanted - {m.directory for m in members}
    if unknown:
        raise SystemExit(f"not workspace members: {', '.join(sorted(unknown))}")

    for member in members:
        if wanted and member.directory not in wanted:
            continue
        path = os.path.join(root, member.build_file)
        exists = os.path.exists(path)
        if exists and not args.force:
            print(f"kept      {member.build_file} (exists; --force to regenerate)")
            continue
        text = render_member(member)
        if exists:
            with open(path, encoding="utf-8") as f:
                if f.read() == text:
                    print(f"unchanged {member.build_file}")
                    continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{'rewrote' if exists else 'wrote':9} {member.build_file}")

    changed = update_module(root, expected_manifests(root, members))
    print(f"{'updated' if changed else 'unchanged'} MODULE.bazel manifests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
