"""Size limits of the chat channel, in one place (Telegram's are the strictest we serve)."""

# Telegram rejects a message longer than 4,096 characters after entity parsing.
MESSAGE_LIMIT = 4096
# Margin for HTML tags and splitting when a reply is rendered (title, footer, escapes).
RENDER_MARGIN = 96
# What one rendered message may hold; longer replies are split into several.
RENDERED_MESSAGE_LIMIT = MESSAGE_LIMIT - RENDER_MARGIN
# Room the renderer adds around an answer (title, footer labels); the checker reserves it.
RENDER_OVERHEAD = 200
# Telegram's limit for inline button callback data, in bytes.
BUTTON_DATA_BYTES = 64
