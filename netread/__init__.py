"""netread: the kernel's socket tables, read straight from /proc, printed as netstat prints them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netread._version import __version__

if TYPE_CHECKING:
    from netread.api import Connection as Connection
    from netread.api import connections as connections

__all__ = ["Connection", "__version__", "connections"]


def __getattr__(name: str) -> object:
    """The API is imported on first use, so ``import netread`` (and the CLI) stays cheap."""
    if name in ("connections", "Connection"):
        from netread import api

        return getattr(api, name)
    raise AttributeError(f"module 'netread' has no attribute {name!r}")
