"""``python -m netread``."""

from netread.entry import run

run()
