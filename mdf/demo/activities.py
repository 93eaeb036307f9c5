"""Requests and claims at every status for the demo partners, through the services."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mdf import services
from mdf.models import Budget, Claim, FundRequest, Period
from prm.demo import demo_clock
from prm.models import User

from .files import attendees, invoice

D = Decimal


# --- Requests and claims at every status ---------------------------------------------------------------------------


def _submit(actor: User, budget: Budget, *, title: str, kind: str, cost: str, share: str, amount: str, **extra: Any):
    start = timezone.localdate() + timedelta(days=21)
    return services.request_submit(
        actor=actor,
        partner=budget.partner,
        budget=budget,
        activity_type=kind,
        title=title,
        description=extra.pop("description", ""),
        starts_on=start,
        ends_on=start + timedelta(days=extra.pop("days", 0)),
        expected_leads=extra.pop("leads", None),
        expected_pipeline=D(extra.pop("pipeline")) if "pipeline" in extra else None,
        total_cost=D(cost),
        partner_share_percent=D(share),
        requested_amount=D(amount),
    )


def _dated(request: FundRequest, *, starts: date, days: int = 0, budget: Budget | None = None) -> FundRequest:
    """Move an activity to its real dates (and, for last quarter's, to its budget) before it is decided."""
    submitted = timezone.make_aware(
        timezone.datetime.combine(starts - timedelta(days=25), timezone.datetime.min.time())
    )
    FundRequest.objects.filter(pk=request.pk).update(
        starts_on=starts,
        ends_on=starts + timedelta(days=days),
        budget=budget or request.budget,
        submitted_at=submitted + timedelta(hours=10),
        created_at=submitted + timedelta(hours=10),
    )
    request.refresh_from_db()
    return request


def _won_deal(manager: User, actor: User) -> Any:
    """A Northwind deal sourced at the summit booth, won: it gives the activity its ROI."""
    from dealreg import services as deals
    from dealreg.models import Registration

    existing = Registration.objects.filter(name="Acme Retail Group").first()
    if existing is not None:
        return existing
    registration = deals.registration_save_draft(
        actor=actor,
        partner=actor.membership.partner,
        data={
            "name": "Acme Retail Group",
            "website": "https://acme-retail-group.de",
            "country": "DE",
            "contact_name": "Petra Lang",
            "contact_email": "petra@acme-retail-group.de",
            "value": "64000",
            "currency": "USD",
            "stage": "proposal",
            "involvement": "sourced",
            "products": "Platform",
            "notes": "Met at the partner summit booth.",
            "expected_close": timezone.localdate() + timedelta(days=30),
        },
    )
    registration = deals.registration_submit(actor=actor, registration=registration)
    if registration.status != Registration.Status.APPROVED:
        registration = deals.registration_approve(actor=manager, registration=registration, reason="Demo deal.")
    return deals.registration_close(actor=actor, registration=registration, won=True, amount="64000")


def seed_requests(manager: User, quarters: Any) -> int:
    if FundRequest.objects.exists():
        return 0
    people = {
        u.email: u
        for u in User.objects.filter(
            email__in=[
                "anna@northwind.example.com",
                "marco@atlas-dist.example.com",
                "dev@brightpath.example.com",
            ]
        ).select_related("membership__partner")
    }
    anna = people.get("anna@northwind.example.com")
    marco = people.get("marco@atlas-dist.example.com")
    dev = people.get("dev@brightpath.example.com")
    today = timezone.localdate()
    made = 0

    def budget(user: User, period: Period) -> Budget:
        return services.budget_for(partner=user.membership.partner, period=period)

    if anna is not None:
        northwind_now, northwind_before = budget(anna, quarters.current), budget(anna, quarters.previous)
        # Closed and paid, partly approved, with deals attributed (ROI).
        summit = _submit(
            anna,
            northwind_now,
            title="Partner summit booth, Munich",
            kind="event",
            cost="16000",
            share="50",
            amount="8000",
            leads=120,
            pipeline="400000",
            days=1,
            description="A 3×3 m booth at the regional IT summit, with two live demo stations.",
        )
        summit = _dated(summit, starts=today - timedelta(days=45), days=1, budget=northwind_before)
        # The summit's story on its own dates (prm.demo.demo_clock), so its timeline and the ledger read as weeks:
        # approved before the event, claimed after it, reviewed, then paid.
        story = timezone.now()
        with demo_clock(story - timedelta(days=62)):
            summit = services.request_approve(
                actor=manager,
                request=summit,
                amount=D("7000"),
                reason="Approved for the booth; the printed giveaways are not covered.",
            )
        with demo_clock(story - timedelta(days=30)):
            claim = services.claim_submit(
                actor=anna,
                request=summit,
                actual_cost=D("15200"),
                amount_claimed=D("6800"),
                leads=96,
                results="96 leads scanned at the booth; 11 meetings booked.",
                proofs=[invoice("Messe Muenchen", summit.title, D("15200")), attendees(96)],
            )
        with demo_clock(story - timedelta(days=14)):
            claim = services.claim_approve(actor=manager, claim=claim)
        with demo_clock(story - timedelta(days=10)):
            services.claim_pay(
                actor=manager, claim=claim, paid_on=today - timedelta(days=10), reference="SEPA-2026-0142"
            )
        # The dates the story needs: approved before the summit, claimed after it, decided before the payment.
        now = timezone.now()
        FundRequest.objects.filter(pk=summit.pk).update(decided_at=now - timedelta(days=62))
        claimed = now - timedelta(days=30)
        Claim.objects.filter(pk=claim.pk).update(
            created_at=claimed, submitted_at=claimed, decided_at=now - timedelta(days=14)
        )
        won = _won_deal(manager, anna)
        services.attribution_add(actor=anna, request=summit, registration=won)
        from dealreg.models import Registration

        globex = Registration.objects.filter(name="Globex Corporation", partner=anna.membership.partner).first()
        if globex is not None and not hasattr(globex, "mdf_attribution"):
            services.attribution_add(actor=anna, request=summit, registration=globex)
        # Approved, activity ahead.
        webinar = _submit(
            anna,
            northwind_now,
            title="Automation webinar series",
            kind="webinar",
            cost="6000",
            share="50",
            amount="3000",
            leads=60,
            pipeline="150000",
            days=14,
            description="Three live webinars for mid-market operations leaders.",
        )
        services.request_approve(actor=manager, request=webinar)
        # In review.
        _submit(
            anna,
            northwind_now,
            title="Customer case study video",
            kind="content",
            cost="5000",
            share="40",
            amount="3000",
            description="A 3-minute video with Globex's operations team.",
        )
        # Needs more information.
        ads = _submit(
            anna,
            northwind_now,
            title="Search ads: mid-market automation",
            kind="digital",
            cost="4000",
            share="25",
            amount="3000",
            leads=40,
        )
        services.request_ask_info(
            actor=manager, request=ads, question="Which keywords and which landing page? Please add the targeting."
        )
        # Above the band: first approval given, an admin approves too.
        dinner = _submit(
            anna,
            northwind_now,
            title="Executive dinner for 20 CIOs",
            kind="event",
            cost="24000",
            share="50",
            amount="12000",
            leads=20,
            pipeline="600000",
        )
        services.request_approve(actor=manager, request=dinner, reason="Strong guest list; over the band.")
        # Approved last quarter, never claimed: expired.
        fair = _submit(
            anna, northwind_now, title="Regional trade fair stand", kind="event", cost="6000", share="50", amount="3000"
        )
        fair = _dated(fair, starts=today - timedelta(days=75), days=2, budget=northwind_before)
        services.request_approve(actor=manager, request=fair)
        made += 6

    if marco is not None:
        atlas_now, atlas_before = budget(marco, quarters.current), budget(marco, quarters.previous)
        # Claim in review.
        roadshow = _submit(
            marco,
            atlas_now,
            title="Reseller enablement roadshow",
            kind="training",
            cost="12000",
            share="50",
            amount="6000",
            leads=45,
            days=4,
        )
        roadshow = _dated(roadshow, starts=today - timedelta(days=12), days=4)
        services.request_approve(actor=manager, request=roadshow)
        services.claim_submit(
            actor=marco,
            request=roadshow,
            actual_cost=D("11000"),
            amount_claimed=D("5500"),
            leads=38,
            results="Five cities, 62 reseller sellers trained.",
            proofs=[invoice("Hotel Lyon Centre", roadshow.title, D("11000")), attendees(62)],
        )
        # Claim sent back for more proof.
        catalogue = _submit(
            marco,
            atlas_now,
            title="Reseller catalogue, print run",
            kind="content",
            cost="8000",
            share="50",
            amount="4000",
        )
        catalogue = _dated(catalogue, starts=today - timedelta(days=20))
        services.request_approve(actor=manager, request=catalogue)
        claim = services.claim_submit(
            actor=marco,
            request=catalogue,
            actual_cost=D("8000"),
            amount_claimed=D("4000"),
            results="2,000 catalogues sent to resellers.",
            proofs=[invoice("Atlas Print", catalogue.title, D("8000"))],
        )
        services.claim_ask_info(
            actor=manager,
            claim=claim,
            question="The invoice is from your own print shop: add the paper supplier's invoice.",
        )
        # Claim approved, payout due.
        emails = _submit(
            marco,
            atlas_now,
            title="Spring campaign to resellers",
            kind="digital",
            cost="16000",
            share="50",
            amount="8000",
            leads=150,
        )
        emails = _dated(emails, starts=today - timedelta(days=30), days=10)
        services.request_approve(actor=manager, request=emails)
        claim = services.claim_submit(
            actor=marco,
            request=emails,
            actual_cost=D("15200"),
            amount_claimed=D("7600"),
            leads=130,
            results="Four emails, 38% open rate, 130 leads.",
            proofs=[invoice("Mailstream", emails.title, D("15200"))],
        )
        services.claim_approve(actor=manager, claim=claim)
        # Rejected.
        golf = _submit(
            marco, atlas_now, title="Golf day for top resellers", kind="event", cost="9000", share="20", amount="7200"
        )
        services.request_reject(
            actor=manager,
            request=golf,
            reason="Hospitality events are outside the program; a training day would qualify.",
        )
        # Cancelled by the partner.
        ad = _submit(
            marco, atlas_now, title="Trade magazine ad", kind="content", cost="3000", share="50", amount="1500"
        )
        services.request_cancel(actor=marco, request=ad, reason="The magazine closed its autumn issue.")
        # Claim rejected (last quarter): closed.
        party = _submit(
            marco, atlas_now, title="Partner kick-off evening", kind="event", cost="10000", share="50", amount="5000"
        )
        party = _dated(party, starts=today - timedelta(days=50), budget=atlas_before)
        services.request_approve(actor=manager, request=party)
        claim = services.claim_submit(
            actor=marco,
            request=party,
            actual_cost=D("10000"),
            amount_claimed=D("5000"),
            results="An evening for 80 reseller staff.",
            proofs=[invoice("Le Grand Salon", party.title, D("10000"))],
        )
        services.claim_reject(
            actor=manager,
            claim=claim,
            reason="The invoice is for catering only; the program does not fund hospitality.",
        )
        made += 6

    if dev is not None:
        _submit(
            dev,
            budget(dev, quarters.current),
            title="Thought-leadership whitepaper",
            kind="content",
            cost="5000",
            share="50",
            amount="2500",
            leads=80,
            description="A 12-page whitepaper on automation ROI, gated on our website.",
        )
        made += 1

    # What the daily sweep would have done: the unclaimed approval expires, last quarter's unused funds expire.
    now = timezone.now()
    services.requests_expire_due(now=now)
    services.funds_expire_due(now=now)
    return made
