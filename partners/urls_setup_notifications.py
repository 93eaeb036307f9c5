"""Program setup, notifications: the defaults of notification preferences (/manage/program/...)."""

from django.urls import path

from partners.views import setup_notifications

manage_patterns: list = [
    path("program/notifications/", setup_notifications.setup_notifications, name="setup_notifications"),
]
