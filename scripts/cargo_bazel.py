"""What each workspace member's BUILD.bazel must declare, derived from `cargo metadata`.

Shared by `bazel_gen.py` (writes BUILD files) and `bazel_check.py` (compares them), so the
two can never disagree about the expected shape. Python standard library only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

RULES_RUST_DEFS = "@rules_rust//rust:defs.bzl"
CARGO_DEFS = "@rules_rust//cargo:defs.bzl"
CRATES_HUB = "@crates"
LIB_KINDS = {"lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"}


@dataclass(frozen=True)
class Dep:
    """One dependency edge as Bazel sees it."""

    label: str
    proc_macro: bool
    # Target-specific (`[target.'cfg(..)'.dependencies]`): the checker accepts it present or absent;
    # the generator writes it only when the cfg holds on the Linux hosts we build on.
    conditional: bool = False
    applies_on_linux: bool = True
    # `foo = { package = "bar" }`: the extern name differs from the crate's own name.
    alias: str | None = None


@dataclass
class DepSet:
    """The dependencies of one target, split the way rules_rust wants them."""

    deps: list[Dep] = field(default_factory=list)

    def normal(self) -> list[str]:
        """Labels for `deps`, as the generator writes them."""
        return sort_labels(d.label for d in self.deps if not d.proc_macro and d.applies_on_linux)

    def macros(self) -> list[str]:
        """Labels for `proc_macro_deps`, as the generator writes them."""
        return sort_labels(d.label for d in self.deps if d.proc_macro and d.applies_on_linux)

    def required(self, proc_macro: bool) -> set[str]:
        """Labels that must be present (unconditional edges only)."""
        return {d.label for d in self.deps if d.proc_macro == proc_macro and not d.conditional}

    def optional_labels(self) -> set[str]:
        return {d.label for d in self.deps if d.conditional}

    def aliases(self) -> dict[str, str]:
        return {d.label: d.alias for d in self.deps if d.alias}

    def __add__(self, other: "DepSet") -> "DepSet":
        seen = {d.label for d in self.deps}
        return DepSet(self.deps + [d for d in other.deps if d.label not in seen])


@dataclass
class Target:
    """A Bazel target the BUILD file must contain."""

    rule: str  # rust_library, rust_proc_macro, rust_binary, rust_test, cargo_build_script
    name: str
    deps: DepSet
    srcs: list[str] | None = None  # literal srcs; None means glob(src_glob)
    src_glob: str | None = None
    crate_root: str | None = None
    crate_name: str | None = None
    crate: str | None = None  # rust_test over a library/binary's inline tests
    edition: str | None = None
    public: bool = False
    data: list[str] = field(default_factory=list)
    data_globs: list[str] = field(default_factory=list)
    rustc_env: dict[str, str] = field(default_factory=dict)


@dataclass
class Member:
    """A workspace member and the targets its BUILD.bazel must declare."""

    package: str
    directory: str  # relative to the workspace root, "" for the root package
    manifest_label: str
    targets: list[Target]

    @property
    def build_file(self) -> str:
        return os.path.join(self.directory, "BUILD.bazel") if self.directory else "BUILD.bazel"


def sort_key(value: str) -> tuple:
    """buildifier's order for string lists in `deps`/`srcs`: `:x`, then `//x`, then `@x`."""
    if value.startswith(":"):
        phase = 1
    elif value.startswith("//"):
        phase = 2
    elif value.startswith("@"):
        phase = 3
    else:
        phase = 0
    return (phase, value.replace(":", ".").split("."), value)


def sort_labels(labels) -> list[str]:
    return sorted(set(labels), key=sort_key)


def cargo_metadata(root: str) -> dict:
    """Full metadata (with dependencies, to tell proc-macro crates apart)."""
    cmd = ["cargo", "metadata", "--format-version", "1"]
    if os.environ.get("BAZEL_CHECK_OFFLINE"):
        cmd.append("--offline")
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"`{' '.join(cmd)}` failed in {root}")
    return json.loads(proc.stdout)


def _rel(root: str, path: str) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def _lib_target(package: dict) -> dict | None:
    for target in package["targets"]:
        if LIB_KINDS.intersection(target["kind"]):
            return target
    return None


def _package_label(root: str, package: dict) -> str:
    directory = _rel(root, os.path.dirname(package["manifest_path"]))
    lib = _lib_target(package)
    name = lib["name"] if lib else package["name"].replace("-", "_")
    return f"//{directory}:{name}"


def _applies_on_linux(cfg: str) -> bool:
    """Whether a `cfg(..)` dependency applies on the Linux hosts we build on (a rough reading)."""
    text = cfg.replace(" ", "")
    if "not(" in text:
        return "not(unix)" not in text and 'not(target_os="linux")' not in text
    return not any(word in text for word in ("windows", "macos", "ios", "android", "wasm"))


def _dep_sets(root: str, meta: dict, package_id: str) -> dict[str, DepSet]:
    """Normal, dev and build dependencies of one package, from the resolve graph."""
    packages = {p["id"]: p for p in meta["packages"]}
    members = set(meta["workspace_members"])
    node = next(n for n in meta["resolve"]["nodes"] if n["id"] == package_id)
    sets: dict[str, DepSet] = {"normal": DepSet(), "dev": DepSet(), "build": DepSet()}
    for edge in node["deps"]:
        dep_pkg = packages[edge["pkg"]]
        lib = _lib_target(dep_pkg)
        if lib is None:
            continue
        is_macro = "proc-macro" in lib["kind"]
        if edge["pkg"] in members:
            label = _package_label(root, dep_pkg)
        else:
            label = f"{CRATES_HUB}//:{dep_pkg['name']}"
        alias = edge["name"] if edge["name"] != lib["name"] else None
        for kind in edge["dep_kinds"]:
            cfg = kind.get("target")
            dep = Dep(
                label=label,
                proc_macro=is_macro,
                conditional=cfg is not None,
                applies_on_linux=cfg is None or _applies_on_linux(cfg),
                alias=alias,
            )
            key = kind["kind"] or "normal"
            current = sets[key]
            if all(d.label != label for d in current.deps):
                current.deps.append(dep)
    return sets


