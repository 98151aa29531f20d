"""netread: the kernel's socket tables, decoded and printed exactly as netstat prints them."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
