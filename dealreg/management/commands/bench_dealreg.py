"""`python manage.py bench_dealreg --accounts 200000 --registrations 1000000`: the conflict check at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python manage.py bench_dealreg \\
        --accounts 200000 --registrations 1000000

Never touches the configured database: by default (`--scratch`) it creates its own throwaway database
`test_prm_bench_<pid>` next to it (django.test.utils.setup_databases, as benchmarks/bench_directory.py does),
and drops it at the end. `--no-scratch` runs in the current database only if it is already a test database
(`test_*`, or SQLite in memory) or its name starts with `prm_bench` (the test suite uses it on its test database).

Fills the database with generated companies (benchmarks/dealreg_data.py: COPY on PostgreSQL), first a 10,000
registration scenario (with the accounts scaled down in proportion: 200,000 accounts for 1,000,000 registrations
gives 2,000 with 10,000), measures, then grows the same database to the full size and measures again. The conflict
check is `detect()` of dealreg.services.registrations.submit (find_candidates plus the classification submission
does), run on unsaved registrations of another partner; half the probes are stored companies written differently
(legal form, typo, case, web ending), half new companies. `submit_p95_ms` times registration_submit on drafts
created for the measurement. `..._recall` checks that speed cost nothing: of the stored rows of the probed
companies (other partners' active registrations, accounts) that the matcher finds the same or possibly the same,
the share candidate search finds (outside the timing). Prints one `name=value` per line.
"""

import os
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root, for benchmarks/

from benchmarks import dealreg_data as data
from benchmarks.timing import percentiles

SMALL = 10_000


