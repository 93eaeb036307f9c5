"""Program setup, MDF: settings and periods (/manage/program/...)."""

manage_patterns: list = []
