"""Enablement demo data: a content library with every kind of asset, a sales and a technical learning path (with
renewal courses and assessments), and people at every certification status among the demo partners that
`seed_demo` creates. Called from `seed_demo`:

    from enablement.demo import seed_enablement
    seed_enablement(stdout=self.stdout)

Safe to run again: what exists is left alone. Everything goes through the services, backdated where a status
needs history (an award from last year, a renewal), so the audit trail and inboxes look real.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from enablement import services
from enablement.models import Asset, Certification, Course, Enrollment, Visibility
from enablement.services.common import add_months
from partners.models import Partner, Tier
from prm.demo import demo_clock
from prm.demo_files import simple_pdf
from prm.models import User

MANAGER_EMAIL = "manager@example.com"


# --- The content library -------------------------------------------------------------------------------------------


POSITIONING_PDF = (
    "Positioning guide: mid-market",
    [
        "Who it is for: operations leaders in companies of 100 to 1,000 people.",
        "The problem: work runs on spreadsheets and email; nobody sees where it is stuck.",
        "What we do: one platform to automate approvals, hand-offs and reporting.",
        "Why now: hiring is frozen, volumes are not. Automation is how teams keep up.",
        "Proof: customers cut approval time by 60% in the first quarter.",
        "Against legacy suites: live in weeks, not quarters; priced per workflow, not per seat.",
        "Against do-it-yourself scripts: governed, audited, supported.",
        "Say it in one line: 'Your processes, automated and visible, in weeks.'",
    ],
)

IMPLEMENTATION_CHECKLIST = """Implementation checklist (partner delivery teams)

Before kick-off
- Signed order form and named customer project owner
- Single sign-on details (SAML metadata or OIDC client) from the customer's IT
- List of the first three workflows, with their current owners

Week 1: foundation
- Create the production and sandbox workspaces
- Connect single sign-on; test with one admin and one standard user
- Import users and teams; map roles (admin, builder, approver, viewer)

Week 2: first workflow live
- Build the first workflow in the sandbox with the process owner
- Run it with real (anonymised) data; sign-off by the owner
- Promote to production; switch the old process off the same day

Week 3: integrations and reporting
- Connect the CRM and the ERP connectors (read-only first)
- Publish the operations dashboard to the customer's leadership

