"""Who the client is, for rate limits: forwarded headers count only when a trusted proxy sent them.

Anyone can put any ``X-Forwarded-For`` in a request, so the header is read only when the direct
peer is one of the configured proxies (``GRIEVANCE_TRUSTED_PROXIES``). Each proxy appends the
address it received the request from, so the list is read from the right: the first address that
is not itself a trusted proxy is the client; everything left of it may be forged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One IPv6 subscriber normally holds a whole /64, so counting single addresses would let a client
# take a fresh bucket per request.
IPV6_CLIENT_PREFIX = 64
UNKNOWN = "unknown"


def parse_address(value: str) -> IPAddress | None:
    """An address as it appears in a peer or header entry; IPv4-mapped IPv6 becomes IPv4."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress, proxies: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[IPNetwork]) -> str:
    """The rate-limit key of a request: its direct peer, or what a trusted proxy says the client is."""
    if peer is None:
        return UNKNOWN
    peer_address = parse_address(peer)
    if peer_address is None:
        # Not an IP peer (a Unix socket, a test client's name): nothing to resolve.
        return peer
    if not is_trusted(peer_address, proxies):
        return bucket(peer_address)
    hops = [entry for header in forwarded_for for entry in header.split(",") if entry.strip()]
    client = peer_address
    for entry in reversed(hops):
        address = parse_address(entry)
        if address is None:
            # A trusted proxy never writes this, so someone forged it; stop at the last good hop.
            break
        client = address
        if not is_trusted(address, proxies):
            break
    return bucket(client)


def bucket(address: IPAddress) -> str:
    """The key counters are kept under: the address, or its /64 for IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False))
    return str(address)
