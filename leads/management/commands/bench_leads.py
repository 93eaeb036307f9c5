"""`python manage.py bench_leads`: lead ranking, the partner locator's search and health scoring at 10,000 partners.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python manage.py bench_leads
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python manage.py bench_leads --quick   # CI

Never touches the configured database: by default (`--scratch`) it creates its own throwaway database
`test_prm_bench_leads_<pid>` next to it and drops it at the end (as bench_dealreg and bench_insights do).
`--no-scratch` runs in the current database only if it is a test database (`test_*`, SQLite in memory) or its name
starts with `prm_bench`.

Fills the database with `--partners` partners (benchmarks/insights_data.py's generator: statuses, types, tiers,
regions, segments; here also countries of their region and industries), an admin each, certification awards on the
products leads ask for (a quarter of the partners), a year of lead history (accepted, declined and expired offers,
leads held, won and lost) and a listed public profile for 40% of the active partners. Then measures, each after
warm-up runs:

- `rank_p50_ms` / `rank_p95_ms`: `leads.ranking.rank_partners` for one lead (leads of varied countries, industries,
  sizes and products): every eligible partner scored, the best 20 with their reasons (what the lead page shows),
  with `rank_app_cpu_p95_ms` (this process's CPU, the database's time excluded), `rank_queries` and
  `rank_candidates_mean` (eligible partners scored per lead, counted outside the timing);
  target p95 < 50 ms;
- `locator_p50_ms` / `locator_p95_ms`: `partners.locator.search_listed(**filters)` with varied filters (country,
  vertical, type, tier); target p95 < 100 ms;
- `health_all_s`: `insights.health_store.compute_all()` over every partner; target < 60 s.

The last two call functions other apps provide; when one is missing the benchmark prints `note_<name>=…` and goes
on. Prints one `name=value` per line. `--quick` (CI): 2,000 partners, 20 samples.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))  # the repository root, for benchmarks/

from benchmarks import dealreg_data
from benchmarks import insights_data as data
from benchmarks.timing import percentiles

REGION_COUNTRIES = {
    "na": ["US", "CA"],
    "emea": ["DE", "FR", "GB", "NL", "ES", "IT", "SE", "PL", "AE", "ZA"],
    "apac": ["JP", "SG", "AU", "IN", "KR"],
    "latam": ["BR", "MX", "AR", "CL", "CO"],
}
INDUSTRIES = ["Healthcare", "Retail", "Manufacturing", "Financial services", "Logistics", "Software", "Education",
              "Public sector", "Energy", "Media"]  # fmt: skip
PRODUCTS = ["Platform", "Analytics", "Integrations", "AI Assistant"]
QUICK_PARTNERS = 2_000


class Command(BaseCommand):
    help = "Generate partners and lead history in a throwaway database; time lead ranking, locator and health."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partners", type=int, default=10_000)
        parser.add_argument("--samples", type=int, default=50)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--quick", action="store_true", help=f"{QUICK_PARTNERS:,} partners, 20 samples (CI)")
        parser.add_argument("--skip-health", action="store_true", help="leave out scoring every partner's health")
        parser.add_argument("--scratch", action="store_true", default=True, help="a throwaway database (default)")
        parser.add_argument("--no-scratch", dest="scratch", action="store_false", help="use the current database")

    def handle(self, *args, **options) -> None:
        if options["quick"]:
            options["partners"] = min(options["partners"], QUICK_PARTNERS)
            options["samples"] = min(options["samples"], 20)
        if options["partners"] < 10 or options["samples"] < 1:
            raise CommandError("--partners must be at least 10 and --samples positive.")
        from django.conf import settings
        from django.test.utils import override_settings

        quiet = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CELERY_TASK_ALWAYS_EAGER=True,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        )
        if options["scratch"]:
            from django.test.utils import setup_databases, setup_test_environment, teardown_databases

            connection.settings_dict.setdefault("TEST", {})["NAME"] = (
                f"test_prm_bench_leads_{os.getpid()}" if connection.vendor == "postgresql" else None
            )
            setup_test_environment()
            old = setup_databases(verbosity=0, interactive=False)
            try:
                with quiet:
                    self.run(options)
            finally:
                connection.close()
                teardown_databases(old, verbosity=0)
            return
        name = str(connection.settings_dict["NAME"])
        in_memory = connection.vendor == "sqlite" and "mode=memory" in name
        if not (name.startswith(("test_", "prm_bench")) or in_memory):
            raise CommandError(
                f"Refusing to fill {name!r}: --no-scratch needs a test database or one named prm_bench*."
            )
        with quiet:
            self.run(options)

    def emit(self, key: str, value) -> None:
        self.stdout.write(f"{key}={value}")
        self.stdout.flush()

    # --- loading ------------------------------------------------------------------------------------------------

    def run(self, options: dict) -> None:
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        self.emit("database", connection.vendor)
        self.emit("partners", options["partners"])
        start = time.perf_counter()
        with data.without_fk_triggers():
            self._load(options)
        dealreg_data.analyze()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.emit("load_s", f"{time.perf_counter() - start:.1f}")
        if hasattr(os, "getloadavg"):  # wall-clock figures on a busy machine read high: say how busy it was
            self.emit("machine_load_1min", f"{os.getloadavg()[0]:.1f}")
        self._rank(options["samples"])
        self._locator(options["samples"])
        if options["skip_health"]:
            self.emit("note_health", "skipped (--skip-health)")
        else:
            self._health()

    def _load(self, options: dict) -> None:
        from django.contrib.auth.models import Group

        from dealreg.models import Product
        from enablement.models import Certification, CertificationAward, Course
        from leads.models import Lead, LeadOffer
        from partners.models import Partner, PartnerMembership, Tier
        from prm.models import CHANNEL_MANAGERS_GROUP, User

        now, rng = self.now, self.rng
        self.manager = User.objects.create_user(email=f"bench-leads-{os.getpid()}@bench.example.com", is_staff=True)
        self.manager.groups.add(Group.objects.get_or_create(name=CHANNEL_MANAGERS_GROUP)[0])
        tiers = [
            Tier.objects.get_or_create(name=f"Bench {name}", defaults={"rank": 20 + rank})[0]
            for rank, name in enumerate(("Registered", "Silver", "Gold"))
        ]
        self.products = [Product.objects.get_or_create(name=name)[0] for name in PRODUCTS]
        certifications = []
        for name in PRODUCTS:
            course = Course.objects.create(title=f"Bench {name}", slug=f"bench-{name.lower().replace(' ', '-')}",
                                           product=name, is_published=True)  # fmt: skip
            certification = Certification.objects.create(name=f"Bench {name} certified",
                                                          slug=f"bench-cert-{course.slug}")  # fmt: skip
            certification.courses.add(course)
            certifications.append(certification.pk)

        first_partner = (Partner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

        def partner_rows():
            for i, row in enumerate(
                data.partner_rows(
                    options["partners"],
                    now=now,
                    owner_id=self.manager.pk,
                    tier_ids=[t.pk for t in tiers],
                    seed=options["seed"],
                )
            ):
                local = random.Random(options["seed"] * 7919 + i)
                region = row["regions"][0]
                pool = REGION_COUNTRIES[region]
                row["countries"] = ",".join(sorted(local.sample(pool, local.randint(1, min(3, len(pool))))))
                row["verticals"] = local.sample(INDUSTRIES, local.randint(0, 3))
                yield row

        dealreg_data.load(Partner, data.as_db(partner_rows(), ("functions", "regions", "verticals", "segments")))
        partners = list(
            Partner.objects.filter(pk__gte=first_partner, name__startswith="Bench Partner ")
            .order_by("pk")
            .values_list("pk", "status")
        )
        self.partner_ids = [pk for pk, _ in partners]
        self.active = [pk for pk, status in partners if status == Partner.Status.ACTIVE]

        first_user = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        dealreg_data.load(User, data.user_rows(len(self.partner_ids), start=first_user, now=now))
        users = list(
            User.objects.filter(pk__gte=first_user, email__startswith="bench-user-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        memberships = [
            {"user_id": u, "partner_id": p, "role": PartnerMembership.Role.ADMIN, "is_active": True, "created_at": now}
            for u, p in zip(users, self.partner_ids, strict=False)
        ]
        dealreg_data.load(PartnerMembership, iter(memberships))
        people = [(m["user_id"], m["partner_id"]) for m in memberships if rng.random() < 0.25]
        dealreg_data.load(
            CertificationAward,
            data.award_rows(
                len(people) * 2, people=people, certification_ids=certifications, now=now, seed=options["seed"], start=0
            ),
        )

        # A year of lead history: one lead per partner, offered to one to three of them.
        history = max(len(self.active), 1)
        first_lead = (Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        plans = []
        for _ in range(history):
            offered = now - timedelta(days=rng.uniform(1, 360))
            holders = rng.sample(self.active, min(len(self.active), rng.randint(1, 3)))
            outcome = rng.choices(["won", "lost", "converted", "accepted", "unassigned"], [20, 20, 25, 10, 25])[0]
            plans.append((offered, holders, outcome))

        def lead_rows():
            for j, (offered, holders, outcome) in enumerate(plans):
                holder = holders[0] if outcome != "unassigned" else None
                region = rng.choice(list(REGION_COUNTRIES))
                yield {
                    "name": f"Bench Lead {j}", "website": "", "country": rng.choice(REGION_COUNTRIES[region]),
                    "name_key": f"bench lead {j}", "domain": "", "contact_name": "Bench", "contact_email":
                    f"lead{j}@bench.example.com", "contact_phone": "", "industry": rng.choice(INDUSTRIES),
                    "size": rng.choice(["smb", "midmarket", "enterprise"]), "interest": "", "source": "event",
                    "notes": "", "status": outcome, "match_kind": "", "match_reason": "", "match_checked_at": offered,
                    "match_confirm_reason": "", "partner_id": holder, "accepted_at": offered if holder else None,
                    "closed_at": offered + timedelta(days=30) if outcome in ("won", "lost") else None,
                    "close_reason": "", "created_at": offered, "updated_at": offered,
                }  # fmt: skip

        dealreg_data.load(Lead, lead_rows())

        def offer_rows():
            for j, (offered, holders, outcome) in enumerate(plans):
                for position, partner_id in enumerate(holders):
                    if outcome != "unassigned" and position == 0:
                        status = "accepted"
                    else:
                        status = rng.choice(["declined", "expired", "withdrawn"])
                    yield {
                        "lead_id": first_lead + j, "partner_id": partner_id, "status": status, "mode": "top_n",
                        "offered_at": offered, "deadline": offered + timedelta(hours=16),
                        "responded_at": offered + timedelta(hours=rng.uniform(0.2, 40)), "decline_reason": "",
                        "withdrawn_reason": "", "rank": position + 1, "score": rng.randint(20, 90), "reasons": [],
                    }  # fmt: skip

        dealreg_data.load(LeadOffer, data.as_db(offer_rows(), ("reasons",)))
        # A few offers still open (capacity).
        open_rows = [
            {"lead_id": first_lead + j, "partner_id": rng.choice(self.active), "status": "offered", "mode": "auto",
             "offered_at": now - timedelta(hours=2), "deadline": now + timedelta(hours=14), "responded_at": None,
             "decline_reason": "", "withdrawn_reason": "", "rank": 1, "score": 50, "reasons": []}
            for j in range(0, history, 10)
        ]  # fmt: skip
        dealreg_data.load(LeadOffer, data.as_db(iter(open_rows), ("reasons",)))
        self._profiles()

    def _profiles(self) -> None:
        """Listed public profiles for 40% of the active partners (for the locator's search)."""
        from partners.models import PublicProfile

        fields = {f.name for f in PublicProfile._meta.concrete_fields}
        rows = []
        for n, partner_id in enumerate(self.active):
            if self.rng.random() >= 0.4:
                continue
            values = {"partner_id": partner_id, "listed": True, "headline": f"Bench partner {n}",
                      "description": "Implementation and managed services."}  # fmt: skip
            if "slug" in fields:
                values["slug"] = f"bench-partner-{partner_id}"
            rows.append(PublicProfile(**values))
        PublicProfile.objects.bulk_create(rows, batch_size=1000)
        self.emit("listed_profiles", len(rows))

    # --- measuring ----------------------------------------------------------------------------------------------

    def _sample_leads(self, count: int) -> list:
        from leads.models import Lead

        leads = []
        for n in range(count):
            region = self.rng.choice(list(REGION_COUNTRIES))
            lead = Lead.objects.create(
                name=f"Bench Probe {n}",
                country=self.rng.choice(REGION_COUNTRIES[region]),
                industry=self.rng.choice(INDUSTRIES),
                size=self.rng.choice(["smb", "midmarket", "enterprise"]),
                contact_name="Probe",
                contact_email=f"probe{n}@bench.example.com",
            )
            lead.products.set(self.rng.sample(self.products, self.rng.randint(0, 2)))
            leads.append(lead)
        return leads

    def _rank(self, samples: int) -> None:
        from leads.ranking import eligible_partners, lead_profile, rank_partners
        from leads.services.settings import distribution_settings

        settings = distribution_settings()
        leads = self._sample_leads(samples + 3)
        for lead in leads[:3]:  # warm-up
            rank_partners(lead, settings=settings)
        times, cpu, sizes = [], [], []
        for lead in leads[3:]:
            start, start_cpu = time.perf_counter(), time.process_time()
            rank_partners(lead, limit=20, settings=settings)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            sizes.append(eligible_partners(lead_profile(lead)).count())
        with CaptureQueriesContext(connection) as queries:
            rank_partners(leads[-1], settings=settings)
        p50, p95 = percentiles(times)
        self.emit("rank_p50_ms", f"{p50:.1f}")
        self.emit("rank_p95_ms", f"{p95:.1f}")
        self.emit("rank_app_cpu_p95_ms", f"{percentiles(cpu)[1]:.1f}")  # this process only (the database excluded)
        self.emit("rank_queries", len(queries))
        self.emit("rank_candidates_mean", round(sum(sizes) / len(sizes)))

    def _locator(self, samples: int) -> None:
        try:
            from partners.locator import search_listed
        except ImportError:
            self.emit("note_locator", "skipped: partners.locator.search_listed is not there")
            return
        from partners.models import Partner

        types = list(Partner.Type.values)
        tiers = ["Bench Silver", "Bench Gold"]

        def filters() -> dict:
            choice = self.rng.random()
            region = self.rng.choice(list(REGION_COUNTRIES))
            out = {}
            if choice < 0.7:
                out["country"] = self.rng.choice(REGION_COUNTRIES[region])
            if self.rng.random() < 0.5:
                out["vertical"] = self.rng.choice(INDUSTRIES)
            if self.rng.random() < 0.3:
                out["type"] = self.rng.choice(types)
            if self.rng.random() < 0.2:
                out["tier"] = self.rng.choice(tiers)
            return out

        for _ in range(3):
            search_listed(**filters())
        times = []
        for _ in range(samples):
            wanted = filters()
            start = time.perf_counter()
            result = search_listed(**wanted)
            list(getattr(result, "cards", None) or [])
            times.append((time.perf_counter() - start) * 1000)
        p50, p95 = percentiles(times)
        self.emit("locator_p50_ms", f"{p50:.1f}")
        self.emit("locator_p95_ms", f"{p95:.1f}")

    def _health(self) -> None:
        try:
            from insights.health_store import compute_all
        except ImportError:
            self.emit("note_health", "skipped: insights.health_store.compute_all is not there")
            return
        start = time.perf_counter()
        stored = compute_all(notify=False) if "notify" in compute_all.__code__.co_varnames else compute_all()
        self.emit("health_all_s", f"{time.perf_counter() - start:.1f}")
        self.emit("health_scored", stored if isinstance(stored, int) else "")
