"""`python manage.py bench_insights`: the manager dashboard, a partner scorecard and the portal home at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python manage.py bench_insights
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python manage.py bench_insights --small   # CI

Never touches the configured database: by default (`--scratch`) it creates its own throwaway database
`test_prm_bench_insights_<pid>` next to it and drops it at the end (as bench_dealreg does). `--no-scratch` runs in
the current database only if it is a test database (`test_*`, SQLite in memory) or its name starts with
`prm_bench`.

Fills the database (benchmarks/insights_data.py; COPY on PostgreSQL) with 10,000 partners (`--partners`) and their
admins and sellers, 100,000 certification awards (`--certifications`), 50,000 MDF requests with claims, payouts
and the ledger (`--mdf-requests`), exchange rates for every month, direct revenue, a review rhythm, then
registrations over 12 months in USD and EUR: first 10,000, measured; then grown to `--registrations` (default
1,000,000), measured again, with customer contracts for the won deals and Partner.first_deal_at set. Before each
measurement the insights roll-ups are rebuilt (insights.summary.summary_refresh(full=True)) and the tables
analysed.

Each page is fetched `--samples` times (default 30, after two warm-up fetches) through django.test.Client:
- the dashboard: GET /manage/ as a channel manager;
- the scorecard: a random partner's scorecard page (the scorecard URL of insights.views.scorecard with a partner
  id; the partner page if there is none);
- the portal home: GET /portal/ as the admin of a random partner;
and the queries of one fetch are counted. Prints one `name=value` per line, suffixed by the registrations loaded
(`_10k`, `_1m`): dashboard_p50_ms, dashboard_p95_ms, dashboard_queries, scorecard_p50_ms, scorecard_p95_ms,
scorecard_queries, portal_home_p50_ms, portal_home_p95_ms, portal_home_queries, load_s (time to generate and
load that step) and the status code of each page when it is not 200; then `load_total_s`.

`--small` runs the 10,000-registration scenario only (under two minutes on a laptop, for CI). `--registrations`
smaller than 10,000 (the tests use a few hundred rows) measures that size alone.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root, for benchmarks/

from benchmarks import dealreg_data
from benchmarks import insights_data as data
from benchmarks.timing import percentiles

SMALL = 10_000



class Command(BaseCommand):
    help = "Generate a year of program data in a throwaway database and time the dashboard, scorecard and portal."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partners", type=int, default=10_000)
        parser.add_argument("--registrations", type=int, default=1_000_000)
        parser.add_argument("--certifications", type=int, default=100_000)
        parser.add_argument("--mdf-requests", type=int, default=50_000)
        parser.add_argument("--samples", type=int, default=30)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--show-slowest", type=int, default=0, help="list each page's N slowest queries on stderr")
        parser.add_argument("--small", action="store_true", help="the 10,000-registration scenario only (CI)")
        parser.add_argument("--scratch", action="store_true", default=True, help="a throwaway database (default)")
        parser.add_argument("--no-scratch", dest="scratch", action="store_false", help="use the current database")

    def handle(self, *args, **options) -> None:
        if options["partners"] < 1 or options["registrations"] < 1 or options["samples"] < 1:
            raise CommandError("--partners, --registrations and --samples must be positive.")
        if options["small"]:
            options["registrations"] = min(options["registrations"], SMALL)
        from django.test.utils import override_settings, setup_test_environment

        if options["scratch"]:
            from django.test.utils import setup_databases, teardown_databases

            settings_dict = connection.settings_dict
            settings_dict.setdefault("TEST", {})["NAME"] = (
                f"test_prm_bench_insights_{os.getpid()}" if connection.vendor == "postgresql" else None
            )
            setup_test_environment()
            old = setup_databases(verbosity=0, interactive=False)
            try:
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
        from django.conf import settings

        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        ):
            self.run(options)

    def phase(self, what: str) -> None:
        """With -v 2, how long each loading phase took (on stderr: stdout stays name=value lines)."""
        now = time.perf_counter()
        if self.verbosity > 1:
            self.stderr.write(f"{what}: {now - self.clock:.1f} s")
        self.clock = now

    def emit(self, key: str, value) -> None:
        self.stdout.write(f"{key}={value}")
        self.stdout.flush()

    # --- loading ------------------------------------------------------------------------------------------------

    def run(self, options: dict) -> None:
        self.now = timezone.now()
        self.seed = options["seed"]
        self.verbosity = options["verbosity"]
        self.show_slowest = options["show_slowest"]
        self.clock = time.perf_counter()
        self.emit("database", connection.vendor)
        total = options["registrations"]
        sizes = [SMALL, total] if total > SMALL else [total]
        start = time.perf_counter()
        with data.without_fk_triggers():
            self._load_program(options)
        base_s = time.perf_counter() - start
        self.emit("load_program_s", f"{base_s:.1f}")
        universe, keys = dealreg_data.Universe(seed=self.seed), dealreg_data.KeyCache()
        loaded, load_total = 0, base_s
        for size in sizes:
            label = data.size_label(size)
            start = time.perf_counter()
            self._load_registrations(universe, keys, loaded, size, total)
            elapsed = time.perf_counter() - start
            load_total += elapsed
            loaded = size
            self.emit(f"registrations_{label}", size)
            self.emit(f"load_s_{label}", f"{elapsed:.1f}")
            start = time.perf_counter()
            self._refresh()
            self.emit(f"summary_refresh_s_{label}", f"{time.perf_counter() - start:.1f}")
            self._measure(label, options["samples"])
        self.emit("load_total_s", f"{load_total:.1f}")

    def _load_program(self, options: dict) -> None:
        from django.contrib.auth.models import Group

        from enablement.models import Certification
        from insights.models import ActionItem, DirectRevenue, Review, ReviewPlan
        from mdf import services as mdf_services
        from mdf.models import Budget, Claim, FundRequest, LedgerEntry
        from partners.models import AgreementAcceptance, AgreementVersion, Partner, PartnerMembership, Program, Tier
        from prm.models import CHANNEL_MANAGERS_GROUP, ExchangeRate, User

        now, seed = self.now, self.seed
        today = timezone.localdate()
        self.manager = User.objects.create_user(email=f"bench-manager-{os.getpid()}@bench.example.com", is_staff=True)
        self.manager.groups.add(Group.objects.get_or_create(name=CHANNEL_MANAGERS_GROUP)[0])
        Program.objects.get_or_create(pk=1)
        Program.objects.filter(pk=1).update(reporting_currency="USD", internal_sellers=40)
        tiers = [
            Tier.objects.get_or_create(name=f"Bench {name}", defaults={"rank": 10 + rank})[0]
            for rank, name in enumerate(("Registered", "Silver", "Gold"))
        ]
        self.phase("setup")
        first_partner = (Partner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        dealreg_data.load(
            Partner,
            data.as_db(
                data.partner_rows(
                    options["partners"], now=now, owner_id=self.manager.pk, tier_ids=[t.pk for t in tiers], seed=seed
                ),
                ("functions", "regions", "verticals", "segments"),
            ),
        )
        partners = list(
            Partner.objects.filter(pk__gte=first_partner, name__startswith="Bench Partner ")
            .order_by("pk")
            .values_list("pk", "status")
        )
        self.partner_ids = [pk for pk, _ in partners]
        index = {pk: i for i, pk in enumerate(self.partner_ids)}
        self.currencies = {pk: data.partner_currency(index[pk]) for pk in self.partner_ids}
        self.selling = [pk for pk, status in partners if status in ("active", "dormant", "offboarded")]
        random.Random(seed).shuffle(self.selling)  # the Zipf ranks: not by creation order

        self.phase("partners")
        # People: an admin per partner and two sellers or technical people (certifications go to them).
        first_user = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        per_partner = 3
        dealreg_data.load(User, data.user_rows(len(self.partner_ids) * per_partner, start=first_user, now=now))
        users = list(
            User.objects.filter(pk__gte=first_user, email__startswith="bench-user-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        roles = ("admin", "sales", "technical")
        memberships = [
            {
                "user_id": user_id,
                "partner_id": self.partner_ids[n // per_partner],
                "role": roles[n % per_partner],
                "is_active": True,
                "created_at": now,
            }
            for n, user_id in enumerate(users[: len(self.partner_ids) * per_partner])
        ]
        dealreg_data.load(PartnerMembership, iter(memberships))
        self.admins = {m["partner_id"]: m["user_id"] for m in memberships if m["role"] == "admin"}
        people = [(m["user_id"], m["partner_id"]) for m in memberships]
        # The current agreement, accepted by every approved partner (else the portal sends its people to sign it).
        version = AgreementVersion.objects.filter(is_current=True).first()
        if version is not None:
            dealreg_data.load(
                AgreementAcceptance,
                (
                    {
                        "partner_id": pk,
                        "version_id": version.pk,
                        "user_id": self.admins[pk],
                        "signer_name": "Bench",
                        "signer_title": "",
                        "accepted_at": now,
                        "ip_address": None,
                    }
                    for pk, status in partners
                    if status not in ("applied", "declined")
                ),
            )

        self.phase("people")
        certifications = [
            Certification.objects.get_or_create(
                slug=f"bench-{slug}", defaults={"name": f"Bench {slug}", "validity_months": 12}
            )[0].pk
            for slug in ("sales", "technical", "marketing", "advanced")
        ]
        dealreg_data.load(
            Certification.awards.rel.related_model,
            data.award_rows(
                options["certifications"],
                people=people,
                certification_ids=certifications,
                now=now,
                seed=seed,
                start=0,
            ),
        )

        self.phase("certifications")
        # MDF: quarterly periods over the year, a budget per selling partner and period, requests, claims, ledger.
        settings = mdf_services.mdf_settings()
        periods, day = [], today
        for _ in range(5):
            period = mdf_services.period_for(day)
            periods.append(period)
            day = period.starts_on - timedelta(days=1)
        funded = sorted(self.selling)
        first_budget = (Budget.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        dealreg_data.load(Budget, data.budget_rows(funded, periods, now=now, currency=settings.currency))
        budgets: dict[int, list] = {}
        by_period = {p.pk: p for p in periods}
        budget_ids = []
        for pk, partner_id, period_id in Budget.objects.filter(pk__gte=first_budget).values_list(
            "pk", "partner_id", "period_id"
        ):
            p = by_period[period_id]
            budgets.setdefault(partner_id, []).append((pk, p.starts_on, p.ends_on))
            budget_ids.append(pk)
        first_request = (FundRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        dealreg_data.load(
            FundRequest,
            data.request_rows(options["mdf_requests"], budgets=budgets, partner_ids=funded, now=now, seed=seed),
        )
        requests = list(
            FundRequest.objects.filter(pk__gte=first_request).values_list(
                "pk", "partner_id", "budget_id", "status", "approved_amount", "ends_on"
            )
        )
        claimed = [(pk, p, s, a, e) for pk, p, b, s, a, e in requests if s in ("claimed", "closed")]
        dealreg_data.load(Claim, data.claim_rows(claimed, now=now))
        dealreg_data.load(
            LedgerEntry,
            data.ledger_rows(budget_ids, [(pk, b, s, a) for pk, p, b, s, a, e in requests], now=now, seed=seed),
        )

        self.phase("mdf")
        # Money the program keeps: rates for every month, direct revenue.
        rng = random.Random(seed)
        rate = data.D("1.08")
        for month in data.months_back(today, 13):
            rate = min(max(rate + data.D(str(round(rng.uniform(-0.01, 0.01), 4))), data.D("1.05")), data.D("1.12"))
            ExchangeRate.objects.update_or_create(
                currency="EUR", to_currency="USD", month=month, defaults={"rate": rate}
            )
            for currency, amount in (("USD", 2_000_000), ("EUR", 400_000)):
                DirectRevenue.objects.update_or_create(
                    month=month, currency=currency, defaults={"amount": data.D(amount + rng.randrange(0, 100) * 1000)}
                )

        # The review rhythm of the first 2,000 active partners: a held review with two action items, the next one.
        active = [pk for pk, status in partners if status == "active"][:2000]
        ReviewPlan.objects.bulk_create([ReviewPlan(partner_id=pk) for pk in active], batch_size=1000)
        Review.objects.bulk_create(
            [
                Review(partner_id=pk, scheduled_on=today - timedelta(days=40), status="held", held_at=now)
                for pk in active
            ],
            batch_size=1000,
        )
        Review.objects.bulk_create(
            [Review(partner_id=pk, scheduled_on=today + timedelta(days=20 + pk % 40)) for pk in active], batch_size=1000
        )
        held = list(Review.objects.filter(partner_id__in=active, status="held").values_list("pk", "partner_id"))
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    review_id=r, partner_id=p, title=title, due_on=today + timedelta(days=due), owner=self.manager
                )
                for r, p in held
                for title, due in (("Share the account plan", -5 + p % 20), ("Plan a joint webinar", 30))
            ],
            batch_size=2000,
        )
        self.phase("rates, revenue, reviews")
        dealreg_data.analyze()
        self._analyze()
        self.phase("vacuum")

    def _load_registrations(self, universe, keys, start: int, stop: int, total: int) -> None:
        from dealreg.models import Registration
        from partners.models import Partner

        picker = data.PartnerPicker(self.selling, self.currencies)
        self.clock = time.perf_counter()
        data.prefetch_keys(universe, keys, start, stop, total=total)
        self.phase("match keys")
        first = (Registration.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        dealreg_data.load(
            Registration,
            data.registration_rows(
                universe, keys, start, stop, total=total, now=self.now, picker=picker, seed=self.seed
            ),
        )
        self.phase("registrations")
        self._contracts(first)
        from django.db.models import Min, OuterRef, Subquery

        firsts = (
            Registration.objects.filter(partner=OuterRef("pk"), submitted_at__isnull=False)
            .order_by()
            .values("partner")
            .annotate(first=Min("submitted_at"))
            .values("first")
        )
        Partner.objects.filter(pk__in=self.selling).update(first_deal_at=Subquery(firsts))
        self.phase("contracts, first deals")
        dealreg_data.analyze()
        self._analyze()
        self.phase("vacuum")

    def _contracts(self, first_registration: int) -> None:
        """A customer contract for every won registration loaded from `first_registration` on."""
        from dealreg.models import Registration
        from insights.models import CustomerContract

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO insights_customercontract (customer_name, account_id, registration_id, partner_id,
                        involvement, starts_on, term_months, amount, currency, renewal_on, status, source, owner_id,
                        created_at, updated_at)
                    SELECT name, account_id, id, partner_id, involvement, closed_at::date, 12, won_amount, currency,
                        (closed_at + interval '12 months')::date, 'active', 'registration', NULL, now(), now()
                    FROM dealreg_registration WHERE status = 'won' AND id >= %s
                    """,
                    [first_registration],
                )
            return
        from enablement.services.common import add_months

        CustomerContract.objects.bulk_create(
            [
                CustomerContract(
                    customer_name=r.name,
                    registration=r,
                    partner_id=r.partner_id,
                    involvement=r.involvement,
                    starts_on=r.closed_at.date(),
                    amount=r.won_amount,
                    currency=r.currency,
                    renewal_on=add_months(r.closed_at.date(), 12),
                    source="registration",
                )
                for r in Registration.objects.filter(status="won", pk__gte=first_registration)
            ],
            batch_size=1000,
        )

    def _analyze(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM (ANALYZE) partners_partner, partners_partnermembership, enablement_certificationaward, "
                    "mdf_budget, mdf_fundrequest, mdf_claim, mdf_ledgerentry, insights_customercontract, "
                    "insights_review, insights_actionitem, prm_user"
                )

    def _refresh(self) -> None:
        try:
            from insights.summary import summary_refresh
        except ImportError:
            return
        summary_refresh(full=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE insights_registrationmonth")

    # --- measuring ----------------------------------------------------------------------------------------------

    def _scorecard_url(self, partner_id: int) -> tuple[str, str]:
        """The manager's scorecard page of a partner, from insights.views.scorecard's URL list (the partner page
        when it has no page with a partner id)."""
        from django.urls import reverse

        try:
            from insights.views import scorecard

            patterns = scorecard.manage_urlpatterns
        except (ImportError, AttributeError):
            patterns = []
        for pattern in patterns:
            converters = list(getattr(pattern.pattern, "converters", {}))
            if pattern.name and len(converters) == 1:
                return reverse(f"manage:{pattern.name}", kwargs={converters[0]: partner_id}), pattern.name
        return reverse("manage:partner_detail", args=[partner_id]), "partner_detail"

    def _time(self, name: str, label: str, samples: int, fetch) -> None:
        from django.test.utils import CaptureQueriesContext

        for n in range(2):  # warm up: caches, plans, buffers
            fetch(n)
        times, statuses = [], set()
        for n in range(samples):
            start = time.perf_counter()
            status = fetch(n + 2)
            times.append((time.perf_counter() - start) * 1000)
            statuses.add(status)
        with CaptureQueriesContext(connection) as queries:
            fetch(samples + 2)
        p50, p95 = percentiles(times)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[: self.show_slowest]
        for query in slowest:  # to stderr: stdout stays name=value lines
            self.stderr.write(f"{name} {label} slow query {float(query['time']) * 1000:.0f} ms: {query['sql'][:600]}")
        self.emit(f"{name}_p50_ms_{label}", f"{p50:.1f}")
        self.emit(f"{name}_p95_ms_{label}", f"{p95:.1f}")
        self.emit(f"{name}_queries_{label}", len(queries.captured_queries))
        if statuses != {200}:
            self.emit(f"{name}_status_{label}", ",".join(str(s) for s in sorted(statuses)))

    def _measure(self, label: str, samples: int) -> None:
        from django.test import Client

        from prm.models import User

        rng = random.Random(self.seed + samples)
        manager = Client()
        manager.force_login(self.manager)
        self._time("dashboard", label, samples, lambda n: manager.get("/manage/").status_code)

        chosen = [rng.choice(self.selling) for _ in range(samples + 3)]
        _url, target = self._scorecard_url(chosen[0])
        self.emit(f"scorecard_page_{label}", target)
        self._time("scorecard", label, samples, lambda n: manager.get(self._scorecard_url(chosen[n])[0]).status_code)

        clients = {}
        for pk in set(chosen):  # signed in before the clock starts
            clients[pk] = Client()
            clients[pk].force_login(User.objects.get(pk=self.admins[pk]))

        def portal_home(n: int) -> int:
            return clients[chosen[n]].get("/portal/").status_code

        self._time("portal_home", label, samples, portal_home)
