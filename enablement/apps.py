from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = "Enablement"

    def ready(self) -> None:
        from prm.demo import register_demo_step

        register_demo_step("enablement", "enablement.demo.seed_enablement", order=20)  # seed_demo runs it
        from enablement import reminders  # noqa: F401 -- daily sweeps: expiry reminders, expiries, nudges
        from enablement.competency import certified_people_by_partner, course_step_done, partner_summary
        from partners.hooks import register_partner_summary, register_step_detector
        from partners.metrics import register_metric
        from prm.models import AUDIT_SENTENCES

        register_metric("certified_people", certified_people_by_partner)
        register_step_detector("course", course_step_done)
        register_partner_summary("enablement", partner_summary)
        from enablement import recommendations

        recommendations.register()  # "Next for you in training" on the portal home
        AUDIT_SENTENCES.update(
            {
                "enablement.asset_created": "added “{title}” to the content library",
                "enablement.asset_updated": "updated the asset “{title}”",
                "enablement.asset_deleted": "removed “{title}” from the content library",
                "enablement.course_deleted": "deleted the course “{title}”",
                "enablement.course_created": "created the course “{title}”",
                "enablement.course_updated": "updated the course “{title}”",
                "enablement.lesson_added": "added the lesson “{lesson}” to “{course}”",
                "enablement.lesson_updated": "updated the lesson “{lesson}” of “{course}”",
                "enablement.lesson_removed": "removed the lesson “{lesson}”",
                "enablement.assessment_saved": "set the assessment of “{course}” (pass mark {pass_mark}%)",
                "enablement.assessment_removed": "removed the assessment of “{course}”",
                "enablement.question_saved": "saved a question of “{course}”",
                "enablement.question_removed": "removed a question of “{course}”",
                "enablement.certification_created": "created the certification “{name}”",
                "enablement.certification_updated": "updated the certification “{name}”",
                "enablement.enrolled": "{user} started the course “{course}”",
                "enablement.course_retaken": "{user} started the course “{course}” again",
                "enablement.course_completed": "{user} completed the course “{course}”",
                "enablement.assessment_passed": "{user} passed the assessment of “{course}” with {score}%",
                "enablement.assessment_failed": "{user} scored {score}% on the assessment of “{course}” "
                "(pass mark {pass_mark}%)",
                "enablement.attempt_granted": "allowed {user} another attempt at “{course}”",
                "enablement.certification_awarded": "{user} earned the certification “{certification}”",
                "enablement.certification_renewed": "{user} renewed the certification “{certification}”",
                "enablement.certification_revoked": "revoked the certification “{certification}” of {user}",
                "enablement.certification_expired": "the certification “{certification}” of {user} expired",
                "enablement.award_published": "made the certification “{certification}” publicly verifiable",
                "enablement.award_hidden": "hid the public page of the certification “{certification}”",
            }
        )
