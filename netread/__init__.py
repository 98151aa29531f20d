"""netread: the kernel's socket tables, read straight from /proc, printed as netstat prints them.

The public API (imported on first use, so ``import netread`` and the CLI stay cheap):
``connections()`` and ``Connection`` (psutil-like records; ``iter_connections()`` streams them); ``read_sockets()`` and
``Sockets`` (the pipeline under every output), ``ProcSource`` (the live /proc or a
snapshot), ``plan`` and ``Options`` (which tables, by netstat's rules), and the model's
``Table``, ``InetSocket``, ``UnixSocket``, ``Endpoint``, ``Owner``, ``Owners``.
"""

from __future__ import annotations

from netread._version import __version__

TYPE_CHECKING = False

if TYPE_CHECKING:
    from netread.api import Connection as Connection
    from netread.api import connections as connections
    from netread.api import iter_connections as iter_connections
    from netread.model import Endpoint as Endpoint
    from netread.model import InetSocket as InetSocket
    from netread.model import Owner as Owner
    from netread.model import Owners as Owners
    from netread.model import Sockets as Sockets
    from netread.model import Table as Table
    from netread.model import UnixSocket as UnixSocket
    from netread.proc.source import ProcSource as ProcSource
    from netread.select import Options as Options
    from netread.select import plan as plan
    from netread.sockets import read_sockets as read_sockets

_WHERE = {
    "connections": "netread.api",
    "iter_connections": "netread.api",
    "Connection": "netread.api",
    "read_sockets": "netread.sockets",
    "ProcSource": "netread.proc.source",
    "Options": "netread.select",
    "plan": "netread.select",
    **dict.fromkeys(("Endpoint", "InetSocket", "Owner", "Owners", "Sockets", "Table", "UnixSocket"), "netread.model"),
}
__all__ = ["__version__", *_WHERE]


def __getattr__(name: str) -> object:
    """The API is imported on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'netread' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
