"""Realistic contexts for notification templates, one module per app (see test_notification_rendering)."""
