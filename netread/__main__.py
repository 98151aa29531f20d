"""``python -m netread``."""

from netread.cli import run

run()
