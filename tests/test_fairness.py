"""Each client's share of the query workers: a query-seconds bucket, queries in flight, the
last free worker kept for a client with nothing running, and who makes room for it."""

from __future__ import annotations

import pytest

from tipgraph.errors import TooManyRequests
from tipgraph.serving.fairness import MAX_CLIENTS, ClientLedger, client_key


def run(ledger: ClientLedger, client: str, seconds: float, now: float) -> None:
    ledger.admit(client, now)
    ledger.started(client)
    ledger.finished(client, seconds, now + seconds)


def test_a_client_over_its_query_seconds_waits_for_the_bucket_to_refill() -> None:
    ledger = ClientLedger(seconds_per_minute=30, max_queries=0)
    run(ledger, "a", 25, now=0)  # 30 - 25 = 5 left at 25 s
    run(ledger, "a", 25, now=25)  # 5 + 12.5 refilled - 25 = -7.5 at 50 s
    with pytest.raises(TooManyRequests) as refused:
        ledger.admit("a", now=50)
    # Half a query-second refills each second: 15 s to be out of debt.
    assert refused.value.status == 429
    assert refused.value.retry_after == 15
    assert "30 query-seconds per minute" in str(refused.value)
    ledger.admit("b", now=50)  # another client is not touched
    ledger.admit("a", now=65)  # on time: exactly out of debt


def test_the_retry_after_is_when_the_bucket_is_above_empty_again() -> None:
    ledger = ClientLedger(seconds_per_minute=6, max_queries=0)
    run(ledger, "a", 30, now=0)  # 6 - 30 = -24 at 30 s; refills 0.1 s per second
    with pytest.raises(TooManyRequests) as refused:
        ledger.admit("a", now=30)
    assert refused.value.retry_after == 240
    ledger.admit("a", now=30 + 240)


def test_a_client_may_have_only_so_many_queries_in_flight() -> None:
    ledger = ClientLedger(seconds_per_minute=0, max_queries=2)
    ledger.admit("a", 0)
    ledger.admit("a", 0)
    with pytest.raises(TooManyRequests) as refused:
        ledger.admit("a", 0)
    assert refused.value.retry_after == 1
    ledger.admit("b", 0)
    ledger.dropped("a")
    ledger.admit("a", 0)


def test_a_client_never_holds_the_last_worker() -> None:
    ledger = ClientLedger(seconds_per_minute=0, max_queries=8)
    idle = 3
    for _ in range(2):
        ledger.admit("a", 0)
        assert ledger.may_start("a", idle)
        ledger.started("a")
        idle -= 1
    ledger.admit("a", 0)
    assert not ledger.may_start("a", idle)
    assert ledger.may_start("b", idle)
    assert ledger.running("a") == 2


def test_clients_with_a_query_running_never_take_the_last_free_worker_together() -> None:
    """Two addresses with runaway queries fill at most all but one worker: the last is kept
    for a client with nothing running."""
    ledger = ClientLedger(seconds_per_minute=30, max_queries=4)
    for name in ("a", "b"):
        ledger.admit(name, 0)
        ledger.started(name)
    assert not ledger.may_start("a", idle=1)
    assert not ledger.may_start("b", idle=1)
    assert ledger.may_start("a", idle=2)
    assert ledger.may_start("c", idle=1)  # nothing running: the kept worker is for it
    assert not ledger.may_start("c", idle=0)


def test_one_worker_serves_everyone() -> None:
    ledger = ClientLedger(seconds_per_minute=0, max_queries=0)
    ledger.admit("a", 0)
    assert ledger.may_start("a", idle=1)


def test_room_is_made_by_the_client_holding_most_workers_then_using_most() -> None:
    ledger = ClientLedger(seconds_per_minute=30, max_queries=4)
    run(ledger, "a", 20, now=0)  # 20 query-seconds used before
    for name in ("a", "b", "b"):
        ledger.admit(name, 20)
        ledger.started(name)
    assert ledger.heaviest({"a": 5, "b": 2}, now=25, waiting="c") == "b"  # two workers
    ledger.finished("b", 5, now=25)
    assert ledger.heaviest({"a": 5, "b": 2}, now=25, waiting="c") == "a"  # 1 worker each: used
    assert ledger.heaviest({}, now=25, waiting="c") is None


def test_room_is_only_made_by_a_heavier_user_for_a_lighter_one() -> None:
    """Clients with long queries of their own do not take turns stopping each other's."""
    ledger = ClientLedger(seconds_per_minute=0, max_queries=4)  # no budget: use still counts
    run(ledger, "a", 10, now=0)  # a's query was stopped for b after 10 s
    ledger.admit("b", 10)
    ledger.started("b")
    assert ledger.heaviest({"b": 8}, now=18, waiting="a") is None  # b used less than a
    assert ledger.heaviest({"b": 12}, now=22, waiting="a") == "b"  # a's use has faded
    assert ledger.heaviest({"b": 0.5}, now=22, waiting="c") is None  # not a second more


def test_idle_clients_are_forgotten_when_too_many_are_remembered() -> None:
    ledger = ClientLedger(seconds_per_minute=30, max_queries=4)
    for n in range(MAX_CLIENTS):
        ledger.admit(str(n), 0)
        ledger.dropped(str(n))
    ledger.admit("busy", 0)  # forgets the idle ones with a full bucket
    assert len(ledger._clients) == 1


def test_no_limits_and_no_reserve_when_both_are_off() -> None:
    ledger = ClientLedger(seconds_per_minute=0, max_queries=0)
    for _ in range(100):
        run(ledger, "a", 60, now=0)
    for idle in (2, 1):
        ledger.admit("a", 0)
        assert ledger.may_start("a", idle)
        ledger.started("a")
    assert not ledger.may_start("a", idle=0)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # the same host's /64: one client
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
        ("", ""),
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_slash_64(address: str, key: str) -> None:
    assert client_key(address) == key