class Command(BaseCommand):
    help = "Generate deal-registration data in a throwaway database and time the conflict check and submission."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accounts", type=int, default=200_000)
        parser.add_argument("--registrations", type=int, default=1_000_000)
        parser.add_argument("--partners", type=int, default=300)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--submit-samples", type=int, default=None, help="default: --samples")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--show-slowest", type=int, default=0, help="list the N slowest checks on stderr")
        parser.add_argument(
            "--scratch",
            action="store_true",
            default=True,
            help="create and drop a throwaway database test_prm_bench_<pid> (the default)",
        )
        parser.add_argument(
            "--no-scratch",
            dest="scratch",
            action="store_false",
            help="use the current database: only a test database or one named prm_bench*",
        )

    def handle(self, *args, **options) -> None:
        if options["accounts"] < 0 or options["registrations"] < 1 or options["samples"] < 1:
            raise CommandError("--registrations and --samples must be positive, --accounts not negative.")
        if options["scratch"]:
            from django.test.utils import setup_databases, setup_test_environment, teardown_databases

            settings_dict = connection.settings_dict
            settings_dict.setdefault("TEST", {})["NAME"] = (
                f"test_prm_bench_{os.getpid()}" if connection.vendor == "postgresql" else None
            )
            setup_test_environment()
            old = setup_databases(verbosity=0, interactive=False)
            try:
                self.run(options)
            finally:
                connection.close()
                teardown_databases(old, verbosity=0)
        else:
            name = str(connection.settings_dict["NAME"])
            in_memory = connection.vendor == "sqlite" and "mode=memory" in name  # SQLite's test database
            if not (name.startswith(("test_", "prm_bench")) or in_memory):
                raise CommandError(
                    f"Refusing to fill {name!r}: --no-scratch needs a test database or one named prm_bench*."
                )
            from django.test.utils import override_settings

            # The submissions' emails stay in memory (as in the throwaway database): stdout keeps name=value lines.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                self.run(options)

    def emit(self, key: str, value) -> None:
        self.stdout.write(f"{key}={value}")
        self.stdout.flush()

    def run(self, options: dict) -> None:
        from partners.models import Partner, PartnerMembership
        from prm.models import User

        total_accounts, total_regs = options["accounts"], options["registrations"]
        universe = data.Universe(seed=options["seed"])
        keys = data.KeyCache()
        self.emit("database", connection.vendor)

        partners = Partner.objects.bulk_create(
            [Partner(name=f"Bench Partner {i:04d}", status=Partner.Status.ACTIVE) for i in range(options["partners"])]
        )
        if not partners[0].pk:  # backends without RETURNING
            partners = list(Partner.objects.filter(name__startswith="Bench Partner ").order_by("pk"))
        prober = Partner.objects.create(name="Bench Prober", status=Partner.Status.ACTIVE)
        user = User.objects.create_user(email=f"bench-{os.getpid()}@bench.example.com", password=None)
        PartnerMembership.objects.create(user=user, partner=prober, role=PartnerMembership.Role.ADMIN)
        partner_ids = [p.pk for p in partners]

        stages = []
        if total_regs > SMALL:
            stages.append((SMALL, total_accounts * SMALL // total_regs, "conflict_check_10k"))
        stages.append((total_regs, total_accounts, "conflict_check"))

        from dealreg.models import Account, Registration

        loaded_accounts = loaded_regs = 0
        generate_s = 0.0
        # Rows go in in plan order: account i and registration j get these ids plus i and j.
        self.first_ids = {
            model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            for model in (Account, Registration)
        }
        for regs, accounts, label in stages:
            start = time.perf_counter()
            data.prefetch_keys(
                universe,
                keys,
                accounts=(loaded_accounts, accounts),
                registrations=(loaded_regs, regs),
                total_accounts=total_accounts,
                total_registrations=total_regs,
            )
            self._load(
                universe, keys, loaded_accounts, accounts, loaded_regs, regs, total_accounts, total_regs, partner_ids
            )
            elapsed = time.perf_counter() - start
            generate_s += elapsed
            self.emit(f"{label}_registrations", regs)
            self.emit(f"{label}_accounts", accounts)
            self.emit(f"{label}_generate_s", f"{elapsed:.1f}")
            loaded_accounts, loaded_regs = accounts, regs
            p50, p95, found, recall = self._measure_check(
                universe, prober, options, accounts, regs, total_accounts, total_regs
            )
            self.emit(f"{label}_p50_ms", f"{p50:.1f}")
            self.emit(f"{label}_p95_ms", f"{p95:.1f}")
            self.emit(f"{label}_probes_with_conflicts", found)
            for kind, value in sorted(recall.items()):
                self.emit(f"{label}_recall{'_' + kind if kind else ''}", value)

        self.emit("registrations", loaded_regs)
        self.emit("accounts", loaded_accounts)
        self.emit("generate_s", f"{generate_s:.1f}")
        if generate_s:
            self.emit("generate_rows_per_s", f"{(loaded_regs + loaded_accounts) / generate_s:.0f}")
        p50, p95 = self._measure_submit(universe, user, prober, options, total_accounts, total_regs)
        self.emit("submit_p50_ms", f"{p50:.1f}")
        self.emit("submit_p95_ms", f"{p95:.1f}")

    def _load(self, universe, keys, a0, a1, r0, r1, total_accounts, total_regs, partner_ids) -> None:
        from dealreg.models import Account, Registration

        last_account = Account.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        data.load(Account, data.account_rows(universe, keys, a0, a1))
        with connection.cursor() as cursor:  # the direct pipeline: an open opportunity on each named account
            cursor.execute(
                "INSERT INTO dealreg_directopportunity "
                "(account_id, title, stage, amount, currency, owner_name, external_id, created_at) "
                "SELECT id, 'Direct deal', 'open', 50000, 'USD', account_owner, '', CURRENT_TIMESTAMP "
                "FROM dealreg_account WHERE is_named_account AND id > %s",
                [last_account],
            )
        data.load(
            Registration,
            data.registration_rows(
                universe, keys, r0, r1, accounts=total_accounts, registrations=total_regs, partners=partner_ids
            ),
        )
        data.analyze()

    def _probe_registrations(self, universe, prober, options, accounts, regs, total_accounts, total_regs, seed):
        from dealreg.models import Registration

        # Probes are drawn from what is loaded now: registrations 0..regs of the full-size plan.
        found = data.probes(
            universe, options["samples"], loaded=regs, accounts=total_accounts, registrations=total_regs, seed=seed
        )
        return [
            Registration(
                partner=prober,
                name=p["name"],
                website=p["website"],
                country=p["country"],
                products="Platform",
                status=Registration.Status.DRAFT,
            )
            for p in found
        ], found

    def _recall(self, universe, prober, probes, meta, accounts, regs, total_accounts, total_regs) -> dict[str, str]:
        """Of the stored rows of the companies the probes of known companies write differently (other partners'
        active registrations, accounts) that the matcher finds the same or possibly the same, the share that
        candidate search finds (with no limit on its answer): it must stay 1 whatever the size. Overall ("") and per
        kind of probe: spelling (legal form, typo, case, web ending), acronym ("NTS", no website), script (the brand
        in Cyrillic letters, no website)."""
        from dealreg.candidates import find_candidates
        from dealreg.matching import Company, match
        from dealreg.models import Account, Registration

        wanted = {p["company"] for p in meta if p["known"]}
        rows: dict[int, list[tuple[str, int]]] = {index: [] for index in wanted}
        for j in range(regs):
            index, _ = data.registration_company_index(universe, j, total_accounts, total_regs)
            if index in rows:
                rows[index].append(("registration", self.first_ids[Registration] + j))
        for index in wanted:
            if index < accounts:
                rows[index].append(("account", self.first_ids[Account] + index))
        stored = {
            ("registration", r.pk): r
            for r in Registration.objects.filter(
                pk__in=[pk for found in rows.values() for kind, pk in found if kind == "registration"],
                status__in=Registration.ACTIVE,
            ).exclude(partner=prober)
        } | {
            ("account", a.pk): a
            for a in Account.objects.filter(
                pk__in=[pk for found in rows.values() for kind, pk in found if kind == "account"]
            )
        }
        truth: dict[str, int] = {}
        found_count: dict[str, int] = {}
        for probe, p in zip(probes, meta, strict=True):
            if not p["known"]:
                continue
            company = Company(name=probe.name, domain=probe.website, country=str(probe.country))
            expected = {
                key
                for key in rows[p["company"]]
                if key in stored
                and match(company, Company(stored[key].name, stored[key].domain, str(stored[key].country))).verdict
                != "different"
            }
            found = find_candidates(
                name=probe.name,
                website=probe.website,
                country=str(probe.country),
                exclude_partner_id=prober.pk,
                limit=10**6,
            )
            hits = len(expected & {(c.kind, c.obj.pk) for c in found})
            for kind in ("", p["kind"]):
                truth[kind] = truth.get(kind, 0) + len(expected)
                found_count[kind] = found_count.get(kind, 0) + hits
        return {
            kind: f"{found_count[kind] / truth[kind]:.3f} ({found_count[kind]}/{truth[kind]})" if truth[kind] else "n/a"
            for kind in truth
        }

    def _measure_check(self, universe, prober, options, accounts, regs, total_accounts, total_regs):
        from dealreg.services.registrations.submit import detect

        probes, meta = self._probe_registrations(
            universe, prober, options, accounts, regs, total_accounts, total_regs, options["seed"] + regs
        )
        for probe in probes[: min(20, len(probes))]:  # warm up: caches, plans, buffers
            detect(probe)
        times, with_conflicts = [], 0
        for probe in probes:
            start = time.perf_counter()
            found = detect(probe)
            times.append((time.perf_counter() - start) * 1000)
            with_conflicts += bool(found.conflicts)
        p50, p95 = percentiles(times)
        slowest = sorted(zip(times, probes, strict=True), key=lambda t: -t[0])[: options["show_slowest"]]
        for ms, probe in slowest:  # to stderr: stdout stays name=value lines
            self.stderr.write(f"slow check {ms:.0f} ms: {probe.name!r} {probe.website!r} {probe.country}")
        recall = self._recall(universe, prober, probes, meta, accounts, regs, total_accounts, total_regs)
        return p50, p95, with_conflicts, recall

    def _measure_submit(self, universe, user, prober, options, total_accounts, total_regs):
        from dealreg.services import registration_save_draft, registration_submit

        count = options["submit_samples"] or options["samples"]
        probes = data.probes(
            universe,
            count + 5,
            loaded=total_regs,
            accounts=total_accounts,
            registrations=total_regs,
            seed=options["seed"] + 1,
        )
        drafts = [
            registration_save_draft(
                actor=user,
                partner=prober,
                data={"name": p["name"], "website": p["website"], "country": p["country"], "products": "Platform"},
            )
            for p in probes
        ]
        for draft in drafts[:5]:  # warm up
            registration_submit(actor=user, registration=draft)
        times = []
        for draft in drafts[5:]:
            start = time.perf_counter()
            registration_submit(actor=user, registration=draft)
            times.append((time.perf_counter() - start) * 1000)
        return percentiles(times)
