"""The shop's modules depend on each other one way: payment providers never
reach into orders, order news never imports the payments, and the shop never
imports notifications (order news leaves through shop.signals). Circles
anywhere in the project are tests/unit/test_import_graph.py's business."""

from tests.import_graph import import_graph


def shop_graph():
    return {name: targets for name, targets in import_graph().items() if name.startswith("shop")}


def test_the_scan_sees_the_modules_it_checks():
    graph = shop_graph()
    assert {"shop.orders", "shop.payments", "shop.order_events", "shop.webhooks"} <= set(graph)
    assert "shop.orders" in graph["shop.webhooks"]
    assert "shop.payments" in graph["shop.orders"]


def test_providers_and_order_news_sit_below_orders():
    graph = shop_graph()
    assert not graph["shop.payments"] & {"shop.orders", "shop.webhooks", "shop.order_events"}
    assert not graph["shop.order_events"] & {"shop.payments", "shop.orders", "shop.webhooks"}
    assert "shop.webhooks" not in graph["shop.orders"]


def test_shop_never_imports_notifications():
    offenders = sorted(
        (name, target)
        for name, targets in shop_graph().items()
        for target in targets
        if target.split(".")[0] == "notifications"
    )
    assert offenders == []
