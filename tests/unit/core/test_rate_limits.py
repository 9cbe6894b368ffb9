"""The one rate limiter: fixed windows in the shared cache, all budgets or none."""

import pytest

from core import rate_limits
from core.rate_limits import Budget


@pytest.fixture
def frozen_time(monkeypatch):
    now = [999_960.0]  # the start of a 60 s window (and of 10 s and 600 s ones)
    monkeypatch.setattr(rate_limits.time, "time", lambda: now[0])
    return now


def test_allows_up_to_the_limit_then_says_how_long_to_wait(frozen_time):
    budget = Budget("search", "ip:203.0.113.7", limit=2)
    assert rate_limits.attempt([budget]).allowed
    frozen_time[0] += 15
    assert rate_limits.attempt([budget]).allowed
    refused = rate_limits.attempt([budget])
    assert not refused.allowed and refused.retry_after == 45
    frozen_time[0] += 45  # the next window
    assert rate_limits.attempt([budget]).allowed


def test_a_refused_attempt_takes_nothing_from_the_other_budgets(frozen_time):
    # One reader at their own limit must not use up the shared address's budget.
    user = Budget("assistant", "user:1", limit=1)
    address = Budget("assistant", "ip:198.51.100.1", limit=3)
    assert rate_limits.attempt([address, user]).allowed
    assert not rate_limits.attempt([address, user]).allowed
    assert not rate_limits.attempt([address, user]).allowed
    other_user = Budget("assistant", "user:2", limit=1)
    assert rate_limits.attempt([address, other_user]).allowed
    assert rate_limits.attempt([address]).allowed  # 3rd unit: the refusals gave theirs back
    assert not rate_limits.attempt([address]).allowed


def test_give_back_returns_an_attempt_that_did_not_count(frozen_time):
    budget = Budget("page-password", "restriction:7", limit=1, window=600)
    first = rate_limits.attempt([budget])
    first.give_back()  # e.g. the password was right
    assert rate_limits.attempt([budget]).allowed
    assert not rate_limits.attempt([budget]).allowed


def test_budgets_of_other_actions_and_subjects_are_separate(frozen_time):
    assert rate_limits.attempt([Budget("comment", "user:1", limit=1)]).allowed
    assert rate_limits.attempt([Budget("comment", "user:2", limit=1)]).allowed
    assert rate_limits.attempt([Budget("room-message", "user:1", limit=1)]).allowed
    assert not rate_limits.attempt([Budget("comment", "user:1", limit=1)]).allowed
