"""The shop's modules depend on each other one way: no import circle (function-
level imports included), payment providers never reach into orders, order
news never imports the payments, and the shop never imports notifications
(order news leaves through shop.signals)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path):
    """Every module `path` imports, at any depth (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from shop import order_events` imports the module shop.order_events.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def shop_graph():
    files = [path for path in (ROOT / "shop").rglob("*.py") if "migrations" not in path.parts]
    modules = {module_name(path): path for path in files}
    return {
        name: {other for other in imports_of(path) if other in modules and other != name}
        for name, path in modules.items()
    }


def circles(graph):
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_scan_sees_the_modules_it_checks():
    graph = shop_graph()
    assert {"shop.orders", "shop.payments", "shop.order_events", "shop.webhooks"} <= set(graph)
    assert "shop.orders" in graph["shop.webhooks"]
    assert "shop.payments" in graph["shop.orders"]


def test_shop_modules_form_no_import_circle():
    assert circles(shop_graph()) == []


def test_providers_and_order_news_sit_below_orders():
    graph = shop_graph()
    assert not graph["shop.payments"] & {"shop.orders", "shop.webhooks", "shop.order_events"}
    assert not graph["shop.order_events"] & {"shop.payments", "shop.orders", "shop.webhooks"}
    assert "shop.webhooks" not in graph["shop.orders"]


def test_shop_never_imports_notifications():
    files = [path for path in (ROOT / "shop").rglob("*.py") if "migrations" not in path.parts]
    offenders = {
        module_name(path): sorted(
            name for name in imports_of(path) if name.split(".")[0] == "notifications"
        )
        for path in files
    }
    assert {name: found for name, found in offenders.items() if found} == {}
