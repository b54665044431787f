"""The project's modules import each other without a cycle: helpers down, side effects up.

Read from the source (ast), not by importing: function-level imports count as
edges too, since a cycle hidden in a function is still a cycle. Tests and
migrations are left out; they sit on top of everything.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # .../abusedesk
ROOT = PACKAGE.parent

# Function-level imports of project modules that a genuine need explains; anything else goes to the top.
DEFERRED = {
    ("abusedesk.cases.apps", "abusedesk.cases.digests"),  # AppConfig.ready(): models are loaded by then
    ("abusedesk.cases.apps", "abusedesk.outbox.sending"),
    ("abusedesk.enforcement.apps", "abusedesk.enforcement.signals"),  # NetBox style: receivers in ready()
    ("abusedesk.desk.apps", "abusedesk.desk.signals"),
    ("abusedesk.kyc.apps", "abusedesk.kyc.signals"),
    ("abusedesk.network.apps", "abusedesk.network.index"),
    ("abusedesk.intake.apps", "abusedesk.intake.triage"),  # receivers connected in ready()
    ("abusedesk.lawenforcement.apps", "abusedesk.lawenforcement.receivers"),
    ("abusedesk.intake.apps", "abusedesk.network.signals"),
    ("abusedesk.intake.jobs", "abusedesk.intake.tasks"),  # store loads with the apps; tasks pulls Celery in
    ("abusedesk.management.commands.worker", "abusedesk.celery"),  # only with a broker
    ("abusedesk.lib.nudge", "abusedesk.celery"),  # only with a broker: nudges published through our app
    ("abusedesk.conftest", "abusedesk.demo.data"),
    ("abusedesk.feeds.apps", "abusedesk.intake.processing"),  # AppConfig.ready(): registers how feeds parse
    ("abusedesk.feeds.apps", "abusedesk.feeds.pipeline"),
    ("abusedesk.feeds.apps", "abusedesk.feeds.signals"),  # receivers in ready()
    ("abusedesk.reports.apps", "abusedesk.reports.signals"),  # receivers in ready()
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def _targets(module: str, node, is_package: bool, modules) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    found = set()
    for alias in node.names:
        if f"{source}.{alias.name}" in modules:
            found.add(f"{source}.{alias.name}")
        elif source in modules:
            found.add(source)
    return found - {module}


def import_graph() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """(module -> modules it imports, (module, target) pairs imported inside a function)."""
    modules = _modules()
    graph, deferred = {}, set()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        top = {id(node) for node in tree.body}
        graph[name] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets = _targets(name, node, path.name == "__init__.py", modules)
                graph[name] |= targets
                if id(node) not in top:
                    deferred |= {(name, target) for target in targets}
    return graph, deferred


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_project_module_imports_itself_through_others():
    graph, _deferred = import_graph()
    assert "abusedesk.cases.workflow" in graph and len(graph) > 50  # the walk found the project
    assert cycles(graph) == []


def test_the_walk_finds_a_cycle_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_inside_functions_are_only_the_few_a_layering_need_explains():
    _graph, deferred = import_graph()
    assert deferred <= DEFERRED, sorted(deferred - DEFERRED)


def test_the_state_machine_imports_none_of_its_consumers():
    graph, _deferred = import_graph()
    consumers = {name for name in graph if name.split(".")[1:2] in (["enforcement"], ["outbox"], ["portal"], ["desk"])}
    consumers |= {"abusedesk.cases.notify", "abusedesk.cases.services", "abusedesk.policy.followup"}
    assert graph["abusedesk.cases.workflow"] & consumers == set()
    assert graph["abusedesk.cases.audit"] <= {"abusedesk.cases.models", "abusedesk.lib.clock", "abusedesk.lib"}
