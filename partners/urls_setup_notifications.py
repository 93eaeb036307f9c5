"""Program setup, notifications: the defaults of notification preferences (/manage/program/...)."""

manage_patterns: list = []
