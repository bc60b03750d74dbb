"""Who may do what: one place that decides every privileged action of counsellors and staff.

Roles depend on the chat as well as the person: a counsellor is one only inside the
counsellors' group, a staff member only in a private chat with the bot. Anyone else, in any
chat, has the role of a parent. A refused attempt is logged with the action and the role only
(no user id, no chat id, no text).
"""

from __future__ import annotations

import logging
from enum import Enum

from bot.config import Config

logger = logging.getLogger(__name__)


class Role(Enum):
    """What someone is in the chat an update comes from."""

    PARENT = "parent"  # also anyone else without a privilege there
    COUNSELLOR = "counsellor"
    STAFF = "staff"


class Privilege(Enum):
    """A privileged action a handler asks about before it calls a use case."""

    CLAIM_CASE = "claim_case"  # the „Übernehmen" button under a case
    CLOSE_CASE = "close_case"  # the „Schließen" button or /schliessen in a case topic
    CANNED_ANSWER = "canned_answer"  # /antwort <entry-id> in a case topic
    LIST_CASES = "list_cases"  # /faelle
    FIGURES = "figures"  # /statistik
    RELAY = "relay"  # a counsellor's message in a case topic, copied to the parent
    STAFF_COMMAND = "staff_command"  # /termin_neu, /termine_verwalten, /ankuendigen, …
    STAFF_BUTTON = "staff_button"  # a button of the staff's dialogues
    STAFF_TEXT = "staff_text"  # a typed answer in an open staff dialogue


REQUIRED: dict[Privilege, Role] = {
    Privilege.CLAIM_CASE: Role.COUNSELLOR,
    Privilege.CLOSE_CASE: Role.COUNSELLOR,
    Privilege.CANNED_ANSWER: Role.COUNSELLOR,
    Privilege.LIST_CASES: Role.COUNSELLOR,
    Privilege.FIGURES: Role.COUNSELLOR,
    Privilege.RELAY: Role.COUNSELLOR,
    Privilege.STAFF_COMMAND: Role.STAFF,
    Privilege.STAFF_BUTTON: Role.STAFF,
    Privilege.STAFF_TEXT: Role.STAFF,
}


class Access:
    """Decides roles and privileges from the configuration (counsellors, group, staff ids).

    Args:
        config: The bot's configuration; without `counselling` or `announcements` nobody has
            the role they would grant.

    """

    def __init__(self, config: Config) -> None:
        self._counselling = config.counselling
        self._staff = config.announcements.staff_ids if config.announcements else frozenset()

    def role_of(self, user_id: int, chat_id: int, chat_is_private: bool) -> Role:
        """Return the role of a user in a chat."""
        counselling = self._counselling
        if (
            counselling is not None
            and chat_id == counselling.group_id
            and counselling.counsellor(user_id) is not None
        ):
            return Role.COUNSELLOR
        if chat_is_private and user_id in self._staff:
            return Role.STAFF
        return Role.PARENT

    def allows(self, action: Privilege, user_id: int, chat_id: int, chat_is_private: bool) -> bool:
        """Return whether a user may take an action in a chat; log a refusal without names."""
        role = self.role_of(user_id, chat_id, chat_is_private)
        if role is REQUIRED[action]:
            return True
        logger.info("refused %s for role %s", action.value, role.value)
        return False
