"""The webhooks pages (manager app only)."""
