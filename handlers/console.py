"""/konsole: a staff member (or a counsellor) gets a single-use login link to the web console."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update

from handlers.delivery import deliver
from handlers.services import Context


async def on_console(update: Update, context: Context) -> None:
    """Send a login link valid for ten minutes; others get the answer to an unknown command."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    console, texts = context.bot_data.console, context.bot_data.dialogue.kb.staff_texts
    if console is None:
        await _reply(context, chat.id, texts("console_off"), None)
        return
    token = await console.access.issue_link(user.id)
    if token is None:
        from handlers.parents import on_unknown_command  # the parents' answer, not a hint

        await on_unknown_command(update, context)
        return
    url = f"{console.public_url}/anmelden/{token}"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(texts("console_open"), url=url)]])
    await _reply(context, chat.id, texts("console_link", url=url), markup)


async def _reply(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    # No link preview: Telegram's preview fetcher would open the login link before she does.
    no_preview = LinkPreviewOptions(is_disabled=True)
    await deliver(
        lambda: context.bot.send_message(
            chat_id, text, reply_markup=markup, link_preview_options=no_preview
        ),
        "sendMessage",
    )
