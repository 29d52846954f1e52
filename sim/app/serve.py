"""``govsim app``: serve the classroom page on this machine.

A teacher runs ``govsim app`` and opens the address it prints (http://localhost:8765 by
default); students on the same machine, or on the room's network with ``--host 0.0.0.0``,
open the same page, each with their own levers. The page is a Solara app
(`sim.app.page`), served by Solara's own server in production mode.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

DEFAULT_PORT = 8765


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(
        prog="govsim app",
        description="Serve the classroom page: levers, a live comparison, one day, Info.",
        epilog="examples:\n  govsim app\n  govsim app --port 8800 --open",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8765)")
    p.add_argument("--host", default="localhost", help="address to listen on (default localhost)")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server (returns when it stops); 2 if Solara is not installed."""
    args = parser().parse_args(argv)
    try:
        from solara.__main__ import cli
    except ImportError:
        print("govsim app needs Solara: pip install '.[app]'", file=sys.stderr)
        return 2
    print(f"govsim classroom: http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
    threading.Thread(target=_prewarm, daemon=True).start()
    command = [
        "run", "sim.app.page", "--port", str(args.port), "--host", args.host, "--production",
        "--open" if args.open else "--no-open", "--log-level", "warning",
    ]  # fmt: skip
    try:
        cli(command, standalone_mode=False)
    except KeyboardInterrupt:
        pass
    return 0


def _prewarm() -> None:
    """Run the places' first reforms while the server starts (the page module is the one
    Solara serves: same process, same runner)."""
    from sim.app.page import prewarm

    prewarm()


if __name__ == "__main__":  # python -m sim.app.serve
    raise SystemExit(main())
