"""Configuration: frozen dataclasses loaded from YAML plus environment, failing fast by key."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.hours import WEEKDAYS, WHOLE_DAY, parse_spans

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"


class ConfigError(Exception):
    """The configuration is unusable; the message names the key and how to fix it."""


@dataclass(frozen=True)
class MatcherConfig:
    """Decision bands of the FAQ matcher (scores are 0–100).

    Attributes:
        answer_score: At or above this, with a clear margin, the best entry is answered.
        clarify_score: At or above this (but not confident), "Meinten Sie…?" is asked.
        clear_margin: The best score must lead the runner-up by this much to answer directly.
        max_candidates: How many candidates a clarify question offers.
        tentative_score: At or above this, with `tentative_margin` lead, the best entry is the
            only plausible one: it is answered, with the runners-up offered as alternatives.
        tentative_margin: The lead the best entry needs for such an answer.
        min_known_share: Below this share of known words (0–1) a question counts as out of
            scope unless its score reaches `unsure_below`.
        unsure_below: Scores from here on are trusted even for questions with many unknown words.
        question_weight: How much the asking sentences of a long message count (0–1) against
            the whole message.

    """

    answer_score: float = 62.0
    clarify_score: float = 40.0
    clear_margin: float = 6.0
    max_candidates: int = 3
    tentative_score: float = 40.0
    tentative_margin: float = 8.0
    min_known_share: float = 0.4
    unsure_below: float = 60.0
    question_weight: float = 0.3


@dataclass(frozen=True)
class EncoderConfig:
    """The sentence encoder (section `encoder:`), understanding by meaning.

    Attributes:
        enabled: Load the encoder where this machine can (x86-64 with AVX2 and FMA); false
            keeps it out (about 74 MB less memory), and the bot runs on words alone.
        answer_cosine: A question in another language is answered with the entry nearest in
            meaning when its cosine reaches this …
        clear_lead: … and leads the second entry by at least this much.
        clarify_cosine: From here on the nearest entries are offered („Meinten Sie …?").
        agree_cosine: A German question the words alone would not answer is answered when the
            entry nearest in meaning is the words' best one, reaches this cosine …
        agree_score: … and the words' score (0–100) reaches this.
        offer_cosine: A German question the words cannot place at all gets a „Meinten Sie …?"
            with the entries nearest in meaning from this cosine on.
        doubt_below: A German answer of the words scored below this (0–100) …
        doubt_cosine: … becomes a choice between it and the entry nearest in meaning, when that
            is one of the words' runners-up and reaches this cosine.

    """

    enabled: bool = True
    # An entry's score is the mean cosine of its three closest phrasings (German and, from
    # knowledge/phrasings/, the parent's language). Chosen on the questions in other languages
    # of languages_tuning.yaml and matcher_c_tuning.yaml (issue 19): answered correctly 0.72,
    # wrongly 0.03, in one tap 0.92; a lead of 0.005 would answer 0.78 but wrongly 0.05.
    answer_cosine: float = 0.86
    clear_lead: float = 0.0075
    clarify_cosine: float = 0.84
    # Chosen on the German questions of matcher_a, eval, eval_holdout and matcher_c_tuning (issue
    # 19, item 4): where words and meaning agree on the best entry, most fallbacks and
    # „Meinten Sie …?" questions had the right entry; out-of-scope questions rarely reach both
    # (answered 0.042 as by words alone, offered 0.090 instead of 0.083).
    agree_cosine: float = 0.88
    agree_score: float = 30.0
    offer_cosine: float = 0.88
    # Same sets: doubting narrow answers saved 0.5 (A, eval, holdout) and 1.8 (C) points of
    # wrong answers for 0.5 and 0.7 points of right ones.
    doubt_below: float = 60.0
    doubt_cosine: float = 0.87


@dataclass(frozen=True)
class Counsellor:
    """A counsellor: the Telegram user id and the pseudonym parents see."""

    id: int
    name: str


@dataclass(frozen=True)
class CounsellingConfig:
    """The counsellor hand-over (section `counselling:`); absent means the feature is off.

    Attributes:
        group_id: The counsellors' forum supergroup.
        counsellors: Who may claim, answer and close; anyone else in the group is not one.
        default_name: The name parents see before a counsellor claims („Beratungsteam").
        office_hours: Spans per weekday (`mon` … `sun`), e.g. "09:00-12:00,14:00-18:00";
            „24:00" ends a day.
        always_open: `office_hours: {always: true}`: round the clock, holidays included.
        state: The Bundesland code for public holidays (e.g. "NW").
        remind_unclaimed_after_minutes: Remind the group of a case nobody claimed.
        close_inactive_after_hours: Close a case after this long without messages.
        leads: Counsellors (`counselling.leads`, a list of ids) who may also close a case a
            colleague claimed; optional.

    """

    group_id: int
    counsellors: tuple[Counsellor, ...]
    default_name: str
    office_hours: Mapping[str, tuple[tuple[time, time], ...]]
    state: str
    always_open: bool = False
    remind_unclaimed_after_minutes: int = 30
    close_inactive_after_hours: int = 72
    leads: frozenset[int] = frozenset()

    def counsellor(self, user_id: int) -> Counsellor | None:
        """Return the counsellor with this Telegram id, if it is one."""
        return next((c for c in self.counsellors if c.id == user_id), None)


@dataclass(frozen=True)
class AnnouncementsConfig:
    """Expert chats, events and broadcasts (sections `staff:` and `announcements:`).

    Attributes:
        staff_ids: Telegram user ids allowed to run staff commands.
        rate: Broadcast messages per second: the broadcast's share of `Config.send_rate`, so
            replies and notices still get through during a broadcast.
        allow_paid_broadcast: Send broadcasts with Telegram's paid broadcast option (up to
            1,000/s, charged in Telegram Stars); only then may `rate` exceed 30.
        concurrency: Broadcast requests in flight at once (a crash repeats at most these).
        reminders: How long before an event reminders go out (largest first).
        invite_before: How long before an event registered parents get their invite link.

    """

    staff_ids: frozenset[int]
    rate: float = 25.0
    allow_paid_broadcast: bool = False
    concurrency: int = 32
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    invite_before: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class PrivacyConfig:
    """Who is responsible for the data and how long it is kept (section `privacy:`).

    Attributes:
        controller: The controller's name and address (Art. 13 GDPR), as the association writes
            it; None until configured (the notice then says so instead of inventing one).
        dpo_contact: How to reach the data-protection officer, or None.
        authority: The supervisory authority parents may complain to, or None.
        unanswered_days: Unanswered questions and feedback are deleted after this many days.
        inactive_days: The dialogue state of a parent inactive this long is deleted.
        closed_case_days: Metadata of closed counsellor cases is deleted after this many days.
        outbox_days: Sent or given-up outbox rows are deleted after this many days.
        messages_per_minute: Flood limit per parent; more messages are dropped (crisis texts
            still get the hotlines).

    """

    controller: str | None = None
    dpo_contact: str | None = None
    authority: str | None = None
    unanswered_days: int = 90
    inactive_days: int = 180
    closed_case_days: int = 365
    outbox_days: int = 7
    messages_per_minute: int = 20


@dataclass(frozen=True)
class AssociationConfig:
    """The association that runs the bot, as parents read it (section `association:`).

    Answers that send a parent to a person or to the association's events name it here instead
    of hard-coding one association (review D39); without it they name the federal VAMV, whose
    site leads to every Landesverband.

    Attributes:
        name: The association's name as parents should read it, e.g. „VAMV Landesverband NRW".
        website: Its website (https), where events and news are announced.
        counselling_url: The page where parents find its counselling or advice centres (https);
            None means the website.

    """

    name: str | None = None
    website: str | None = None
    counselling_url: str | None = None


# What setWebhook accepts as secret_token: 1–256 characters of A–Z, a–z, 0–9, _ and -.
# https://core.telegram.org/bots/api#setwebhook
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The only ports Telegram calls webhooks on (https://core.telegram.org/bots/api#setwebhook).
WEBHOOK_PUBLIC_PORTS = frozenset({443, 80, 88, 8443})
# A path PTB can put into its route pattern as it is (no regex characters, no "..").
WEBHOOK_PATH_SHAPE = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")
DEFAULT_HEALTH_PORT = 8444


@dataclass(frozen=True)
class WebhookConfig:
    """How Telegram reaches the bot in webhook mode (section `webhook:`; `run --webhook`).

    Attributes:
        listen: Address the local webhook server (and the /healthz server) binds; behind a
            reverse proxy on the same machine: 127.0.0.1.
        port: Port of the local webhook server.
        url_path: Path of the webhook on the local server, without the leading slash.
        public_url: The HTTPS URL Telegram calls (the reverse proxy forwards it to
            listen:port/url_path), or None while not configured.
        secret_token: What Telegram sends in the X-Telegram-Bot-Api-Secret-Token header;
            WEBHOOK_SECRET wins over the file. Secret, never logged or printed.
        health_port: Port of the /healthz server in webhook mode, on `listen`; None: off.

    """

    listen: str = "127.0.0.1"
    port: int = 8443
    url_path: str = "telegram"
    public_url: str | None = None
    secret_token: str | None = field(default=None, repr=False)
    health_port: int | None = DEFAULT_HEALTH_PORT

    def endpoint(self) -> tuple[str, str]:
        """Return the public URL and the secret token, which webhook mode cannot do without.

        Raises:
            ConfigError: One of them is not configured (the message names the key).

        """
        if not self.public_url:
            raise ConfigError(
                "config key 'webhook.public_url' is required for --webhook: the HTTPS URL "
                "Telegram calls, e.g. https://bot.example.org/telegram"
            )
        if not self.secret_token:
            raise ConfigError(
                "config key 'webhook.secret_token' is required for --webhook: set WEBHOOK_SECRET "
                "to 1–256 characters of A-Z, a-z, 0-9, _ and - (e.g. `openssl rand -hex 32`)"
            )
        return self.public_url, self.secret_token


@dataclass(frozen=True)
class ConsoleConfig:
    """The staff console on the web (section `console:`; issue 21).

    Attributes:
        listen: Address its server binds; behind a reverse proxy on the same machine: 127.0.0.1.
        port: Its port.
        public_url: The address staff open (the reverse proxy's HTTPS URL); the login links the
            bot sends in /konsole start with it.
        editors: Staff ids who may change content (phrasings, answers); other staff see and
            decide on open questions but do not edit files.
        secure_cookies: Send the session cookie only over HTTPS (off only for a local console).

    """

    listen: str = "127.0.0.1"
    port: int = 8480
    public_url: str = "http://127.0.0.1:8480"
    editors: frozenset[int] = frozenset()
    secure_cookies: bool = True


@dataclass(frozen=True)
class GroupChatConfig:
    """Where one peer group lives on Telegram, and who moderates it if not the shared team.

    Attributes:
        chat_id: The group's chat id.
        moderators_chat_id: Its own moderators' chat (None: the shared one).
        moderators: Its own moderators (empty: the shared ones). A group „nur für Frauen" needs
            its own, so that nobody else sees who asks to join.

    """

    chat_id: int
    moderators_chat_id: int | None = None
    moderators: frozenset[int] = frozenset()


@dataclass(frozen=True)
class GroupsConfig:
    """The peer groups on Telegram (`groups:`): where each lives, who moderates.

    Attributes:
        moderators_chat_id: The moderators' own group: reports, held messages, alerts and the
            requests of moderated groups arrive there.
        moderators: Telegram user ids who may use the moderation commands and buttons.
        chats: Group id of `knowledge/groups.yaml` → where that group lives (and its own
            moderators, if any). Only these groups are shown to parents.
        newcomer_hours: How long after joining a member's links and forwards are held.
        flood_messages: Messages a member may send per minute in a group before being muted.
        flood_mute_minutes: How long such a member is muted.
        request_hours: How long a join request waits for her consent (or a moderator).

    """

    moderators_chat_id: int
    moderators: frozenset[int]
    chats: Mapping[str, GroupChatConfig]
    newcomer_hours: int = 24
    flood_messages: int = 10
    flood_mute_minutes: int = 30
    request_hours: int = 48


@dataclass(frozen=True)
class Config:
    """Everything the bot needs to run.

    Attributes:
        token: The Telegram bot token; secret, never logged or printed.
        api_url: Base URL of the Bot API server, or None for Telegram's own.
        data_dir: Directory of the SQLite file.
        knowledge_dir: Directory of the knowledge base.
        max_message_chars: Longer incoming messages are cut to this length before matching.
        matcher: The matcher's decision bands.
        log_level: Name of the logging level.
        timezone: The IANA time zone of the service (daily counters, office hours, events).
        counselling: The counsellor hand-over, or None when it is not configured.
        announcements: Events and broadcasts, or None when no staff are configured.
        privacy: The controller named in /datenschutz, retention periods, the flood limit.
        association: The association's name and links named in answers.
        webhook: How Telegram reaches the bot in webhook mode, and the /healthz server.
        send_rate: Requests to chats per second of the whole process, in any sliding second
            (`telegram.rate_per_second`; Telegram allows about 30).
        encoder: Whether the sentence encoder is loaded.
        console: The staff console on the web, or None when it is not configured.

    """

    token: str | None = field(default=None, repr=False)
    api_url: str | None = None
    data_dir: Path = Path("data")
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    max_message_chars: int = 2000
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    log_level: str = "INFO"
    timezone: str = "Europe/Berlin"
    counselling: CounsellingConfig | None = None
    announcements: AnnouncementsConfig | None = None
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    association: AssociationConfig = field(default_factory=AssociationConfig)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    send_rate: int = 30
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    console: ConsoleConfig | None = None
    groups: GroupsConfig | None = None


def _section(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"config key '{key}' must be a mapping")
    return value


def _number(section: Mapping[str, Any], name: str, key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"config key '{name}.{key}' must be a number, got {value!r}")
    return float(value)


def _load_matcher(raw: Mapping[str, Any]) -> MatcherConfig:
    section = _section(raw, "matcher")
    base = MatcherConfig()
    matcher = MatcherConfig(
        answer_score=_number(section, "matcher", "answer_score", base.answer_score),
        clarify_score=_number(section, "matcher", "clarify_score", base.clarify_score),
        clear_margin=_number(section, "matcher", "clear_margin", base.clear_margin),
        max_candidates=int(_number(section, "matcher", "max_candidates", base.max_candidates)),
        tentative_score=_number(section, "matcher", "tentative_score", base.tentative_score),
        tentative_margin=_number(section, "matcher", "tentative_margin", base.tentative_margin),
        min_known_share=_number(section, "matcher", "min_known_share", base.min_known_share),
        unsure_below=_number(section, "matcher", "unsure_below", base.unsure_below),
        question_weight=_number(section, "matcher", "question_weight", base.question_weight),
    )
    if not 0 <= matcher.clarify_score <= matcher.answer_score <= 100:
        raise ConfigError(
            "config keys 'matcher.clarify_score' ≤ 'matcher.answer_score' must lie within 0–100"
        )
    if not 0 <= matcher.min_known_share <= 1 or not 0 <= matcher.question_weight <= 1:
        raise ConfigError(
            "config keys 'matcher.min_known_share' and 'matcher.question_weight' must lie "
            "within 0–1"
        )
    if not 1 <= matcher.max_candidates <= 5:
        raise ConfigError("config key 'matcher.max_candidates' must be between 1 and 5")
    return matcher


def config_path(explicit: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    """Pick the config file: explicit, else $ELTERNLOTSE_CONFIG, else ./config.yaml if present."""
    if explicit:
        return Path(explicit)
    if environ.get("ELTERNLOTSE_CONFIG"):
        return Path(environ["ELTERNLOTSE_CONFIG"])
    default = Path("config.yaml")
    return default if default.exists() else None


def _read_file(chosen: Path | None) -> Mapping[str, Any]:
    """Read the YAML config file, if any, naming the file in every error."""
    if chosen is None:
        return {}
    try:
        loaded = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"config file {chosen} cannot be read ({exc.strerror}); "
            "copy config.example.yaml to config.yaml or set ELTERNLOTSE_CONFIG"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {chosen} is not valid YAML: {exc}") from exc
    if loaded is not None and not isinstance(loaded, Mapping):
        raise ConfigError(f"config file {chosen} must contain a mapping at the top level")
    return loaded or {}


def _timezone(raw: Mapping[str, Any]) -> str:
    timezone = str(raw.get("timezone", "Europe/Berlin"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"config key 'timezone' must be an IANA time zone such as Europe/Berlin, "
            f"got {timezone!r}"
        ) from exc
    return timezone


def _counsellors(section: Mapping[str, Any]) -> tuple[Counsellor, ...]:
    raw = section.get("counsellors") or []
    if not isinstance(raw, list) or not raw:
        raise ConfigError("config key 'counselling.counsellors' must list {id, name} entries")
    found = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), int):
            raise ConfigError(f"config key 'counselling.counsellors[{index}].id' must be a number")
        name = str(item.get("name") or "").strip()
        if not name:
            raise ConfigError(f"config key 'counselling.counsellors[{index}].name' is empty")
        found.append(Counsellor(int(item["id"]), name))
    return tuple(found)


def _office_hours(section: Mapping[str, Any]) -> dict[str, tuple[tuple[time, time], ...]]:
    raw = _section(section, "office_hours")
    always = raw.get("always", False)
    if not isinstance(always, bool):
        raise ConfigError("config key 'counselling.office_hours.always' must be true or false")
    if always:
        if set(raw) != {"always"}:
            raise ConfigError(
                "config key 'counselling.office_hours.always: true' stands alone: "
                "remove the weekday lines, or remove 'always'"
            )
        return {day: (WHOLE_DAY,) for day in WEEKDAYS}
    hours = {}
    for day, spans in raw.items():
        if day == "always":
            continue
        if day not in WEEKDAYS:
            raise ConfigError(f"config key 'counselling.office_hours.{day}' is not mon … sun")
        try:
            hours[day] = parse_spans(str(spans))
        except ValueError as exc:
            raise ConfigError(
                f"config key 'counselling.office_hours.{day}' must look like "
                f"'09:00-12:00,14:00-18:00' ({exc})"
            ) from exc
    return hours


def _load_counselling(raw: Mapping[str, Any]) -> CounsellingConfig | None:
    section = _section(raw, "counselling")
    if not section.get("group_id"):
        return None
    if not isinstance(section["group_id"], int):
        raise ConfigError("config key 'counselling.group_id' must be the group's number")
    state = str(section.get("state", "NW")).upper()
    # Imported here: `holidays` (with dateutil) costs ~40 ms, and only counselling needs it.
    import holidays

    if state not in holidays.country_holidays("DE").subdivisions:
        raise ConfigError(f"config key 'counselling.state' must be a Bundesland code, got {state}")
    counsellors = _counsellors(section)
    return CounsellingConfig(
        group_id=int(section["group_id"]),
        counsellors=counsellors,
        default_name=str(section.get("default_name") or "Beratungsteam"),
        office_hours=_office_hours(section),
        always_open=_section(section, "office_hours").get("always") is True,
        state=state,
        remind_unclaimed_after_minutes=int(
            _number(section, "counselling", "remind_unclaimed_after_minutes", 30)
        ),
        close_inactive_after_hours=int(
            _number(section, "counselling", "close_inactive_after_hours", 72)
        ),
        leads=_leads(section, counsellors),
    )


def _leads(section: Mapping[str, Any], counsellors: tuple[Counsellor, ...]) -> frozenset[int]:
    """Read `counselling.leads`: ids of counsellors who may also close a colleague's case."""
    raw = section.get("leads") or []
    if not isinstance(raw, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in raw):
        raise ConfigError("config key 'counselling.leads' must be a list of Telegram user ids")
    known = {c.id for c in counsellors}
    strangers = sorted(set(raw) - known)
    if strangers:
        # A lead who is not a counsellor would be refused every action anyway: say so at start.
        raise ConfigError(
            f"config key 'counselling.leads' names {strangers[0]}, who is not in "
            "'counselling.counsellors' (a lead must be a counsellor too)"
        )
    return frozenset(raw)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FREE_BROADCAST_RATE = 30.0  # Telegram: about 30 messages per second without paid broadcasts


def _duration(value: object, key: str) -> timedelta:
    """Parse a duration like "24h", "90m" or "45s" (tests use seconds)."""
    text = str(value).strip().lower()
    number, unit = text[:-1], text[-1:]
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if unit not in _UNITS or amount <= 0:
        raise ConfigError(f"config key '{key}' must be a duration like 24h, 30m or 45s")
    return timedelta(seconds=amount * _UNITS[unit])


def _staff_ids(raw: Mapping[str, Any]) -> frozenset[int]:
    ids = _section(raw, "staff").get("ids") or []
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ConfigError("config key 'staff.ids' must list Telegram user ids (numbers)")
    return frozenset(ids)


def _send_rate(telegram: Mapping[str, Any]) -> int:
    """Read the process's overall rate: a whole number of requests per second, 1–30."""
    value: object = telegram.get("rate_per_second", int(FREE_BROADCAST_RATE))
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= FREE_BROADCAST_RATE:
        return value
    raise ConfigError(
        "config key 'telegram.rate_per_second' must be a whole number from 1 to 30 "
        f"(Telegram allows about 30 messages per second), got {value!r}"
    )


def _load_announcements(raw: Mapping[str, Any], send_rate: int) -> AnnouncementsConfig | None:
    staff = _staff_ids(raw)
    if not staff:
        return None
    section = _section(raw, "announcements")
    paid = section.get("allow_paid_broadcast", False)
    if not isinstance(paid, bool):
        raise ConfigError("config key 'announcements.allow_paid_broadcast' must be true or false")
    rate = _number(section, "announcements", "rate_per_second", 25.0)
    limit = 1000.0 if paid else FREE_BROADCAST_RATE
    if not 0 < rate <= limit:
        raise ConfigError(
            f"config key 'announcements.rate_per_second' must lie within 0–{limit:.0f} "
            "(above 30 only with allow_paid_broadcast: true)"
        )
    if not paid and rate > send_rate:
        raise ConfigError(
            f"config key 'announcements.rate_per_second' ({rate:g}) must not exceed "
            f"'telegram.rate_per_second' ({send_rate}): a free broadcast gets a share of the "
            "bot's overall rate"
        )
    leads = section.get("reminders", ["24h", "1h"])
    if not isinstance(leads, list):
        raise ConfigError("config key 'announcements.reminders' must list durations like 24h")
    reminders = sorted((_duration(v, "announcements.reminders") for v in leads), reverse=True)
    concurrency = int(_number(section, "announcements", "concurrency", 32))
    if not 1 <= concurrency <= 256:
        raise ConfigError("config key 'announcements.concurrency' must be between 1 and 256")
    return AnnouncementsConfig(
        staff_ids=staff,
        rate=rate,
        allow_paid_broadcast=paid,
        concurrency=concurrency,
        reminders=tuple(reminders),
        invite_before=_duration(section.get("invite_before", "30m"), "announcements.invite_before"),
    )


def _optional_text(section: Mapping[str, Any], key: str, name: str = "privacy") -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"config key '{name}.{key}' must be text (or left out)")
    return value.strip()


def _days(section: Mapping[str, Any], key: str, default: int) -> int:
    value = int(_number(section, "privacy", key, default))
    if not 1 <= value <= 3650:
        raise ConfigError(f"config key 'privacy.{key}' must be between 1 and 3650 days")
    return value


def _load_privacy(raw: Mapping[str, Any]) -> PrivacyConfig:
    section = _section(raw, "privacy")
    base = PrivacyConfig()
    per_minute = int(_number(section, "privacy", "messages_per_minute", base.messages_per_minute))
    if not 1 <= per_minute <= 600:
        raise ConfigError("config key 'privacy.messages_per_minute' must be between 1 and 600")
    return PrivacyConfig(
        controller=_optional_text(section, "controller"),
        dpo_contact=_optional_text(section, "dpo_contact"),
        authority=_optional_text(section, "authority"),
        unanswered_days=_days(section, "unanswered_days", base.unanswered_days),
        inactive_days=_days(section, "inactive_days", base.inactive_days),
        closed_case_days=_days(section, "closed_case_days", base.closed_case_days),
        outbox_days=_days(section, "outbox_days", base.outbox_days),
        messages_per_minute=per_minute,
    )


def _https_url(section: Mapping[str, Any], key: str) -> str | None:
    value = _optional_text(section, key, "association")
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            f"config key 'association.{key}' must be an https:// address, e.g. https://www.vamv.de"
        )
    return value


