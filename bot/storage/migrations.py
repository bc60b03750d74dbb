"""Versioned schema migrations of the SQLite store.

`MIGRATIONS[n]` brings a database from schema version `n` to `n + 1`; the version lives in
`PRAGMA user_version`. Rules for editing this file:

- Never change or reorder a migration that has shipped; append a new one instead.
- A migration is plain SQL without `BEGIN`/`COMMIT`: the store runs each one in its own transaction
  together with the version bump, so a failing migration leaves the database untouched.
- Keep the privacy rules of `bot.storage.base.Store`: no names, no message texts except the
  redacted unanswered questions. `tests/test_storage.py` inspects the schema for name columns.
- Timestamps are ISO 8601 strings in UTC with microseconds (`2024-05-01T10:00:00.000000+00:00`),
  so they sort correctly as text.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: initial schema.
    """
    CREATE TABLE users (
        user_id    INTEGER PRIMARY KEY,
        language   TEXT,
        first_seen TEXT NOT NULL,
        last_seen  TEXT NOT NULL
    );

    CREATE TABLE states (
        user_id    INTEGER PRIMARY KEY,
        state      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );

    CREATE TABLE feedback (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        entry_id   TEXT NOT NULL,
        helpful    INTEGER CHECK (helpful IN (0, 1)),
        reason     TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX feedback_by_user ON feedback (user_id);
    CREATE INDEX feedback_by_entry ON feedback (entry_id);

    CREATE TABLE unanswered (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        text       TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX unanswered_by_user ON unanswered (user_id);
    CREATE INDEX unanswered_by_time ON unanswered (created_at);

    CREATE TABLE daily_counters (
        day     TEXT NOT NULL,
        counter TEXT NOT NULL,
        value   INTEGER NOT NULL,
        PRIMARY KEY (day, counter)
    ) WITHOUT ROWID;
    """,
    # 2: counsellor cases (metadata only; Telegram holds the conversation).
    """
    CREATE TABLE cases (
        number           INTEGER PRIMARY KEY AUTOINCREMENT,
        parent_id        INTEGER NOT NULL,
        status           TEXT NOT NULL,
        category         TEXT,
        topic_id         INTEGER,
        counsellor_id    INTEGER,
        reveal_consent   INTEGER NOT NULL DEFAULT 0,
        opened_at        TEXT NOT NULL,
        claimed_at       TEXT,
        closed_at        TEXT,
        last_activity_at TEXT NOT NULL,
        rating           INTEGER CHECK (rating BETWEEN 1 AND 5)
    );
    CREATE INDEX cases_by_parent ON cases (parent_id, status);
    CREATE INDEX cases_by_topic ON cases (topic_id);
    """,
    # 3: the durable outbox (messages to the counsellors' group, later announcements).
    """
    CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        queue      TEXT NOT NULL,
        priority   INTEGER NOT NULL,
        user_id    INTEGER,
        payload    TEXT NOT NULL,
        status     TEXT NOT NULL DEFAULT 'pending',
        attempts   INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        sent_at    TEXT
    );
    CREATE INDEX outbox_pending ON outbox (queue, status, priority, id);
    CREATE INDEX outbox_by_user ON outbox (user_id);
    """,
    # 4: announcements: events, subscriptions, registrations, questions, broadcasts, audit,
    # staff drafts; outbox rows learn why they failed and that a recipient blocked the bot.
    """
    ALTER TABLE outbox ADD COLUMN last_error TEXT;

    CREATE TABLE events (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        title        TEXT NOT NULL,
        starts_at    TEXT NOT NULL,
        duration_min INTEGER NOT NULL,
        category     TEXT NOT NULL,
        description  TEXT NOT NULL,
        place        TEXT,
        chat_id      INTEGER,
        status       TEXT NOT NULL DEFAULT 'scheduled',
        sequence     INTEGER NOT NULL DEFAULT 0,
        created_at   TEXT NOT NULL
    );
    CREATE INDEX events_by_start ON events (status, starts_at);

    CREATE TABLE subscriptions (
        user_id      INTEGER NOT NULL,
        category     TEXT NOT NULL,
        consented_at TEXT NOT NULL,
        PRIMARY KEY (user_id, category)
    ) WITHOUT ROWID;
    CREATE INDEX subscriptions_by_category ON subscriptions (category);

    CREATE TABLE registrations (
        event_id   INTEGER NOT NULL REFERENCES events (id),
        user_id    INTEGER NOT NULL,
        registered INTEGER NOT NULL DEFAULT 0,
        remind     INTEGER NOT NULL DEFAULT 0,
        done       TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (event_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX registrations_by_user ON registrations (user_id);

    CREATE TABLE questions (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id INTEGER NOT NULL REFERENCES events (id),
        user_id  INTEGER NOT NULL,
        text     TEXT NOT NULL,
        asked_at TEXT NOT NULL
    );
    CREATE INDEX questions_by_event ON questions (event_id);
    CREATE INDEX questions_by_user ON questions (user_id);

    CREATE TABLE broadcasts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        staff_id        INTEGER NOT NULL,
        text            TEXT NOT NULL,
        categories      TEXT NOT NULL,
        event_id        INTEGER REFERENCES events (id),
        status          TEXT NOT NULL DEFAULT 'sending',
        total           INTEGER NOT NULL,
        created_at      TEXT NOT NULL,
        finished_at     TEXT,
        reported_tenths INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE audit (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        actor_id INTEGER NOT NULL,
        role     TEXT NOT NULL,
        action   TEXT NOT NULL,
        subject  TEXT,
        at       TEXT NOT NULL
    );

    CREATE TABLE staff_drafts (
        user_id    INTEGER PRIMARY KEY,
        draft      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 5: unanswered questions and feedback no longer name the parent and keep only the day
    # (issue: truthful minimisation); existing rows lose their user id and time of day.
    """
    CREATE TABLE feedback_unlinked (
        id       INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL,
        helpful  INTEGER CHECK (helpful IN (0, 1)),
        reason   TEXT,
        day      TEXT NOT NULL
    );
    INSERT INTO feedback_unlinked (entry_id, helpful, reason, day)
        SELECT entry_id, helpful, reason, substr(created_at, 1, 10) FROM feedback ORDER BY id;
    DROP TABLE feedback;
    ALTER TABLE feedback_unlinked RENAME TO feedback;
    CREATE INDEX feedback_by_entry ON feedback (entry_id);
    CREATE INDEX feedback_by_day ON feedback (day);

    CREATE TABLE unanswered_unlinked (
        id   INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        day  TEXT NOT NULL
    );
    INSERT INTO unanswered_unlinked (text, day)
        SELECT text, substr(created_at, 1, 10) FROM unanswered ORDER BY created_at, id;
    DROP TABLE unanswered;
    ALTER TABLE unanswered_unlinked RENAME TO unanswered;
    CREATE INDEX unanswered_by_day ON unanswered (day);
    """,
    # 6: the personal invite links a registered parent got for an event (comma-separated), so
    # they can be revoked when the parent unregisters or the event is cancelled or moved.
    """
    ALTER TABLE registrations ADD COLUMN invites TEXT NOT NULL DEFAULT '';
    """,
    # 7: the staff console (issue 21): single-use login links and sessions, both kept only as
    # SHA-256 of their secret; what staff decided about an unanswered question (by its text).
    """
    CREATE TABLE console_links (
        token_hash TEXT PRIMARY KEY,
        staff_id   INTEGER NOT NULL,
        expires_at TEXT NOT NULL,
        used_at    TEXT
    );
    CREATE TABLE console_sessions (
        id_hash    TEXT PRIMARY KEY,
        staff_id   INTEGER NOT NULL,
        csrf       TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE curation (
        question   TEXT PRIMARY KEY,
        decision   TEXT NOT NULL,
        entry_id   TEXT,
        decided_at TEXT NOT NULL
    );
    """,
    # 8: peer groups. `peer_groups` is about no person: each group's join-request link, the chat
    # it was made for, and since when the group is paused (NULL: it takes new members). chat_id
    # is NULL while only a pause is known (a group can be paused before the bot ever made its
    # link), so no made-up chat id stands in for "none"; a link is only ever stored with its
    # chat. `group_members` holds one row per person between her join request and the end of
    # her first day in the group; the use case deletes it then (and retention after a week).
    """
    CREATE TABLE peer_groups (
        group_id    TEXT PRIMARY KEY,
        chat_id     INTEGER,
        invite_link TEXT,
        paused_at   TEXT,
        CHECK (invite_link IS NULL OR chat_id IS NOT NULL)
    );

    CREATE TABLE group_members (
        chat_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        stage   TEXT NOT NULL,
        since   TEXT NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX group_members_by_stage ON group_members (stage, since);
    CREATE INDEX group_members_by_user ON group_members (user_id);
    """,
)
