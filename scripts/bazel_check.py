#!/usr/bin/env python3
"""Check (or write) the Bazel files against the Cargo workspace.

Registry crates reach Bazel through crate_universe: every target takes `all_crate_deps(...)`
and `aliases(...)` from `@crates`, so Cargo.toml stays their only list. crate_universe leaves
workspace crates out of those macros on purpose, so each BUILD.bazel names the workspace crates
it uses (`DEPS`, `DEV_DEPS`), and this script checks that:
- every workspace member has a BUILD.bazel declaring its targets: `rust_library` (lib),
  `rust_binary` (each bin), a `rust_test` over each of them and one per integration test;
- each target takes the right `all_crate_deps(...)`, and exactly the workspace crates Cargo says;
- every test of a crate that uses mcpctl-test-support gets the test server in `data` and
  `MCPCTL_TEST_SERVER` in `env` (test_server_bin() reads it);
- MODULE.bazel's `crate.from_cargo(manifests = [...])` lists the root and every member manifest.

`--write [DIR ...]` writes the BUILD.bazel of the members that have none (or of the named ones)
and brings the manifest list in line; then it checks. Python standard library only.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = "//testing/test-server:mcpctl_test_server"
SUPPORT = "mcpctl-test-support"
# Which all_crate_deps() buckets a target takes: (deps, proc_macro_deps).
BUCKETS = {
    "crate": (["normal"], ["proc_macro"]),
    "unit": (["normal_dev"], ["proc_macro_dev"]),
    "integration": (["normal", "normal_dev"], ["proc_macro", "proc_macro_dev"]),
}
MANIFESTS = re.compile(r"(crate\.from_cargo\((?:[^()]|\([^()]*\))*?manifests = )(\[[^\]]*\])", re.S)


def members() -> list[dict]:
    """Each member's folder, targets, and the workspace crates it depends on (normal, dev)."""
    cmd = ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"]
    meta = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    found = []
    for pkg in meta["packages"]:
        base = os.path.dirname(pkg["manifest_path"])
        rel = lambda path: os.path.relpath(path, base).replace(os.sep, "/")  # noqa: E731
        of_kind = lambda kind: [t for t in pkg["targets"] if kind in t["kind"]]  # noqa: E731
        lib = (of_kind("lib") + of_kind("proc-macro") or [None])[0]
        found.append({
            "package": pkg["name"],
            "dir": os.path.relpath(base, ROOT).replace(os.sep, "/").removeprefix("."),
            "lib": lib["name"] if lib else None,
            "bins": [(t["name"], rel(t["src_path"])) for t in of_kind("bin")],
            "tests": [(t["name"], rel(t["src_path"])) for t in of_kind("test")],
            "uses": {kind: {d["name"] for d in pkg["dependencies"] if d.get("path") and (d["kind"] or "normal") == kind}
                     for kind in ("normal", "dev")},
        })
    labels = {m["package"]: f"//{m['dir']}:{m['lib']}" for m in found if m["lib"]}
    for m in found:
        m["deps"] = {kind: sorted(labels[n] for n in names if n in labels) for kind, names in m.pop("uses").items()}
        m["server"] = m["package"] == SUPPORT or labels.get(SUPPORT) in m["deps"]["dev"]
    return sorted(found, key=lambda m: m["dir"])


def targets(m: dict) -> list[dict]:
    """The targets a member's BUILD.bazel declares."""
    crate = m["lib"] or m["package"].replace("-", "_")
    own = [f":{m['lib']}"] if m["lib"] else []
    server = {"MCPCTL_TEST_SERVER": f"$(rootpath {SERVER})"} if m["server"] else {}
    unit = {"kind": "unit", "deps": m["deps"]["dev"], "data": [SERVER] * m["server"], "env": server}
    found = []
    if m["lib"]:
        found.append({"rule": "rust_library", "name": m["lib"], "kind": "crate", "deps": m["deps"]["normal"]})
        found.append({"rule": "rust_test", "name": f"{m['lib']}_test", "crate": f":{m['lib']}", **unit})
    for binary, src in m["bins"]:
        name = binary.replace("-", "_")
        found.append({"rule": "rust_binary", "name": name, "root": src, "kind": "crate",
                      "deps": own + m["deps"]["normal"]})
        found.append({"rule": "rust_test", "name": f"{name}_test", "crate": f":{name}", **unit})
    bins = {f"CARGO_BIN_EXE_{b}": f"$(rootpath :{b.replace('-', '_')})" for b, _ in m["bins"]}
    for test, src in m["tests"]:
        found.append({"rule": "rust_test", "name": f"{crate}_{test.replace('-', '_')}_test", "root": src,
                      "kind": "integration", "deps": own + m["deps"]["normal"] + m["deps"]["dev"],
                      "data": [f":{b.replace('-', '_')}" for b, _ in m["bins"]] + [SERVER] * m["server"],
                      "env": {**server, **bins}, "rustc_env": bins})
    return found