def _load_association(raw: Mapping[str, Any]) -> AssociationConfig:
    section = _section(raw, "association")
    name = _optional_text(section, "name", "association")
    website = _https_url(section, "website")
    counselling_url = _https_url(section, "counselling_url")
    if name is None and (website or counselling_url):
        raise ConfigError("config key 'association.name' is needed when its links are set")
    if name is not None and website is None and counselling_url is None:
        raise ConfigError("config key 'association.website' is needed with 'association.name'")
    return AssociationConfig(name=name, website=website, counselling_url=counselling_url)


def _webhook_port(section: Mapping[str, Any], key: str, default: int, name: str = "webhook") -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ConfigError(f"config key '{name}.{key}' must be a port number (1–65535)")
    return value


def _webhook_public_url(section: Mapping[str, Any]) -> str | None:
    value = section.get("public_url")
    if value is None:
        return None
    problem = "must be the https:// URL Telegram calls, e.g. https://bot.example.org/telegram"
    if not isinstance(value, str):
        raise ConfigError(f"config key 'webhook.public_url' {problem}")
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"config key 'webhook.public_url' {problem}") from exc
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"config key 'webhook.public_url' {problem}")
    if port is not None and port not in WEBHOOK_PUBLIC_PORTS:
        raise ConfigError(
            "config key 'webhook.public_url' may use only the ports Telegram calls webhooks "
            "on: 443, 80, 88 or 8443"
        )
    return value.strip()


