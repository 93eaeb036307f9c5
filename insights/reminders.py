"""Daily reminder sweeps of insights (registered with prm.reminders): renewals, reviews, overdue action items."""