Hand-over
- Admin training (2 hours) and builder training (half a day)
- Support contacts and escalation path shared
- Register the customer's success plan in the partner portal
"""

ASSETS: list[dict[str, Any]] = [
    {
        "title": "Partner sales playbook",
        "kind": Asset.Kind.PLAYBOOK,
        "description": "How our best partners find, qualify and close platform deals: ideal customers, the "
        "discovery call, pricing conversations and a mutual close plan.",
        "url": "https://partners.example.com/playbooks/sales",
        "roles": ["sales"],
        "product": "Platform",
    },
    {
        "title": "Positioning guide: mid-market",
        "kind": Asset.Kind.POSITIONING,
        "description": "Who we are for, the problem we solve, and how we compare with legacy suites and "
        "do-it-yourself scripts. One page, printable.",
        "file": ("positioning-guide-mid-market.pdf", "pdf"),
        "roles": ["sales", "marketing"],
        "product": "Platform",
    },
    {
        "title": "Battlecard: legacy workflow suites",
        "kind": Asset.Kind.BATTLECARD,
        "description": "The five objections you will hear from customers on a legacy suite, and the answers "
        "(with proof points) that win.",
        "url": "https://partners.example.com/battlecards/legacy-suites",
        "roles": ["sales"],
        "product": "Platform",
    },
    {
        "title": "Demo environment (sandbox)",
        "kind": Asset.Kind.DEMO,
        "description": "A shared sandbox with sample data: procurement approvals, employee onboarding and an "
        "operations dashboard. Reset every night.",
        "url": "https://demo.example.com/partner-sandbox",
        "roles": ["sales", "technical"],
        "product": "Platform",
    },
    {
        "title": "Product tour (12 minutes)",
        "kind": Asset.Kind.VIDEO,
        "description": "The platform end to end: building a workflow, approvals on mobile, dashboards.",
        "url": "https://videos.example.com/watch/product-tour-2026",
        "roles": [],
        "product": "Platform",
    },
    {
        "title": "Implementation checklist",
        "kind": Asset.Kind.DOCUMENT,
        "description": "What delivery teams do from kick-off to hand-over, week by week.",
        "file": ("implementation-checklist.txt", "txt"),
        "roles": ["technical"],
        "product": "Platform",
    },
    {
        "title": "Reference architecture: analytics add-on",
        "kind": Asset.Kind.DOCUMENT,
        "description": "Data flows, regions and the security model of the analytics add-on, for customer "
        "security reviews.",
        "url": "https://docs.example.com/analytics/reference-architecture",
        "roles": ["technical"],
        "product": "Analytics",
    },
    {
        "title": "Co-marketing kit: logos and campaign templates",
        "kind": Asset.Kind.OTHER,
        "description": "Approved logos, a joint-webinar template and three email templates for campaigns.",
        "url": "https://partners.example.com/marketing/co-marketing-kit",
        "roles": ["marketing"],
        "product": "",
    },
    {
        "title": "Roadmap briefing for Gold partners",
        "kind": Asset.Kind.VIDEO,
        "description": "The next two quarters of the roadmap, recorded for Gold partners (confidential).",
        "url": "https://videos.example.com/watch/gold-roadmap-briefing",
        "roles": [],
        "product": "Platform",
        "visibility": Visibility.TIERS,
        "tier_names": ["Gold"],
    },
    {
        "title": "Distributor ordering guide",
        "kind": Asset.Kind.PLAYBOOK,
        "description": "Price lists, ordering and provisioning for distributors and their resellers.",
        "url": "https://partners.example.com/distribution/ordering",
        "roles": ["sales"],
        "product": "Platform",
        "visibility": Visibility.TYPES,
        "partner_types": [Partner.Type.DISTRIBUTOR, Partner.Type.RESELLER],
    },
]


def _seed_assets(manager: User) -> int:
    made = 0
    for spec in ASSETS:
        if Asset.objects.filter(title=spec["title"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k not in ("file", "tier_names")}
        if "file" in spec:
            name, kind = spec["file"]
            content = simple_pdf(*POSITIONING_PDF) if kind == "pdf" else IMPLEMENTATION_CHECKLIST.encode()
            fields["file"] = SimpleUploadedFile(name, content)
        if "tier_names" in spec:
            fields["tiers"] = list(Tier.objects.filter(name__in=spec["tier_names"]))
            if not fields["tiers"]:
                fields["visibility"] = Visibility.ALL
        services.asset_create(actor=manager, **fields)
        made += 1
    return made


# --- Courses ------------------------------------------------------------------------------------------------------


@dataclass
class Q:
    text: str
    choices: list[tuple[str, bool]]
    multiple: bool = False


COURSES: list[dict[str, Any]] = [
    {
        "slug": "sales-foundations",
        "title": "Selling the platform: foundations",
        "role": "sales",
        "product": "Platform",
        "summary": "Who buys the platform, why they buy now, and how to open the conversation.",
        "estimated_minutes": 45,
        "lessons": [
            (
                "Who buys, and why now",
                15,
                "## The buyer\n\nOur best customers are **operations leaders** in companies of 100 to 1,000 "
                "people: a head of operations, a finance director, an HR lead. They own processes that cross "
                "teams — purchase approvals, employee onboarding, month-end close — and today those processes "
                "run on spreadsheets and email.\n\n## The trigger\n\nLook for one of these:\n\n"
                "- a hiring freeze while volumes keep growing;\n- an audit finding about approvals;\n"
                "- a new leader who wants to *see* where work is stuck.\n\n"
                "> A trigger turns a nice-to-have into a project with a date.",
            ),
            (
                "The value story in three sentences",
                15,
                "Keep it short. Practise saying it out loud:\n\n1. **Problem** — work that crosses teams "
                "is invisible and slow.\n2. **Solution** — one platform automates the hand-offs and shows "
                "where each request is.\n3. **Proof** — customers cut approval time by 60% in their first "
                "quarter.\n\nThen stop talking and ask: *“Where does that happen in your company?”*",
            ),
            (
                "Qualifying an opportunity",
                15,
                "Use **three questions** before you invest in a demo:\n\n| Question | A good answer |\n"
                "|---|---|\n| Which process hurts most? | A named process with an owner |\n"
                "| What happens if nothing changes? | A cost, a risk or a deadline |\n"
                "| Who signs? | A budget holder you can meet |\n\n"
                "When two of the three are missing, nurture rather than pursue. Register the deal in the "
                "portal as soon as it is qualified: registration protects it.",
            ),
        ],
        "assessment": (
            80,
            3,
            [
                Q(
                    "Who is the typical buyer of the platform?",
                    [
                        ("An operations leader who owns a cross-team process", True),
                        ("A developer looking for a scripting tool", False),
                        ("A receptionist", False),
                    ],
                ),
                Q(
                    "Which of these are buying triggers? (Choose all that apply.)",
                    [
                        ("A hiring freeze while volumes grow", True),
                        ("An audit finding about approvals", True),
                        ("The office moved to a new floor", False),
                        ("A new leader who wants to see where work is stuck", True),
                    ],
                    multiple=True,
                ),
                Q(
                    "What do you do when two of the three qualifying questions have no good answer?",
                    [
                        ("Nurture the contact rather than pursue the deal now", True),
                        ("Book a full demo straight away", False),
                        ("Offer a discount", False),
                    ],
                ),
                Q(
                    "When should you register a deal in the portal?",
                    [
                        ("As soon as it is qualified", True),
                        ("After the customer signs", False),
                        ("Only for deals above 100,000", False),
                    ],
                ),
            ],
        ),
    },
    {
        "slug": "sales-discovery",
        "title": "Discovery and objection handling",
        "role": "sales",
        "product": "Platform",
        "summary": "Run a discovery call that uncovers value, and answer the objections you will hear.",
        "estimated_minutes": 50,
        "lessons": [
            (
                "Running a discovery call",
                20,
                "A good discovery call is **80% listening**. Structure it:\n\n1. *Context* — their role, "
                "their team, their year.\n2. *Current process* — walk through one request from start to "
                "finish.\n3. *Impact* — time lost, errors, audit risk.\n4. *Vision* — what good looks like.\n"
                "5. *Next step* — agree it before you hang up.\n\nWrite the customer's words down: you will "
                "reuse them in the proposal.",
            ),
            (
                "The five objections",
                20,
                "### “We already have a suite that does this.”\nAsk how long the last change took. Suites "
                "are powerful but slow to change; we go live in weeks.\n\n### “It's too expensive.”\nPrice "
                "one process: hours saved × loaded cost. Most customers pay back in one quarter.\n\n"
                "### “IT will never approve it.”\nBring the security pack and offer a call with a solutions "
                "engineer. Single sign-on and audit trails are standard.\n\n### “Not now.”\nAsk what "
                "happens to the problem in six months. Agree a date to revisit.\n\n### “We'll build it "
                "ourselves.”\nScripts work until the person who wrote them leaves.",
            ),
            (
                "From call to proposal",
                10,
                "Send a **one-page summary** within 24 hours: their problem in their words, the impact, "
                "the first workflow to automate, and a mutual plan with dates. Attach the "
                "[positioning guide](https://partners.example.com/playbooks/sales) if it helps their "
                "internal champion.",
            ),
        ],
        "assessment": (
            80,
            3,
            [
                Q(
                    "How much of a good discovery call is listening?",
                    [("About 80%", True), ("About 20%", False), ("None: it is a demo", False)],
                ),
                Q(
                    "A customer says “IT will never approve it.” What helps? (Choose all that apply.)",
                    [
                        ("Share the security pack", True),
                        ("Offer a call with a solutions engineer", True),
                        ("Promise to skip single sign-on", False),
                    ],
                    multiple=True,
                ),
                Q(
                    "When should the summary of the call reach the customer?",
                    [("Within 24 hours", True), ("Within a month", False), ("Only if they ask", False)],
                ),
            ],
        ),
    },
    {
        "slug": "sales-refresher",
        "title": "Sales certification refresher",
        "role": "sales",
        "product": "Platform",
        "summary": "What changed this year, in twenty minutes. Renews the Certified Sales Professional.",
        "estimated_minutes": 20,
        "is_renewal": True,
        "lessons": [
            (
                "What's new this year",
                20,
                "- **Per-workflow pricing** replaced per-seat pricing for new customers.\n"
                "- The **analytics add-on** is sold separately; position it after the first workflow is "
                "live.\n- Deal registration protects a deal for 90 days at Silver and 120 at Gold.",
            ),
        ],
        "assessment": (
            80,
            3,
            [
                Q(
                    "How are new customers priced?",
                    [("Per workflow", True), ("Per seat", False), ("Per gigabyte", False)],
                ),
                Q(
                    "When do you position the analytics add-on?",
                    [("After the first workflow is live", True), ("Before the first call", False)],
                ),
                Q(
                    "How long does deal registration protect a deal? (Choose all that apply.)",
                    [("90 days at Silver", True), ("120 days at Gold", True), ("Forever at every tier", False)],
                    multiple=True,
                ),
            ],
        ),
    },
    {
        "slug": "tech-architecture",
        "title": "Platform architecture essentials",
        "role": "technical",
        "product": "Platform",
        "summary": "How the platform is built, where data lives, and how it is secured.",
        "estimated_minutes": 60,
        "lessons": [
            (
                "Building blocks",
                20,
                "The platform has four building blocks:\n\n1. **Workspaces** — one per environment "
                "(sandbox, production).\n2. **Workflows** — versioned definitions of a process.\n"
                "3. **Connectors** — read and write to the CRM, the ERP and HR systems.\n4. **Dashboards** "
                "— live reporting on every request.\n\nWorkflows are promoted from sandbox to production; "
                "never edit production directly.",
            ),
            (
                "Data residency and security",
                20,
                "Customer data stays in the **region chosen at signup** (EU, US or APAC). Data is "
                "encrypted at rest (AES-256) and in transit (TLS 1.2+).\n\nAccess is through **single "
                "sign-on** (SAML 2.0 or OIDC); every change is written to an audit trail the customer can "
                "export.",
            ),
            (
                "Scaling and limits",
                20,
                "A workspace handles **10,000 requests an hour** on the standard plan. Long-running steps "
                "(waiting for an approval) cost nothing while they wait.\n\nWatch out for connectors that "
                "poll: prefer webhooks where the other system offers them.",
            ),
        ],
        "assessment": (
            75,
            3,
            [
                Q(
                    "Where should a workflow be changed first?",
                    [("In the sandbox workspace", True), ("Directly in production", False)],
                ),
                Q(
                    "Which single sign-on standards are supported? (Choose all that apply.)",
                    [("SAML 2.0", True), ("OIDC", True), ("FTP", False), ("Kerberos over email", False)],
                    multiple=True,
                ),
                Q(
                    "Where does customer data live?",
                    [
                        ("In the region chosen at signup", True),
                        ("Wherever it is cheapest that day", False),
                        ("On the partner's servers", False),
                    ],
                ),
                Q(
                    "Which connectors should you prefer?",
                    [("Webhook-based", True), ("Polling every second", False)],
                ),
            ],
        ),
    },
    {
        "slug": "tech-deployment",
        "title": "Deploying and integrating the platform",
        "role": "technical",
        "product": "Platform",
        "summary": "From kick-off to the first workflow in production, with single sign-on and connectors.",
        "estimated_minutes": 75,
        "lessons": [
            (
                "Kick-off and single sign-on",
                25,
                "Before kick-off, get the customer's **SSO metadata** and a named project owner. In week "
                "one, create the workspaces, connect SSO and test with one admin and one standard user. "
                "Map roles: admin, builder, approver, viewer.",
            ),
            (
                "Your first workflow in production",
                25,
                "Build the first workflow **with the process owner** in the sandbox, run it on anonymised "
                "data, get sign-off, then promote. Switch the old process off **the same day**: running "
                "both in parallel kills adoption.",
            ),
            (
                "Connectors and hand-over",
                25,
                "Connect the CRM and ERP **read-only first**; enable writes once the data looks right. "
                "Hand over with admin training (2 hours) and builder training (half a day). The full "
                "checklist is in the content library.",
            ),
        ],
        "assessment": (
            75,
            3,
            [
                Q(
                    "What should happen to the old process when the first workflow goes live?",
                    [("Switch it off the same day", True), ("Run both in parallel for a year", False)],
                ),
                Q(
                    "What do you need before kick-off? (Choose all that apply.)",
                    [
                        ("The customer's SSO metadata", True),
                        ("A named project owner", True),
                        ("The customer's passwords", False),
                    ],
                    multiple=True,
                ),
                Q(
                    "How are CRM and ERP connectors enabled first?",
                    [("Read-only", True), ("Read and write", False)],
                ),
            ],
        ),
    },
    {
        "slug": "tech-refresher",
        "title": "Technical certification refresher",
        "role": "technical",
        "product": "Platform",
        "summary": "This year's platform changes for delivery teams. Renews the Certified Solutions Engineer.",
        "estimated_minutes": 25,
        "is_renewal": True,
        "lessons": [
            (
                "Platform changes this year",
                25,
                "- **APAC region** available for new workspaces.\n- Connectors support **webhooks** for "
                "the CRM; polling is deprecated.\n- Audit trail exports are available as CSV and JSON.",
            ),
        ],
        "assessment": (
            75,
            3,
            [
                Q(
                    "Which region became available this year?",
                    [("APAC", True), ("Antarctica", False)],
                ),
                Q(
                    "In which formats can the audit trail be exported? (Choose all that apply.)",
                    [("CSV", True), ("JSON", True), ("Fax", False)],
                    multiple=True,
                ),
            ],
        ),
    },
    {
        "slug": "partner-program-welcome",
        "title": "Welcome to the partner program",
        "role": "",
        "product": "",
        "summary": "How the program works: tiers, deal registration, funds and certifications. For everyone.",
        "estimated_minutes": 15,
        "lessons": [
            (
                "How the program works",
                10,
                "Partners grow from **Registered** to **Silver** and **Gold** by certifying people, "
                "registering deals and winning revenue. Each tier adds margin, longer deal protection and "
                "access to marketing funds.",
            ),
            (
                "Where to find help",
                5,
                "Your channel manager is your first contact. The content library has playbooks, "
                "battlecards and the demo environment; the learning paths certify your sales and technical "
                "people.",
            ),
        ],
        "assessment": None,
    },
]

CERTIFICATIONS = [
    {
        "slug": "certified-sales-professional",
        "name": "Certified Sales Professional",
        "role": "sales",
        "description": "Finds, qualifies and closes platform opportunities; handles the common objections.",
        "validity_months": 12,
        "courses": ["sales-foundations", "sales-discovery"],
        "renewal_course": "sales-refresher",
    },
    {
        "slug": "certified-solutions-engineer",
        "name": "Certified Solutions Engineer",
        "role": "technical",
        "description": "Designs, deploys and integrates the platform for customers, securely.",
        "validity_months": 24,
        "courses": ["tech-architecture", "tech-deployment"],
        "renewal_course": "tech-refresher",
    },
]


def _seed_courses(manager: User) -> int:
    made = 0
    for spec in COURSES:
        if Course.objects.filter(slug=spec["slug"]).exists():
            continue
        course = services.course_create(
            actor=manager,
            slug=spec["slug"],
            title=spec["title"],
            role=spec["role"],
            product=spec["product"],
            summary=spec["summary"],
            estimated_minutes=spec["estimated_minutes"],
            is_renewal=spec.get("is_renewal", False),
        )
        for title, minutes, body in spec["lessons"]:
            services.lesson_save(actor=manager, course=course, title=title, body=body, minutes=minutes)
        if spec["assessment"]:
            pass_mark, attempts, questions = spec["assessment"]
            assessment = services.assessment_save(
                actor=manager, course=course, pass_mark=pass_mark, max_attempts=attempts
            )
            for question in questions:
                services.question_save(
                    actor=manager,
                    assessment=assessment,
                    text=question.text,
                    multiple=question.multiple,
                    choices=question.choices,
                )
        services.course_update(actor=manager, course=course, is_published=True)
        made += 1
    for spec in CERTIFICATIONS:
        if Certification.objects.filter(slug=spec["slug"]).exists():
            continue
        services.certification_create(
            actor=manager,
            slug=spec["slug"],
            name=spec["name"],
            role=spec["role"],
            description=spec["description"],
            validity_months=spec["validity_months"],
            courses=list(Course.objects.filter(slug__in=spec["courses"])),
            renewal_course=Course.objects.get(slug=spec["renewal_course"]),
        )
    return made


# --- People at every status ----------------------------------------------------------------------------------------


def _answers(course: Course, *, right: bool = True) -> dict[int, list[int]]:
    """The right answers (or, with right=False, a wrong one on every question)."""
    answers = {}
    for question in course.assessment.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        correct = [c.pk for c in choices if c.is_correct]
        wrong = [c.pk for c in choices if not c.is_correct][:1]
        answers[question.pk] = correct if right else wrong
    return answers


def _take(user: User, slug: str, when: datetime, *, lessons: int | None = None, fail_first: bool = False) -> None:
    """`user` works through a course at `when` (a few minutes per lesson): all of it, or the first `lessons`."""
    course = Course.objects.get(slug=slug)
    partner = user.membership.partner
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    # The services take `now`; demo_clock dates their audit events and notices the same (prm.demo).
    with demo_clock(when):
        if enrollment is None:
            enrollment = services.enrollment_start(user=user, partner=partner, course=course, now=when)
        elif enrollment.is_completed:
            enrollment = services.enrollment_retake(user=user, enrollment=enrollment, now=when)
    step = when
    all_lessons = list(course.lessons.all())
    for lesson in all_lessons[:lessons] if lessons is not None else all_lessons:
        # Through the same clock as a learner without JavaScript: opened, read, marked done minutes later.
        services.lesson_open(enrollment=enrollment, lesson=lesson, now=step + timedelta(minutes=1))
        step += timedelta(minutes=lesson.minutes + 3)
        services.lesson_complete(enrollment=enrollment, lesson=lesson, now=step)
    if lessons is not None or services.assessment_required(course) is None:
        return
    # Not under demo_clock: a completion checks its `now` against the real clock to tell news from backdated data
    # (a backdated one must not wake a dormant partner), so its events keep today's date.
    if fail_first:
        step += timedelta(minutes=8)
        services.assessment_submit(enrollment=enrollment, answers=_answers(course, right=False), now=step)
    services.assessment_submit(enrollment=enrollment, answers=_answers(course), now=step + timedelta(minutes=10))


def _ago(now: datetime, *, months: int = 0, days: int = 0) -> datetime:
    day = add_months(timezone.localdate(now), -months) - timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9)


def _seed_people(manager: User, now: datetime) -> int:
    """Each scenario runs once: a person who already has an enrollment is left alone."""
    scenarios = [
        # Active: Sam (Northwind sales) certified four months ago.
        ("sam@northwind.example.com", lambda u: _sales_path(u, _ago(now, months=4))),
        # Expiring soon: Lee (Northwind technical), 24-month certification with 25 days left.
        ("lee@northwind.example.com", lambda u: _tech_path(u, _ago(now, months=24, days=-25))),
        # In progress: Anna (Northwind admin) did the first sales course; the second stalled three weeks ago.
        ("anna@northwind.example.com", lambda u: _in_progress(u, _ago(now, days=40), _ago(now, days=21))),
        # Renewed: Inès (Atlas sales) certified last year, renewed ten days ago before it expired.
        ("ines@atlas-dist.example.com", lambda u: _renewed(u, _ago(now, months=12, days=-20), _ago(now, days=10))),
        # Expired: Marco (Atlas admin) certified fourteen months ago and did not renew.
        ("marco@atlas-dist.example.com", lambda u: _sales_path(u, _ago(now, months=14))),
        # Active, after a failed first attempt: Grace (Brightpath admin).
        ("grace@brightpath.example.com", lambda u: _sales_path(u, _ago(now, months=1), fail_first=True)),
        # In progress: Dev (Brightpath marketing) started the welcome course.
        ("dev@brightpath.example.com", lambda u: _take(u, "partner-program-welcome", _ago(now, days=3), lessons=1)),
        # In progress during onboarding: Julia (Bluepeak sales) on the first sales lesson.
        ("julia@bluepeak.example.com", lambda u: _take(u, "sales-foundations", _ago(now, days=2), lessons=1)),
        # Revoked: Omar (Quartz technical) was certified, then the award was revoked.
        ("omar@quartz.example.com", lambda u: _revoked(u, manager, _ago(now, months=6))),
    ]
    done = 0
    for email, scenario in scenarios:
        user = User.objects.filter(email=email, membership__is_active=True).select_related("membership").first()
        if user is None or Enrollment.objects.filter(user=user).exists():
            continue
        with transaction.atomic():
            scenario(user)
        done += 1
    return done


def _sales_path(user: User, start: datetime, *, fail_first: bool = False) -> None:
    _take(user, "sales-foundations", start, fail_first=fail_first)
    _take(user, "sales-discovery", start + timedelta(days=2))


def _tech_path(user: User, start: datetime) -> None:
    _take(user, "tech-architecture", start)
    _take(user, "tech-deployment", start + timedelta(days=3))


def _in_progress(user: User, start: datetime, stalled: datetime) -> None:
    _take(user, "sales-foundations", start)
    _take(user, "sales-discovery", stalled, lessons=1)


def _renewed(user: User, certified: datetime, renewed: datetime) -> None:
    _sales_path(user, certified - timedelta(days=2))
    _take(user, "sales-refresher", renewed)


def _revoked(user: User, manager: User, start: datetime) -> None:
    from enablement.models import CertificationAward

    _tech_path(user, start)
    award = CertificationAward.objects.filter(user=user, revoked_at__isnull=True).first()
    if award is not None:
        with demo_clock(start + timedelta(days=30)):
            services.award_revoke(
                actor=manager,
                award=award,
                reason="The assessment answers were shared outside the company. Complete the path again to earn "
                "the certification back.",
            )


def seed_enablement(*, stdout: Any = None) -> None:
    """Create the enablement demo (idempotent). Needs the channel manager and partners of `seed_demo`."""
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None:
        if stdout is not None:
            stdout.write("Enablement demo skipped: run seed_demo first (it creates the channel manager).")
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        # The catalogue was written before the first learner came, two years ago.
        with transaction.atomic(), demo_clock(_ago(timezone.now(), months=25)):
            assets = _seed_assets(manager)
            courses = _seed_courses(manager)
        people = _seed_people(manager, timezone.now())
    if stdout is not None:
        stdout.write(
            f"Enablement demo ready ({assets} assets, {courses} courses and {people} learners added; "
            f"{Course.objects.count()} courses, {Certification.objects.count()} certifications in all)."
        )
