"""Front ends without Telegram: the `elternlotse` command line, the console chat, evaluation."""
