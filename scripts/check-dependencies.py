#!/usr/bin/env python3
"""Checks the dependency direction of the package (docs/architecture.md, "Dependency rules").

1. Actuator-side targets never reach batch-only targets (file ingest, training, evaluation,
   reports, the psm CLI), directly or transitively.
2. Only LinearAlgebra imports the BLAS/LAPACK C modules; only the libvirt hypervisor (and the
   system-library smoke tests) import CLibvirt. Checked on both Package.swift and `import` lines.
3. Scaling (the pure decision logic) reaches no package product and no target that does I/O: only
   the targets in PURE_ALLOWED, directly or transitively, and it imports nothing else (Foundation
   and the standard library's Synchronization aside).
4. Simulation never reaches Actuator (it drives the decisions through Scaling).
5. The shipped executables (psm, psm-actuator) link no test or benchmark code: their dependency
   closure holds no *TestSupport / *Conformance target, no target kept under Tests/ and no
   executable but themselves; no file under Sources/ imports such a module; and the benchmarks
   live in the Benchmarks package, not here.
6. docs/architecture.md's target graph (between its `<!-- target-graph -->` markers) is the
   package's, as `--graph` prints it.
Exits non-zero with one line per violation.
"""
import json, pathlib, re, subprocess, sys

root = pathlib.Path(__file__).resolve().parent.parent
pkg = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                capture_output=True, text=True).stdout)

deps = {}
products = {}
paths = {}
kinds = {}
for t in pkg["targets"]:
    paths[t["name"]] = t.get("path") or ""
    kinds[t["name"]] = t["type"]
    products[t["name"]] = [d["product"][0] for d in t.get("dependencies", []) if "product" in d]
    names = []
    for d in t.get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in d:
                names.append(d[kind][0])
    deps[t["name"]] = names