def evaluate(node: ast.AST, names: dict) -> list[str]:
    """A Starlark list expression as strings: labels, and calls such as `all_crate_deps(normal)`;
    anything else (a bare string, a select) as `?<text>`, which matches nothing."""
    if isinstance(node, ast.List):
        return [e.value if isinstance(e, ast.Constant) else f"?{ast.unparse(e)}" for e in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return evaluate(node.left, names) + evaluate(node.right, names)
    if isinstance(node, ast.Name) and node.id in names:
        return evaluate(names[node.id], names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return [f"{node.func.id}({','.join(sorted(k.arg for k in node.keywords))})"]
    return [f"?{ast.unparse(node)}"]


def check_member(m: dict) -> list[str]:
    where = os.path.join(m["dir"], "BUILD.bazel")
    if not os.path.exists(os.path.join(ROOT, where)):
        return [f"{where}: missing (crate {m['package']}): `just bazel-gen` writes it"]
    module = ast.parse(open(os.path.join(ROOT, where), encoding="utf-8").read(), filename=where)
    names = {s.targets[0].id: s.value for s in module.body if isinstance(s, ast.Assign)}
    declared = {}
    for s in module.body:
        call = s.value if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) else None
        attrs = {k.arg: k.value for k in call.keywords} if call else {}
        if call and isinstance(call.func, ast.Name) and isinstance(attrs.get("name"), ast.Constant):
            declared[attrs["name"].value] = (call.func.id, attrs, s.lineno)
    problems = []
    for t in targets(m):
        if t["name"] not in declared:
            problems.append(f"{where}: missing {t['rule']}(name = {t['name']!r})")
            continue
        rule, attrs, line = declared.pop(t["name"])
        at = f"{where}:{line}: {t['name']}"
        get = lambda attr: evaluate(attrs[attr], names) if attr in attrs else []  # noqa: E731
        if rule != t["rule"]:
            problems.append(f"{at}: is a {rule}, Cargo says {t['rule']}")
        deps_buckets, macro_buckets = BUCKETS[t["kind"]]
        for attr, buckets in (("deps", deps_buckets), ("proc_macro_deps", macro_buckets)):
            missing = [b for b in buckets if f"all_crate_deps({b})" not in get(attr)]
            if missing:
                problems.append(f"{at}: {attr} lack {', '.join(f'all_crate_deps({b} = True)' for b in missing)}")
        workspace = sorted(d for d in get("deps") if d.startswith(("//", ":")))
        if workspace != sorted(t["deps"]):
            problems.append(f"{at}: workspace deps are {workspace}, Cargo says {sorted(t['deps'])}")
        for attr, key in (("crate", "crate"), ("crate_root", "root")):
            value = attrs.get(attr)
            if key in t and not (isinstance(value, ast.Constant) and value.value == t[key]):
                problems.append(f"{at}: {attr} should be {t[key]!r}")
        missing = [label for label in t.get("data", []) if label not in get("data")]
        if missing:
            problems.append(f"{at}: data lacks {', '.join(missing)}")
        for attr in ("env", "rustc_env"):
            actual = ast.literal_eval(attrs[attr]) if attr in attrs else {}
            for key, value in t.get(attr, {}).items():
                if actual.get(key) != value:
                    problems.append(f"{at}: {attr}[{key!r}] should be {value!r}")
    for name, (rule, _, line) in declared.items():
        if rule.startswith("rust_"):
            problems.append(f"{where}:{line}: {rule} {name}: no Cargo target matches it")
    return problems


def manifests(ms: list[dict]) -> list[str]:
    return sorted({"//:Cargo.toml"} | {f"//{m['dir']}:Cargo.toml" for m in ms})


def render(m: dict) -> str:
    """A BUILD.bazel that check_member accepts, formatted the way buildifier wants."""
    ts = targets(m)
    rules = ", ".join(json.dumps(r) for r in sorted({t["rule"] for t in ts}))
    out = ['load("@crates//:defs.bzl", "aliases", "all_crate_deps")', f'load("@rules_rust//rust:defs.bzl", {rules})', ""]
    var = {}
    for kind, name in (("normal", "DEPS"), ("dev", "DEV_DEPS")):
        if m["deps"][kind]:
            var[kind] = name
            out += [f"{name} = {strings(m['deps'][kind], 0)}", ""]
    for t in ts:
        deps_buckets, macro_buckets = BUCKETS[t["kind"]]
        kinds = {"crate": ["normal"], "unit": ["dev"], "integration": ["normal", "dev"]}[t["kind"]]
        deps = [f'[":{m["lib"]}"]'] if m["lib"] and t["rule"] != "rust_library" and "crate" not in t else []
        deps += [var[k] for k in kinds if k in var] + [f"all_crate_deps({b} = True)" for b in deps_buckets]
        attrs = [("name", json.dumps(t["name"]))]
        if "crate" not in t:
            root = t.get("root", "src/lib.rs")
            folder = os.path.dirname(root)
            whole = t["rule"] != "rust_test" or os.path.basename(root) == "main.rs"
            attrs.append(("srcs", f'glob(["{folder}/**/*.rs"])' if whole else json.dumps([root])))
        buckets = sorted(deps_buckets + macro_buckets)
        attrs.append(("aliases", "aliases()" if t["kind"] == "crate" else
                      "aliases(\n" + "".join(f"        {b} = True,\n" for b in buckets) + "    )"))
        for attr, key in (("crate", "crate"), ("crate_root", "root")):
            if key in t:
                attrs.append((attr, json.dumps(t[key])))
        if t["rule"] == "rust_library":
            attrs.append(("crate_name", json.dumps(t["name"])))
        data = [strings(t["data"], 1)] if t.get("data") else []
        snapshots = os.path.join(os.path.dirname(t.get("root", "")), "snapshots")
        if t["kind"] == "integration" and os.path.isdir(os.path.join(ROOT, m["dir"], snapshots)):
            data.append(f'glob(["{snapshots}/**"])')
        if data:
            attrs.append(("data", " + ".join(data)))
        if "crate" not in t:
            attrs.append(("edition", '"2024"'))
        if t.get("env"):
            attrs.append(("env", mapping(t["env"])))
        attrs.append(("proc_macro_deps", " + ".join(f"all_crate_deps({b} = True)" for b in macro_buckets)))
        if t.get("rustc_env"):
            attrs.append(("rustc_env", mapping(t["rustc_env"])))
        if t["rule"] != "rust_test":
            attrs.append(("visibility", '["//visibility:public"]'))
        attrs.append(("deps", " + ".join(deps)))
        out += [f"{t['rule']}(\n" + "".join(f"    {k} = {v},\n" for k, v in attrs) + ")", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def strings(values: list[str], level: int) -> str:
    if len(values) == 1:
        return f"[{json.dumps(values[0])}]"
    return "[\n" + "".join(f"{'    ' * (level + 1)}{json.dumps(v)},\n" for v in values) + "    " * level + "]"


def mapping(values: dict) -> str:
    if len(values) == 1:
        return "{" + "".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in values.items()) + "}"
    return "{\n" + "".join(f"        {json.dumps(k)}: {json.dumps(v)},\n" for k, v in sorted(values.items())) + "    }"


def main(argv: list[str]) -> int:
    ms = members()
    module_path = os.path.join(ROOT, "MODULE.bazel")
    module = open(module_path, encoding="utf-8").read()
    if argv[:1] == ["--write"]:
        wanted = {d.rstrip("/") for d in argv[1:]}
        for m in ms:
            path = os.path.join(ROOT, m["dir"], "BUILD.bazel")
            if m["dir"] in wanted or (not wanted and not os.path.exists(path)):
                open(path, "w", encoding="utf-8").write(render(m))
                print(f"wrote {os.path.relpath(path, ROOT)}")
        synced = MANIFESTS.sub(lambda match: match.group(1) + strings(manifests(ms), 1), module)
        if synced != module:
            open(module_path, "w", encoding="utf-8").write(synced)
            module = synced
            print("updated MODULE.bazel manifests")
    problems = [p for m in ms for p in check_member(m)]
    listed = MANIFESTS.search(module)
    if not listed or ast.literal_eval(listed.group(2)) != manifests(ms):
        problems.append(f"MODULE.bazel: crate.from_cargo(manifests = ...) should list {manifests(ms)}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"bazel-check: {len(problems)} problem(s); `just bazel-gen <crate dir>` rewrites a BUILD.bazel")
        return 1
    print(f"bazel-check: {len(ms)} crates; BUILD files and MODULE.bazel match Cargo")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
