"""Where webhook deliveries may go: public addresses, plus the networks an operator allows. Pure.

A tenant names the URL, so without this rule any API key holder could make Salon POST to (and
read the answers of) services only Salon's network reaches: loopback, the private networks, the
cloud metadata address. The same rule runs twice: when an endpoint is registered (the literal
address, or every address its name resolves to) and when a delivery connects (the address of the
socket itself, so a name that resolves elsewhere by then, DNS rebinding, is caught too).

IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
`64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are judged by the IPv4 address they carry.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from salon.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

NOT_ALLOWED = "the address is not allowed"
"""The fixed text of a refused delivery: never the address or the port."""

_REFUSED_V4 = tuple(
    ipaddress.IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private (RFC 1918)
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.88.99.0/24",  # 6to4 relay anycast (reserved)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
)
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
"""Everything else (loopback, unspecified, unique-local fc00::/7, link-local, multicast, …) is
outside the only IPv6 block handed out for public hosts."""
_REFUSED_V6 = tuple(
    ipaddress.IPv6Network(cidr)
    for cidr in (
        "2001::/23",  # IETF protocol assignments (Teredo, benchmarking, ORCHID)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")

SPECIAL_NAMES = ("localhost", "localhost.", "internal", "local", "home.arpa")
"""Names (and their subdomains) that only ever mean something inside a private network."""


def carried(address: Address) -> Address:
    """The IPv4 address an IPv6 form carries, else the address itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    if address in _NAT64 or (address in _COMPATIBLE and int(address) > 1):
        return low
    return address


def is_public(address: Address) -> bool:
    """Not loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, reserved
    or documentation, in any of its forms."""
    address = carried(address)
    if isinstance(address, ipaddress.IPv4Address):
        return not any(address in network for network in _REFUSED_V4)
    return address in _GLOBAL_UNICAST_V6 and not any(address in net for net in _REFUSED_V6)


def parse_networks(text: str | None) -> tuple[Network, ...]:
    """`CIDR[,CIDR...]` (a bare address is one host); ValueError naming the bad one."""
    networks: list[Network] = []
    for part in (text or "").split(","):
        if not (cidr := part.strip()):
            continue
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            raise ValueError(f"{cidr!r} is not a network (CIDR such as 127.0.0.0/8)") from None
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """The address a URL host or socket address names (brackets, zone ids allowed), else None."""
    host = text.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_special_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return "." not in name or any(
        name == special or name.endswith("." + special) for special in SPECIAL_NAMES
    )


@dataclass(frozen=True, slots=True)
class DestinationPolicy:
    """Public addresses, and the operator's `allowed` networks whatever they hold."""

    allowed: tuple[Network, ...] = ()

    @classmethod
    def from_text(cls, text: str | None) -> "DestinationPolicy":
        return cls(parse_networks(text))

    def permits(self, address: Address) -> bool:
        forms = {address, carried(address)}
        if any(form in network for form in forms for network in self.allowed):
            return True
        return is_public(address)

    def permits_all(self, addresses: Iterable[Address]) -> bool:
        found = list(addresses)
        return bool(found) and all(self.permits(address) for address in found)


def destination_policy(allow_networks: str | None) -> DestinationPolicy:
    """The policy of `--webhook-allow-networks`; a bad network is a clear error."""
    try:
        return DestinationPolicy.from_text(allow_networks)
    except ValueError as error:
        raise InvalidInput(f"--webhook-allow-networks: {error}") from None