def closure(name, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(name, []):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen

ACTUATOR_SIDE = {"TimeSeries", "Scaling", "PSMConfiguration", "Markup", "Features", "MetricStore", "PostgresStore", "ActuatorStoreConformance", "LinearAlgebra", "Forecasting", "Calibration",
                 "ModelRegistry", "Hypervisor", "HypervisorTestSupport", "LibvirtHypervisor", "Actuator", "ActuatorAPI",
                 "Simulation", "psm-actuator", "ActuatorCommands", "APITestSupport",
                 "RealVMSupport", "RealVMTestSupport", "psm-realvm-actuator"}
BATCH_ONLY = {"Ingest", "Evaluation", "Pipeline", "Demo", "PSMCommands", "psm"}
C_MODULE_OWNERS = {"CCBLAS": {"LinearAlgebra"}, "CLAPACKE": {"LinearAlgebra"},
                   "CLibvirt": {"LibvirtHypervisor", "SystemLibraryTests"}}

# PostgresNIO stays in PostgresStore: only psm-actuator's command line and test or bench support
# open a PostgreSQL store, so the actuator runtime, the API and the batch side never link it.
# (psm-store-bench, psm-fleet-bench and psm-cycle-bench, in the Benchmarks package, link it too.)
POSTGRES_USERS = {"PostgresStore": {"ActuatorCommands", "psm-store-stress", "ActuatorStoreTests", "ActuatorTests"}}

# What operators run. Test and benchmark code stays out of their link: test support is named
# *TestSupport or *Conformance and kept under Tests/Support; the benchmarks are another package.
SHIPPED = {"psm", "psm-actuator"}
def is_test_code(name):
    return (name.endswith("TestSupport") or name.endswith("Conformance") or kinds.get(name) == "test"
            or paths.get(name, "").startswith("Tests/") or "bench" in name)
TEST_MODULES = {n for n in deps if is_test_code(n)}

# The pure decision logic: no I/O dependency (no NIO, AsyncHTTPClient, TOMLKit, GRDB, libvirt, …).
PURE = "Scaling"
PURE_ALLOWED = {"TimeSeries", "Calibration"}
PURE_IMPORTS = PURE_ALLOWED | {"Foundation", "Synchronization"}
# Targets that must not reach the actuator's I/O side: they take the decisions from Scaling.
NOT_ACTUATOR = {"Simulation", "SimulationTests", "ScalingTests"}

problems = []
for target in sorted(SHIPPED & deps.keys()):
    reach = closure(target)
    bad = sorted(n for n in reach if is_test_code(n) or kinds.get(n) == "executable")
    if bad:
        problems.append(f"{target} (shipped) links test or benchmark code: {bad}")
for name in sorted(deps):
    if "bench" in name:
        problems.append(f"{name}: benchmarks belong in the Benchmarks package, not in the product's")
if PURE in deps:
    reach = closure(PURE)
    if reach - PURE_ALLOWED:
        problems.append(f"{PURE} (pure) depends on {sorted(reach - PURE_ALLOWED)}; only {sorted(PURE_ALLOWED)} may be reached")
    for target in reach | {PURE}:
        if products.get(target):
            problems.append(f"{PURE} (pure) reaches package products {sorted(products[target])} through {target}")
for target in sorted(NOT_ACTUATOR & deps.keys()):
    if "Actuator" in closure(target):
        problems.append(f"{target} depends on Actuator; it takes the scaling decisions from Scaling")
for module, users in POSTGRES_USERS.items():
    for target, names in deps.items():
        if module in names and target not in users:
            problems.append(f"{target} depends on {module}; only {sorted(users)} may")
for t in pkg["targets"]:
    for d in t.get("dependencies", []):
        if "product" in d and d["product"][0] == "PostgresNIO" and t["name"] != "PostgresStore":
            problems.append(f"{t['name']} depends on PostgresNIO; only PostgresStore may")
for target in sorted(ACTUATOR_SIDE & deps.keys()):
    bad = closure(target) & BATCH_ONLY
    if bad:
        problems.append(f"{target} (actuator side) depends on batch-only {sorted(bad)}")
for target, names in deps.items():
    for module, owners in C_MODULE_OWNERS.items():
        if module in names and target not in owners:
            problems.append(f"{target} depends on {module}; only {sorted(owners)} may")

for folder in ("Sources", "Tests"):
    for path in (root / folder).rglob("*.swift"):
        parts = path.relative_to(root / folder).parts
        target = parts[1] if parts[0] == "Support" else parts[0]  # Tests/Support/<test-support target>
        for m in re.finditer(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(\w+)", path.read_text(), re.M):
            module = m.group(1)
            if module in C_MODULE_OWNERS and target not in C_MODULE_OWNERS[module]:
                problems.append(f"{path.relative_to(root)} imports {module}; only {sorted(C_MODULE_OWNERS[module])} may")
            if target in ACTUATOR_SIDE and module in BATCH_ONLY:
                problems.append(f"{path.relative_to(root)} (actuator side) imports batch-only {module}")
            if target == PURE and module not in PURE_IMPORTS:
                problems.append(f"{path.relative_to(root)} (pure) imports {module}; {PURE} imports only {sorted(PURE_IMPORTS)}")
            if folder == "Sources" and module in TEST_MODULES:
                problems.append(f"{path.relative_to(root)} imports test code {module}; only tests and the Benchmarks package may")
            if target in NOT_ACTUATOR and module == "Actuator":
                problems.append(f"{path.relative_to(root)} imports Actuator; {target} takes the scaling decisions from Scaling")

# 6. docs/architecture.md's target graph is this package's: the block between the markers is what
#    `graph()` prints (`scripts/check-dependencies.py --graph` prints it to paste).
def graph():
    """The product targets (not tests, not test support) by layer: a target's layer is one more
    than its highest dependency's, so every line depends only on lines above it."""
    shipped = {n for n, k in kinds.items() if k in ("regular", "executable", "system")
               and not paths[n].startswith("Tests/")}
    layer = {}
    def depth(n):
        if n not in layer:
            inner = [d for d in deps.get(n, []) if d in shipped]
            layer[n] = 1 + max((depth(d) for d in inner), default=-1)
        return layer[n]
    for n in shipped:
        depth(n)
    lines = []
    for level in range(max(layer.values()) + 1):
        for n in sorted(n for n in shipped if layer[n] == level):
            inner = sorted(d for d in deps.get(n, []) if d in shipped)
            lines.append(f"{level}  {n}" + (f" ← {', '.join(inner)}" if inner else ""))
    return "\n".join(lines)

if "--graph" in sys.argv:
    print(graph())
    sys.exit(0)

# `--access`: `public` and `package` declarations per target (docs/architecture.md, "Access control").
if "--access" in sys.argv:
    modifier = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:\w+\s+)*?(public|package)\s", re.M)
    for name in sorted(n for n, k in kinds.items() if k in ("regular", "executable")):
        folder = root / (paths[name] or f"Sources/{name}")
        counts = {"public": 0, "package": 0}
        for path in folder.rglob("*.swift"):
            for m in modifier.finditer(path.read_text()):
                counts[m.group(1)] += 1
        print(f"{name:28} public {counts['public']:5}  package {counts['package']:5}")
    sys.exit(0)
doc = (root / "docs" / "architecture.md").read_text()
m = re.search(r"<!-- target-graph -->\n```\n(.*?)```\n<!-- /target-graph -->", doc, re.S)
if not m:
    problems.append("docs/architecture.md has no target graph between <!-- target-graph --> markers")
elif m.group(1).rstrip("\n") != graph():
    problems.append("docs/architecture.md's target graph is not the package's: paste `scripts/check-dependencies.py --graph`")

for p in problems:
    print("dependency rule broken:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
