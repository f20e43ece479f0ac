"""Block network access from Python in processes started with ``OVERPARAM_NO_NETWORK=1``.

The runner's ``--no-network`` puts this directory first on ``PYTHONPATH``, so the worker and the
chapter's kernel import it at start-up. Connections to anything but the loopback interface (which
the kernel needs to talk to papermill) and name lookups of other hosts raise ``NetworkBlockedError``,
so a chapter that tries to download data fails loudly in the test suite. It guards Python's socket
module only: code that opens sockets from C, or a subprocess such as ``curl``, is not covered.
"""

import os

if os.environ.get("OVERPARAM_NO_NETWORK") == "1":
    import ipaddress
    import socket

    class NetworkBlockedError(OSError):
        """A chapter tried to reach the network while the runner forbade it."""

    def _is_local(host) -> bool:
        if host in (None, "", "localhost", "localhost.localdomain"):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _check(address) -> None:
        if isinstance(address, tuple) and address and not _is_local(address[0]):
            raise NetworkBlockedError(f"network access to {address[0]!r} is blocked (--no-network)")

    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self, address):
        _check(address)
        return _connect(self, address)

    def connect_ex(self, address):
        _check(address)
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            raise NetworkBlockedError(f"looking up {host!r} is blocked (--no-network)")
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
