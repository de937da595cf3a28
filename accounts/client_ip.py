"""The client's address, as login throttling sees it.

Behind the reverse proxy every request comes from the proxy's address; the client's is
the last one the proxy appended to ``X-Forwarded-For``. That header is believed only on
requests coming from a trusted proxy (``TRUSTED_PROXY_IPS``, addresses or networks; the
same list gunicorn's ``forwarded_allow_ips`` reads): anyone else could write any address
into it and escape the lockout, or lock somebody else out.
"""

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(entry.strip(), strict=False)
            for entry in settings.TRUSTED_PROXY_IPS if entry.strip() and entry.strip() != "*"]


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The client's IP address: REMOTE_ADDR, or from a trusted proxy the rightmost untrusted X-Forwarded-For entry."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not _trusted(_address(remote), networks):
        return remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:
            break  # A hop wrote something that is not an address: believe nothing further left.
        if not _trusted(address, networks):
            return str(address)
    return remote
