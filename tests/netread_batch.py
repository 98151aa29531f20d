"""Run netread's CLI in-process once per argument list; print the results as JSON.

tests/oracle.py starts this inside a mount namespace whose /etc is replaced,
so one interpreter start serves many listings that resolve names.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typer.testing import CliRunner

from netread.cli.app import app


def main() -> None:
    runner = CliRunner()
    results = []
    for args in json.loads(sys.argv[1]):
        result = runner.invoke(app, args, catch_exceptions=False)
        results.append({"status": result.exit_code, "stdout": result.stdout_bytes.decode("latin-1"), "stderr": result.stderr})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
