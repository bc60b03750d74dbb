"""Run the fake Bot API standalone: ``python -m tests.fakebotapi --port 8081``.

Point the bot at it with TELEGRAM_API_URL and BOT_TOKEN as printed. Users can be played over
HTTP: POST /_fake/user {"id", "first_name"}, POST /_fake/send_text {"user_id", "text"},
POST /_fake/press_button {"user_id", "chat_id", "message_id", "data"},
GET /_fake/messages?chat_id=…, GET /_fake/calls?method=….
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from tests.fakebotapi.server import FakeBotAPI


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments without the program name; None for sys.argv.

    Returns:
        The parsed options.

    """
    parser = argparse.ArgumentParser(prog="python -m tests.fakebotapi", description=__doc__)
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


def main(argv: list[str] | None = None) -> None:
    """Run the standalone server.

    Args:
        argv: Arguments without the program name; None for sys.argv.

    """
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
