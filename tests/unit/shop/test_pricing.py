"""Tax, shipping and rounding: Decimal all the way, half-up to cents."""

from decimal import Decimal

import pytest

from shop.pricing import compute_totals, line_total, round_money
from shop.shipping import shipping_method

D = Decimal


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("0.125", "0.13"), ("0.124", "0.12"), ("2.675", "2.68"), ("-0.125", "-0.13"), ("5", "5.00")],
)
def test_rounding_is_half_up_to_cents(amount, rounded):
    assert round_money(D(amount)) == D(rounded)


def test_line_totals_are_exact():
    assert line_total(D("0.10"), 3) == D("0.30")  # 0.1 * 3 is 0.30000000000000004 in floats
    assert line_total(D("19.99"), 7) == D("139.93")


def test_inclusive_tax_is_the_share_of_the_total():
    totals = compute_totals(D("100.00"), D("4.90"), tax_rate=D("20"), prices_include_tax=True)
    assert totals.total == D("104.90")
    # 104.90 * 20 / 120 = 17.48333…
    assert totals.tax == D("17.48")
    assert totals.subtotal + totals.shipping == totals.total


def test_exclusive_tax_is_added_on_top():
    totals = compute_totals(D("100.00"), D("4.90"), tax_rate=D("20"), prices_include_tax=False)
    assert totals.tax == D("20.98")
    assert totals.total == D("125.88")


def test_tax_rounds_half_up_once_on_the_order():
    # 0.125 exactly: half-up gives 0.13 (banker's rounding would give 0.12).
    exclusive = compute_totals(D("2.50"), D("0"), tax_rate=D("5"), prices_include_tax=False)
    assert exclusive.tax == D("0.13")
    assert exclusive.total == D("2.63")
    # 10.50 * 19 / 119 = 1.67647…
    inclusive = compute_totals(D("10.50"), D("0"), tax_rate=D("19"), prices_include_tax=True)
    assert inclusive.tax == D("1.68")


def test_fractional_and_zero_rates():
    totals = compute_totals(D("33.33"), D("0"), tax_rate=D("7.5"), prices_include_tax=False)
    assert totals.tax == D("2.50")  # 2.49975
    assert compute_totals(D("10"), D("1"), tax_rate=D("0")).tax == D("0.00")


def test_settings_choose_rate_and_basis(settings):
    settings.SHOP_TAX_RATE = D("10")
    settings.SHOP_PRICES_INCLUDE_TAX = False
    totals = compute_totals(D("50.00"), D("5.00"))
    assert (totals.tax, totals.total, totals.prices_include_tax) == (D("5.50"), D("60.50"), False)


def test_standard_shipping_is_free_from_the_threshold(settings):
    settings.SHOP_FREE_SHIPPING_THRESHOLD = D("75")
    standard = shipping_method("standard")
    assert standard.cost_for(D("74.99")) == settings.SHOP_SHIPPING_STANDARD_COST
    assert standard.cost_for(D("75.00")) == D("0.00")
    assert shipping_method("express").cost_for(D("500")) == settings.SHOP_SHIPPING_EXPRESS_COST
    settings.SHOP_FREE_SHIPPING_THRESHOLD = None
    assert shipping_method("standard").cost_for(D("500")) == settings.SHOP_SHIPPING_STANDARD_COST
    assert shipping_method("drone") is None


def test_money_settings_are_read_as_decimals_with_clear_errors(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.environment import Environment

    env = Environment()
    monkeypatch.setenv("SHOP_TAX_RATE", "7.5")
    assert env.decimal("SHOP_TAX_RATE", "20") == D("7.5")
    monkeypatch.setenv("SHOP_TAX_RATE", "")
    assert env.decimal("SHOP_TAX_RATE", "20") == D("20")
    monkeypatch.setenv("SHOP_FREE_SHIPPING_THRESHOLD", "")
    assert env.decimal("SHOP_FREE_SHIPPING_THRESHOLD", None) is None
    for bad, message in [
        ("twenty", "must be a number"),
        ("NaN", "must be a finite number"),
        ("-1", "must be at least 0"),
    ]:
        monkeypatch.setenv("SHOP_TAX_RATE", bad)
        with pytest.raises(ImproperlyConfigured, match=f"SHOP_TAX_RATE {message}"):
            env.decimal("SHOP_TAX_RATE", "20", minimum=0)