def _webhook_secret(section: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
    value = environ.get("WEBHOOK_SECRET") or section.get("secret_token") or None
    if value is None:
        return None
    # Never echo the value: it is a secret, and a wrong one may be a pasted bot token.
    if not isinstance(value, str) or not WEBHOOK_SECRET_SHAPE.fullmatch(value):
        raise ConfigError(
            "config key 'webhook.secret_token' (or WEBHOOK_SECRET) must be 1–256 characters "
            "of A-Z, a-z, 0-9, _ and - (e.g. `openssl rand -hex 32`)"
        )
    return value


def _load_webhook(raw: Mapping[str, Any], environ: Mapping[str, str]) -> WebhookConfig:
    section = _section(raw, "webhook")
    base = WebhookConfig()
    listen = section.get("listen", base.listen)
    if not isinstance(listen, str) or not listen.strip():
        raise ConfigError("config key 'webhook.listen' must be an address such as 127.0.0.1")
    path = section.get("url_path", base.url_path)
    path = path.strip().strip("/") if isinstance(path, str) else ""
    if not WEBHOOK_PATH_SHAPE.fullmatch(path):
        raise ConfigError(
            "config key 'webhook.url_path' must be a path of letters, digits, _ and - "
            "(segments separated by /), e.g. telegram"
        )
    port = _webhook_port(section, "port", base.port)
    health_port = None  # `health_port: null` switches the /healthz server off
    if section.get("health_port", DEFAULT_HEALTH_PORT) is not None:
        health_port = _webhook_port(section, "health_port", DEFAULT_HEALTH_PORT)
    if health_port == port:
        raise ConfigError("config keys 'webhook.port' and 'webhook.health_port' must differ")
    return WebhookConfig(
        listen=listen.strip(),
        port=port,
        url_path=path,
        public_url=_webhook_public_url(section),
        secret_token=_webhook_secret(section, environ),
        health_port=health_port,
    )


def _load_encoder(raw: Mapping[str, Any]) -> EncoderConfig:
    section, base = _section(raw, "encoder"), EncoderConfig()
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError("config key 'encoder.enabled' must be true or false")
    # Every key but `enabled` is a number with the dataclass's default.
    bands = {
        f.name: _number(section, "encoder", f.name, getattr(base, f.name))
        for f in fields(EncoderConfig)
        if f.name != "enabled"
    }
    encoder = EncoderConfig(enabled=enabled, **bands)
    if not 0 <= encoder.clarify_cosine <= encoder.answer_cosine <= 1:
        raise ConfigError(
            "config keys 'encoder.clarify_cosine' ≤ 'encoder.answer_cosine' must lie within 0–1"
        )
    for key in ("clear_lead", "agree_cosine", "offer_cosine", "doubt_cosine"):
        if not 0 <= getattr(encoder, key) <= 1:
            raise ConfigError(f"config key 'encoder.{key}' must lie within 0–1")
    for key in ("agree_score", "doubt_below"):
        if not 0 <= getattr(encoder, key) <= 100:
            raise ConfigError(f"config key 'encoder.{key}' must lie within 0–100")
    return encoder


def _load_console(raw: Mapping[str, Any]) -> ConsoleConfig | None:
    """Read `console:`; None when the section is absent (the console is off)."""
    if raw.get("console") is None:
        return None
    section, base = _section(raw, "console"), ConsoleConfig()
    listen = section.get("listen", base.listen)
    if not isinstance(listen, str) or not listen.strip():
        raise ConfigError("config key 'console.listen' must be an address such as 127.0.0.1")
    url = section.get("public_url", base.public_url)
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ConfigError("config key 'console.public_url' must be a URL such as https://…")
    editors = section.get("editors") or []
    if not isinstance(editors, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in editors
    ):
        raise ConfigError("config key 'console.editors' must be a list of Telegram user ids")
    secure = section.get("secure_cookies", base.secure_cookies)
    if not isinstance(secure, bool):
        raise ConfigError("config key 'console.secure_cookies' must be true or false")
    return ConsoleConfig(
        listen=listen.strip(),
        port=_webhook_port(section, "port", base.port, "console"),
        public_url=url.rstrip("/"),
        editors=frozenset(editors),
        secure_cookies=secure,
    )


def _chat_id(value: object, key: str) -> int:
    """Return a Telegram group's chat id (a negative integer), else refuse naming the key."""
    if not isinstance(value, int) or isinstance(value, bool) or value >= 0:
        raise ConfigError(f"config key '{key}' must be a group's chat id such as -1001234567890")
    return value


def _user_ids(value: object, key: str) -> frozenset[int]:
    """Return a non-empty list of Telegram user ids, else refuse naming the key."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in value)
    ):
        raise ConfigError(f"config key '{key}' must be a list of Telegram user ids")
    return frozenset(value)


def _group_chat(value: object, key: str) -> GroupChatConfig:
    """Read one group: a chat id, or {chat_id, moderators_chat_id, moderators}."""
    if not isinstance(value, Mapping):
        return GroupChatConfig(_chat_id(value, key))
    extra = sorted(
        str(k) for k in value if k not in {"chat_id", "moderators_chat_id", "moderators"}
    )
    if extra:
        raise ConfigError(
            f"unknown config key '{key}.{extra[0]}' (a group has chat_id, moderators_chat_id "
            "and moderators)"
        )
    own = value.get("moderators_chat_id")
    return GroupChatConfig(
        _chat_id(value.get("chat_id"), f"{key}.chat_id"),
        None if own is None else _chat_id(own, f"{key}.moderators_chat_id"),
        frozenset()
        if value.get("moderators") is None
        else _user_ids(value.get("moderators"), f"{key}.moderators"),
    )


def _group_chats(section: Mapping[str, Any], moderators_chat: int) -> dict[str, GroupChatConfig]:
    """Read `groups.chats`: each group in a chat of its own, none a moderators' chat."""
    chats = section.get("chats")
    if not isinstance(chats, Mapping) or not chats:
        raise ConfigError("config key 'groups.chats' must map group ids to chat ids")
    found = {str(k): _group_chat(v, f"groups.chats.{k}") for k, v in chats.items()}
    ids = [c.chat_id for c in found.values()]
    moderators = {moderators_chat} | {c.moderators_chat_id for c in found.values()}
    if len(set(ids)) < len(ids) or moderators & set(ids):
        raise ConfigError("config key 'groups.chats': each group needs a chat of its own")
    return found


def _load_groups(raw: Mapping[str, Any]) -> GroupsConfig | None:
    """Read `groups:`; None when the section is absent (peer groups are off)."""
    if raw.get("groups") is None:
        return None
    section = _section(raw, "groups")
    moderators_chat = _chat_id(section.get("moderators_chat_id"), "groups.moderators_chat_id")
    moderators = _user_ids(section.get("moderators"), "groups.moderators")
    base = GroupsConfig(moderators_chat, frozenset(), {})
    numbers = {
        key: int(_number(section, "groups", key, getattr(base, key)))
        for key in ("newcomer_hours", "flood_messages", "flood_mute_minutes", "request_hours")
    }
    if any(n < 1 for n in numbers.values()):
        raise ConfigError("config keys 'groups.*_hours/_messages/_minutes' must be at least 1")
    # The retention purge deletes group rows after seven days whatever happened to them.
    if max(numbers["newcomer_hours"], numbers["request_hours"]) > MAX_GROUP_HOURS:
        raise ConfigError(
            f"config keys 'groups.newcomer_hours' and 'groups.request_hours' must be at most "
            f"{MAX_GROUP_HOURS} (a week)"
        )
    return GroupsConfig(
        moderators_chat, moderators, _group_chats(section, moderators_chat), **numbers
    )


MAX_GROUP_HOURS = 7 * 24  # rows about a join request or a newcomer are purged after a week


# Every key the config file may hold, per section ("" is the top level). Anything else is refused:
# a misspelt `counseling:` would otherwise switch counselling off without a word (review D7).
KNOWN_KEYS: Mapping[str, frozenset[str]] = {
    "": frozenset(
        {
            "timezone",
            "telegram",
            "storage",
            "knowledge",
            "limits",
            "matcher",
            "logging",
            "counselling",
            "staff",
            "announcements",
            "privacy",
            "association",
            "webhook",
            "encoder",
            "console",
            "groups",
        }
    ),
    "telegram": frozenset({"token", "api_url", "rate_per_second"}),
    "storage": frozenset({"data_dir"}),
    "knowledge": frozenset({"dir"}),
    "limits": frozenset({"max_message_chars"}),
    "matcher": frozenset(f.name for f in fields(MatcherConfig)),
    "logging": frozenset({"level"}),
    "counselling": frozenset(
        {
            "group_id",
            "counsellors",
            "default_name",
            "office_hours",
            "state",
            "remind_unclaimed_after_minutes",
            "close_inactive_after_hours",
            "leads",  # who may close a colleague's case (review D3)
        }
    ),
    "staff": frozenset({"ids"}),
    "announcements": frozenset(
        {"rate_per_second", "allow_paid_broadcast", "concurrency", "reminders", "invite_before"}
    ),
    "privacy": frozenset(f.name for f in fields(PrivacyConfig)),
    "association": frozenset(f.name for f in fields(AssociationConfig)),
    "encoder": frozenset(f.name for f in fields(EncoderConfig)),
    "webhook": frozenset(
        {"listen", "port", "url_path", "public_url", "secret_token", "health_port"}
    ),
    "console": frozenset(f.name for f in fields(ConsoleConfig)),
    "groups": frozenset(f.name for f in fields(GroupsConfig)),
}
# German words an association's volunteer may write for a key: no spelling is close enough.
_GERMAN_KEYS = {
    "bundesland": "counselling.state",
    "land": "counselling.state",
    "beratung": "counselling",
    "sprechzeiten": "counselling.office_hours",
    "beraterinnen": "counselling.counsellors",
    "zeitzone": "timezone",
    "team": "staff",
    "mitarbeiter": "staff",
    "datenschutz": "privacy",
    "verband": "association",
    "verein": "association",
    "konsole": "console",
    "gruppen": "groups",
    "moderatoren": "groups.moderators",
}


def _dotted(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def _suggestion(section: str, key: str) -> str:
    """Say which known key an unknown one probably meant, or list the section's keys."""
    known = KNOWN_KEYS[section]
    # A key of another section first (`state:` at the top), then a misspelling, then German.
    elsewhere = sorted(_dotted(s, key) for s, keys in KNOWN_KEYS.items() if s and key in keys)
    close = difflib.get_close_matches(key.lower(), sorted(known), n=1, cutoff=0.6)
    german = _GERMAN_KEYS.get(key.lower())
    meant = elsewhere[0] if elsewhere else _dotted(section, close[0]) if close else german
    if meant is not None:
        return f" (did you mean '{meant}'?)"
    return f" (known keys: {', '.join(sorted(known))})"


def _refuse_unknown(mapping: Mapping[Any, Any], section: str) -> None:
    for key in mapping:
        if key not in KNOWN_KEYS[section]:
            name = _dotted(section, str(key))
            raise ConfigError(f"unknown config key '{name}'{_suggestion(section, str(key))}")


def check_keys(raw: Mapping[Any, Any]) -> None:
    """Refuse a key the configuration does not know, naming it and the key probably meant.

    Args:
        raw: The config file's top-level mapping.

    Raises:
        ConfigError: A key at the top level, in a section or in a counsellor entry is unknown.

    """
    _refuse_unknown(raw, "")
    for section in KNOWN_KEYS[""]:
        value = raw.get(section)
        if isinstance(value, Mapping) and section in KNOWN_KEYS:
            _refuse_unknown(value, section)
    counselling = raw.get("counselling")
    counsellors = counselling.get("counsellors") if isinstance(counselling, Mapping) else None
    for index, item in enumerate(counsellors if isinstance(counsellors, list) else []):
        extra = (
            sorted(str(k) for k in item if k not in ("id", "name"))
            if isinstance(item, Mapping)
            else []
        )
        if extra:
            raise ConfigError(
                f"unknown config key 'counselling.counsellors[{index}].{extra[0]}' "
                "(a counsellor has only 'id' and 'name')"
            )


def load_config(path: str | Path | None = None, environ: Mapping[str, str] = os.environ) -> Config:
    """Load the configuration from an optional YAML file and the environment.

    Environment variables win over the file: BOT_TOKEN, TELEGRAM_API_URL, ELTERNLOTSE_DATA,
    WEBHOOK_SECRET.

    Args:
        path: The YAML file, or None to use $ELTERNLOTSE_CONFIG or ./config.yaml when present.
        environ: The environment (injectable for tests).

    Returns:
        The validated configuration.

    Raises:
        ConfigError: A file is missing or invalid, a key is unknown or has a wrong type.

    """
    raw = _read_file(config_path(path, environ))
    check_keys(raw)
    telegram = _section(raw, "telegram")
    storage = _section(raw, "storage")
    knowledge = _section(raw, "knowledge")
    limits = _section(raw, "limits")
    logging_section = _section(raw, "logging")

    token = environ.get("BOT_TOKEN") or telegram.get("token") or None
    if token is not None and not isinstance(token, str):
        raise ConfigError("config key 'telegram.token' must be a string (better: set BOT_TOKEN)")
    api_url = environ.get("TELEGRAM_API_URL") or telegram.get("api_url") or None
    data_dir = environ.get("ELTERNLOTSE_DATA") or storage.get("data_dir") or "data"
    knowledge_dir = knowledge.get("dir") or DEFAULT_KNOWLEDGE_DIR
    max_chars = int(_number(limits, "limits", "max_message_chars", 2000))
    if not 100 <= max_chars <= 20000:
        raise ConfigError("config key 'limits.max_message_chars' must be between 100 and 20000")
    send_rate = _send_rate(telegram)
    level = str(logging_section.get("level", "INFO")).upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("config key 'logging.level' must be DEBUG, INFO, WARNING or ERROR")
    return Config(
        token=token,
        api_url=str(api_url).rstrip("/") if api_url else None,
        data_dir=Path(str(data_dir)),
        knowledge_dir=Path(str(knowledge_dir)),
        max_message_chars=max_chars,
        matcher=_load_matcher(raw),
        log_level=level,
        timezone=_timezone(raw),
        counselling=_load_counselling(raw),
        announcements=_load_announcements(raw, send_rate),
        privacy=_load_privacy(raw),
        association=_load_association(raw),
        webhook=_load_webhook(raw, environ),
        send_rate=send_rate,
        encoder=_load_encoder(raw),
        console=_load_console(raw),
        groups=_load_groups(raw),
    )
