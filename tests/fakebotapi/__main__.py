"""Run the fake Bot API standalone: ``.venv/bin/python -m tests.fakebotapi --port 8081``.

Point the bot at it with TELEGRAM_API_URL and BOT_TOKEN as printed, then play parents,
counsellors and staff over HTTP (README: „Trying the counsellor side by hand“).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import signal
import sys

from tests.fakebotapi.control import endpoint_help

NO_AIOHTTP = (
    "The fake Bot API needs aiohttp, which this Python ({python}) lacks: run "
    "`.venv/bin/python -m tests.fakebotapi` (run `make` first if .venv is missing)."
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments without the program name; None for sys.argv.

    Returns:
        The parsed options.

    """
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakebotapi",
        description=__doc__,
        epilog="control endpoints (JSON bodies, e.g. curl -d '{\"user_id\": 4711, …}'):\n"
        + endpoint_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--port", type=int, default=8081, help="TCP port (0: any free port)")
    parser.add_argument("--token", default="123456:TEST-TOKEN", help="the bot token to accept")
    parser.add_argument("--username", default="elternlotse_test_bot", help="the bot's username")
    return parser.parse_args(argv)


async def serve(options: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM.

    Args:
        options: Parsed command-line options.

    """
    from tests.fakebotapi.server import FakeBotAPI  # needs aiohttp: main() checked

    api = FakeBotAPI(token=options.token, bot_username=options.username)
    await api.start(host=options.host, port=options.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"TELEGRAM_API_URL={api.base_url}", flush=True)
    print(f"BOT_TOKEN={api.token}", flush=True)
    try:
        await stop.wait()
    finally:
        await api.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the standalone server.

    Args:
        argv: Arguments without the program name; None for sys.argv.

    Returns:
        The exit status: 0 after a stop signal, 2 when this Python has no aiohttp.

    """
    options = parse_args(argv)
    if importlib.util.find_spec("aiohttp") is None:
        print(NO_AIOHTTP.format(python=sys.executable), file=sys.stderr)
        return 2
    asyncio.run(serve(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
