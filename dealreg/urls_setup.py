"""Program setup, deal registration: the deal-registration policy (/manage/program/...)."""

manage_patterns: list = []