def _snapshot_globs(crate_dir: str, *folders: str | None) -> list[str]:
    """insta snapshot folders (`<folder>/snapshots`) the tests read at run time."""
    found = []
    for folder in folders:
        if folder and os.path.isdir(os.path.join(crate_dir, folder, "snapshots")):
            found.append(f"{folder}/snapshots/**")
    return found


def _test_target_name(crate: str, stem: str) -> str:
    return f"{crate}_{stem.replace('-', '_')}_test"


def expected_members(root: str, meta: dict | None = None) -> list[Member]:
    """Every workspace member with the Bazel targets its BUILD.bazel must declare."""
    meta = meta or cargo_metadata(root)
    packages = {p["id"]: p for p in meta["packages"]}
    result = []
    for package_id in meta["workspace_members"]:
        package = packages[package_id]
        directory = _rel(root, os.path.dirname(package["manifest_path"]))
        crate_dir = os.path.dirname(package["manifest_path"])
        edition = package["edition"]
        sets = _dep_sets(root, meta, package_id)
        normal, dev, build = sets["normal"], sets["dev"], sets["build"]
        targets: list[Target] = []

        build_script = next((t for t in package["targets"] if "custom-build" in t["kind"]), None)
        script_dep = DepSet()
        if build_script is not None:
            script_name = package["name"].replace("-", "_") + "_build_script"
            targets.append(
                Target(
                    rule="cargo_build_script",
                    name=script_name,
                    deps=build,
                    srcs=[_rel(crate_dir, build_script["src_path"])],
                    edition=edition,
                )
            )
            script_dep = DepSet([Dep(label=f":{script_name}", proc_macro=False)])

        lib = _lib_target(package)
        crate = lib["name"] if lib else package["name"].replace("-", "_")
        lib_dep = DepSet()
        if lib is not None:
            is_macro = "proc-macro" in lib["kind"]
            lib_root = _rel(crate_dir, lib["src_path"])
            targets.append(
                Target(
                    rule="rust_proc_macro" if is_macro else "rust_library",
                    name=lib["name"],
                    deps=normal + script_dep,
                    src_glob="src/**/*.rs",
                    crate_root=None if lib_root == "src/lib.rs" else lib_root,
                    crate_name=lib["name"],
                    edition=edition,
                    public=True,
                )
            )
            targets.append(
                Target(
                    rule="rust_test",
                    name=f"{lib['name']}_test",
                    deps=dev,
                    crate=f":{lib['name']}",
                    data_globs=_snapshot_globs(crate_dir, "src"),
                )
            )
            lib_dep = DepSet([Dep(label=f":{lib['name']}", proc_macro=is_macro)])

        bins = [t for t in package["targets"] if "bin" in t["kind"]]
        for binary in bins:
            bin_name = binary["name"].replace("-", "_")
            targets.append(
                Target(
                    rule="rust_binary",
                    name=bin_name,
                    deps=normal + lib_dep + script_dep,
                    src_glob="src/**/*.rs",
                    crate_root=_rel(crate_dir, binary["src_path"]),
                    edition=edition,
                    public=True,
                )
            )
            targets.append(
                Target(
                    rule="rust_test",
                    name=f"{bin_name}_test",
                    deps=dev,
                    crate=f":{bin_name}",
                    data_globs=_snapshot_globs(crate_dir, "src"),
                )
            )

        for test in (t for t in package["targets"] if "test" in t["kind"]):
            src = _rel(crate_dir, test["src_path"])
            parent = os.path.dirname(src)
            # tests/it/main.rs style: every module file of that folder belongs to the test.
            is_dir_test = parent != "tests" and os.path.basename(src) == "main.rs"
            data = [f":{b['name'].replace('-', '_')}" for b in bins]
            env = {f"CARGO_BIN_EXE_{b['name']}": f"$(rootpath :{b['name'].replace('-', '_')})" for b in bins}
            targets.append(
                Target(
                    rule="rust_test",
                    name=_test_target_name(crate, test["name"]),
                    deps=lib_dep + normal + dev,
                    srcs=None if is_dir_test else [src],
                    src_glob=f"{parent}/**/*.rs" if is_dir_test else None,
                    crate_root=src if is_dir_test else None,
                    edition=edition,
                    data=data,
                    data_globs=_snapshot_globs(crate_dir, "tests", parent if is_dir_test else None),
                    rustc_env=env,
                )
            )
        manifest_label = f"//{directory}:Cargo.toml"
        result.append(Member(package["name"], directory, manifest_label, targets))
    result.sort(key=lambda m: m.directory)
    return result


def expected_manifests(root: str, members: list[Member]) -> list[str]:
    """The `manifests` crate_universe needs: the workspace root's plus every member's."""
    labels = {m.manifest_label for m in members}
    if os.path.exists(os.path.join(root, "Cargo.toml")):
        labels.add("//:Cargo.toml")
    return sort_labels(labels)


def workspace_root(start: str | None = None) -> str:
    """The directory holding the workspace Cargo.toml (the one above this script by default)."""
    here = start or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.abspath(here)
