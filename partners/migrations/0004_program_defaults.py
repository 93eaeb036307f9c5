"""Defaults that make a fresh install usable: the program settings row, a default onboarding checklist and a first
agreement text (the operator replaces it in the admin; partners accept whichever version is current)."""

from django.db import migrations

AGREEMENT = """This Partner Agreement is between us (the vendor) and the partner company named in your acceptance.

1. Program. The partner may market and, where agreed, resell or refer our products under the program's rules
   published in the partner portal. Tier benefits apply as long as the tier's requirements are met.
2. Deal registration. Registrations must describe real opportunities. Approved registrations are protected for the
   period shown in the portal; conflicts are resolved by the published policy.
3. Brand and conduct. The partner uses our brand only as our guidelines allow and represents our products honestly.
4. Confidentiality. Non-public information shared through the program stays confidential.
5. Funds. Market development funds are paid only against approved requests and claims with proof of performance.
6. Term. Either side may end the partnership with 30 days' written notice.

(Your administrator can replace this text in the admin: Partners › Agreement versions.)"""

STEPS = [
    ("agreement", "Accept the partner agreement", "Read and accept the agreement so we can work together."),
    ("profile", "Complete your company profile", "Tell us where you sell, to whom, and what you offer."),
    ("invite", "Invite a colleague", "Bring in at least one more person from your company."),
    ("manual", "Kick-off call with your channel manager", "Your channel manager ticks this after the call."),
]


def create_defaults(apps, schema_editor):
    apps.get_model("partners", "Program").objects.get_or_create(pk=1)
    Checklist = apps.get_model("partners", "Checklist")
    Step = apps.get_model("partners", "ChecklistStep")
    if not Checklist.objects.filter(partner_type="").exists():
        checklist = Checklist.objects.create(name="Standard onboarding", partner_type="")
        for order, (kind, title, help_text) in enumerate(STEPS, start=1):
            Step.objects.create(checklist=checklist, order=order, kind=kind, title=title, help_text=help_text)
    Agreement = apps.get_model("partners", "AgreementVersion")
    if not Agreement.objects.exists():
        Agreement.objects.create(version="1.0", title="Partner agreement", body=AGREEMENT, is_current=True)


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_profile_program_onboarding_recruitment")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
