from django.apps import AppConfig


class MdfConfig(AppConfig):
    name = "mdf"
    verbose_name = "MDF"

    def ready(self) -> None:
        from prm.demo import register_demo_step

        register_demo_step("mdf", "mdf.demo.seed_mdf", order=30)  # seed_demo runs it
        from mdf import reminders  # noqa: F401 -- daily sweeps: claim deadlines, expiries, SLA, unused funds
        from mdf.roi import partner_summary
        from partners.hooks import register_partner_summary
        from prm.models import AUDIT_SENTENCES

        register_partner_summary("mdf", partner_summary)
        from mdf import search

        search.register()  # MDF requests and claims in the managers' global search
        from mdf import importers  # noqa: F401 -- the MDF allocations CSV importer (imports.registry)

        AUDIT_SENTENCES.update(
            {
                "mdf.pool_set": "set the {tier} MDF pool for {period} to {amount}",
                "mdf.allocated": "allocated {money} of MDF for {period}",
                "mdf.allocation_corrected": "corrected the MDF allocation for {period} by {money}",
                "mdf.request_submitted": "requested {money} of MDF for “{title}”",
                "mdf.request_resubmitted": "answered the question and sent the MDF request “{title}” again",
                "mdf.request_cancelled": "cancelled the MDF request “{title}”",
                "mdf.request_first_approval": "approved {money} for “{title}”; an admin approves it too",
                "mdf.request_approved": "approved the MDF request “{title}” ({money})",
                "mdf.request_approved_partly": "approved {money} of the MDF request “{title}”",
                "mdf.request_rejected": "rejected the MDF request “{title}”",
                "mdf.request_info_requested": "asked a question about the MDF request “{title}”",
                "mdf.request_expired": "the MDF approval of “{title}” expired without a claim",
                "mdf.deadline_extended": "extended the claim deadline of “{title}” to {claim_deadline}",
                "mdf.claim_submitted": "claimed {money} for “{title}”",
                "mdf.claim_resubmitted": "sent the MDF claim for “{title}” again",
                "mdf.proof_added": "added the proof “{file}” to the claim for “{title}”",
                "mdf.claim_approved": "approved the MDF claim for “{title}” ({money})",
                "mdf.claim_approved_partly": "approved {money} of the MDF claim for “{title}”",
                "mdf.claim_rejected": "rejected the MDF claim for “{title}”",
                "mdf.claim_info_requested": "asked for more proof on the MDF claim for “{title}”",
                "mdf.claim_paid": "recorded the payment of {money} for “{title}” (reference {reference})",
                "mdf.funds_expired": "{money} of unused MDF for {period} expired",
                "mdf.attributed": "attributed the deal “{registration}” to the MDF activity “{title}”",
                "mdf.attribution_removed": "took the deal “{registration}” off the MDF activity “{title}”",
                "mdf.settings_updated": "changed the MDF settings",
            }
        )
