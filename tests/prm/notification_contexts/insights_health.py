"""Contexts of insights' partner-health notifications (insights.health_store.notify_movers)."""


def contexts(w) -> dict[str, dict]:
    return {
        "insights_health_at_risk": {
            "partner": w.partner,
            "score": 35,
            "previous_band": "Watch",
            "reasons": [
                {"points": -25, "text": "No activity for 75 days", "key": "inactive"},
                {"points": -10, "text": "1 MDF claim overdue", "key": "claims_overdue"},
            ],
            "action": "Call them: find out what changed",
        }
    }
