"""Program setup: the first-run setup wizard (/manage/program/start/...)."""

manage_patterns: list = []
