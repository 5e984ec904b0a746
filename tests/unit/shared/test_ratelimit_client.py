"""Who the client is: X-Forwarded-For only from trusted proxies, read from the right."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from shared.client_address import IPNetwork, client_address
from shared.settings import ServiceSettings

PROXIES: list[IPNetwork] = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.0.2.7/32")]


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_address("203.0.113.5", ["198.51.100.1"], PROXIES) == "203.0.113.5"
    assert client_address("203.0.113.5", ["198.51.100.1"], []) == "203.0.113.5"


def test_with_no_proxies_configured_loopback_is_not_trusted() -> None:
    assert client_address("127.0.0.1", ["198.51.100.1"], []) == "127.0.0.1"


def test_a_trusted_proxy_names_the_client() -> None:
    assert client_address("10.1.2.3", ["198.51.100.1"], PROXIES) == "198.51.100.1"


def test_the_right_most_untrusted_hop_wins_over_forged_ones() -> None:
    # The client wrote "1.1.1.1"; our proxy appended what it saw.
    assert client_address("10.1.2.3", ["1.1.1.1, 198.51.100.1"], PROXIES) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_skipped() -> None:
    forwarded = ["1.1.1.1, 198.51.100.1, 192.0.2.7", "10.9.9.9"]
    assert client_address("10.1.2.3", forwarded, PROXIES) == "198.51.100.1"


def test_only_proxies_in_the_header_gives_the_left_most() -> None:
    assert client_address("10.1.2.3", ["10.4.4.4, 192.0.2.7"], PROXIES) == "10.4.4.4"


def test_a_trusted_peer_without_the_header_is_the_client() -> None:
    assert client_address("10.1.2.3", [], PROXIES) == "10.1.2.3"


def test_garbage_stops_the_walk_at_the_last_good_hop() -> None:
    assert client_address("10.1.2.3", ["not-an-ip"], PROXIES) == "10.1.2.3"
    assert client_address("10.1.2.3", ["198.51.100.1, bogus, 10.4.4.4"], PROXIES) == "10.4.4.4"


def test_ipv6_clients_are_counted_by_their_64() -> None:
    first = client_address("2001:db8:1:2::a", [], [])
    assert first == client_address("2001:db8:1:2:ffff::1", [], []) == "2001:db8:1:2::/64"
    assert client_address("2001:db8:1:3::a", [], []) != first


def test_ipv4_mapped_peers_match_ipv4_proxies() -> None:
    assert client_address("::ffff:10.1.2.3", ["198.51.100.1"], PROXIES) == "198.51.100.1"


def test_a_missing_or_non_ip_peer() -> None:
    assert client_address(None, ["198.51.100.1"], PROXIES) == "unknown"
    assert client_address("testclient", ["198.51.100.1"], PROXIES) == "testclient"


def test_the_setting_is_empty_by_default() -> None:
    assert ServiceSettings().trusted_proxies == []


@pytest.mark.parametrize("value", ['["10.0.0.0/8", "192.0.2.7"]', "10.0.0.0/8, 192.0.2.7"])
def test_the_setting_reads_json_or_commas(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("GRIEVANCE_TRUSTED_PROXIES", value)
    assert ServiceSettings().trusted_proxies == PROXIES


def test_the_setting_refuses_a_network_with_host_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIEVANCE_TRUSTED_PROXIES", "10.1.2.3/8")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        ServiceSettings()
