"""The language detector behind `bot.language.languages.LanguageDetector` (py3langid)."""
