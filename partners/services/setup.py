"""Program setup by a program admin: tiers (create, edit, reorder, delete) and their requirements.

Who may change the setup: a channel manager holding `partners.manage_program` (the "Program admins" group, or a
superuser). Plain channel managers see the setup read-only. Every write here checks it, locks what it changes,
writes an audit event and, when partners are affected (they are on the tier that changed), tells each of them once
in plain words what changed.

Pending tier proposals that involve a tier whose requirements or rank changed, or that is removed, are set aside
(superseded): their evidence was measured against the old rules. The next evaluation proposes again if a change is
still due.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, Q, QuerySet, RestrictedError
from django.urls import reverse
from django.utils import timezone

from partners.models import Partner, PartnerMembership, Program, Tier, TierProposal, TierRequirement
from partners.services.program import program_get, requirement_label
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import AuditEvent, User
from prm.notifications import notify

PROGRAM_ADMINS_GROUP = "Program admins"
PERMISSION = "partners.manage_program"
TIER_FIELDS = ("name", "description", "discount_percent", "mdf_eligible", "deal_protection_days", "other_benefits")
REQUIREMENT_FIELDS = ("kind", "threshold", "label", "order")
MAX_RANK = 32000  # PositiveSmallIntegerField; leaves room for the swap in tier_move

Kind = TierRequirement.Kind


# --- Who may change the program --------------------------------------------------------------------------------


def can_manage_program(user: Any) -> bool:
    """A channel manager with the program-admin permission (superusers have every permission)."""
    return is_channel_manager(user) and user.has_perm(PERMISSION)


def wizard_due(user: Any) -> bool:
    """Offer the first-run wizard: to a program admin, on a fresh install (no partner yet), while the wizard was
    neither completed nor skipped (the demo data marks it done)."""
    if not can_manage_program(user):
        return False
    return program_get().setup_wizard == Program.Wizard.PENDING and not Partner.objects.exists()


def program_admins() -> QuerySet[User]:
    """The people a plain channel manager can ask: active staff in the group, with the permission, or superusers."""
    app_label, codename = PERMISSION.split(".")
    has_perm = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label) | Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(has_perm | Q(is_superuser=True))
        .distinct()
        .order_by("-is_superuser", "first_name", "email")
    )


def program_admins_group() -> Group:
    """The "Program admins" group, holding the permission (migration 0007 creates both; this puts them back on a
    database that lost them, such as a flushed test database, and is what the demo uses)."""
    app_label, codename = PERMISSION.split(".")
    group, _ = Group.objects.get_or_create(name=PROGRAM_ADMINS_GROUP)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if permission is None:
        content_type = ContentType.objects.get_for_model(Program)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": "Can change the program setup"}
        )
    group.permissions.add(permission)
    return group


def _check(actor: User) -> None:
    if not can_manage_program(actor):
        raise ValidationError("Only program admins can change the program.")


# --- Words -----------------------------------------------------------------------------------------------------


def _tier_values(tier: Tier) -> dict[str, Any]:
    return {name: getattr(tier, name) for name in TIER_FIELDS}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def _say(name: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    if name == "discount_percent":
        return f"{Decimal(value).normalize():f}%"
    if name == "deal_protection_days":
        return f"{value} days"
    if name == "mdf_eligible":
        return "yes" if value else "no"
    return str(value)


def _tier_changes_in_words(tier_name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed, one plain line each: "Discount: 10% → 15%"."""
    lines = []
    for name in TIER_FIELDS:
        if before[name] == after[name]:
            continue
        if name == "name":
            lines.append(f"The tier is now called {after['name']} (it was {before['name']}).")
        elif name == "description":
            lines.append(f"The description of {tier_name} changed.")
        elif name == "other_benefits":
            old = {line.strip() for line in (before[name] or "").splitlines() if line.strip()}
            new = {line.strip() for line in (after[name] or "").splitlines() if line.strip()}
            lines.extend(f"New benefit: {line}" for line in sorted(new - old))
            lines.extend(f"No longer a benefit: {line}" for line in sorted(old - new))
        elif name == "discount_percent":
            lines.append(f"Discount: {_say(name, before[name])} → {_say(name, after[name])}")
        elif name == "deal_protection_days":
            lines.append(f"Registered deals protected for: {_say(name, before[name])} → {_say(name, after[name])}")
        elif name == "mdf_eligible":
            lines.append(
                "Now eligible for market development funds (MDF)."
                if after[name]
                else "No longer eligible for market development funds (MDF)."
            )
    return lines


# --- Telling partners ------------------------------------------------------------------------------------------


def _announce(*, event: AuditEvent, tiers: Iterable[Tier], headline: str, lines: list[str]) -> int:
    """Tell every partner on `tiers` (one message per partner, to each of its active people) what changed.
    Returns how many partners were told."""
    tier_ids = [t.pk for t in tiers]
    if not tier_ids or not lines:
        return 0
    partners = list(Partner.objects.filter(tier_id__in=tier_ids).select_related("tier").order_by("pk"))
    people: dict[int, list[User]] = {}
    for membership in PartnerMembership.objects.filter(partner__in=partners, is_active=True).select_related("user"):
        people.setdefault(membership.partner_id, []).append(membership.user)
    url = reverse("portal:program")
    told = 0
    for partner in partners:
        for user in people.get(partner.pk, []):
            notify(
                key=f"audit:{event.pk}:program:{partner.pk}:{user.pk}",
                template="program_tier_updated",
                recipient=user,
                partner=partner,
                url=url,
                action_label="See the program",
                context={"partner": partner, "tier": partner.tier, "headline": headline, "lines": lines},
            )
        told += 1
    return told


def _supersede_proposals(tier_ids: list[int]) -> int:
    return TierProposal.objects.filter(
        Q(current_tier_id__in=tier_ids) | Q(proposed_tier_id__in=tier_ids), status=TierProposal.Status.PENDING
    ).update(status=TierProposal.Status.SUPERSEDED, decided_at=timezone.now())


# --- Tiers -----------------------------------------------------------------------------------------------------


def _only(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    return data


def _lock_ladder() -> None:
    """Serialise changes to the tier ranks (two admins adding or moving tiers at once) on the program row."""
    program_get()
    Program.objects.select_for_update().filter(pk=1).first()


def _clean_tier(tier: Tier) -> None:
    tier.name = (tier.name or "").strip()
    if Tier.objects.filter(name__iexact=tier.name).exclude(pk=tier.pk).exists():
        raise ValidationError({"name": f"There is already a tier called {tier.name}."})
    tier.full_clean()


def tier_create(*, actor: User, data: dict[str, Any]) -> Tier:
    """Add a tier at the top of the ladder (highest rank), audited. No partner is on it yet: nobody is told."""
    _check(actor)
    _only(data, TIER_FIELDS)
    with transaction.atomic():
        _lock_ladder()
        top = Tier.objects.aggregate(top=Max("rank"))["top"] or 0
        if top >= MAX_RANK:
            raise ValidationError("The tier ranks are used up: remove a tier first.")
        tier = Tier(rank=top + 1, **data)
        _clean_tier(tier)
        tier.save()
        audit_record(
            actor=actor,
            verb="program.tier_created",
            target=tier,
            after=_jsonable({**_tier_values(tier), "rank": tier.rank}),
        )
    return tier


def tier_update(*, actor: User, tier: Tier, data: dict[str, Any]) -> tuple[Tier, int]:
    """Change a tier's name, description or benefits. Audited with before and after; each partner on the tier is
    told what changed. Returns the tier and how many partners were told (0 when nothing changed)."""
    _check(actor)
    _only(data, TIER_FIELDS)
    with transaction.atomic():
        locked = Tier.objects.select_for_update().get(pk=tier.pk)
        before = _tier_values(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        _clean_tier(locked)
        after = _tier_values(locked)
        changed = [name for name in TIER_FIELDS if before[name] != after[name]]
        if not changed:
            return locked, 0
        locked.save()
        event = audit_record(
            actor=actor,
            verb="program.tier_changed",
            target=locked,
            before=_jsonable({n: before[n] for n in changed}),
            after=_jsonable({n: after[n] for n in changed}),
        )
        told = _announce(
            event=event,
            tiers=[locked],
            headline=f"The {locked.name} tier of our partner program changed.",
            lines=_tier_changes_in_words(locked.name, before, after),
        )
    return locked, told


def tier_move(*, actor: User, tier: Tier, direction: str) -> Tier:
    """Swap the tier with its neighbour one step up (higher rank) or down. Audited; partners on the two tiers are
    told their place on the ladder changed; pending proposals between them are set aside."""
    _check(actor)
    if direction not in ("up", "down"):
        raise ValidationError("Move a tier up or down.")
    with transaction.atomic():
        _lock_ladder()
        tiers = list(Tier.objects.select_for_update().order_by("rank"))
        index = next((i for i, t in enumerate(tiers) if t.pk == tier.pk), None)
        if index is None:
            raise ValidationError("This tier was removed meanwhile.")
        other_index = index + 1 if direction == "up" else index - 1
        if not 0 <= other_index < len(tiers):
            where = "highest" if direction == "up" else "lowest"
            raise ValidationError(f"{tiers[index].name} is already the {where} tier.")
        moved, other = tiers[index], tiers[other_index]
        moved_rank, other_rank = moved.rank, other.rank
        # rank is unique: park one tier above every rank, then swap.
        Tier.objects.filter(pk=moved.pk).update(rank=tiers[-1].rank + 1)
        Tier.objects.filter(pk=other.pk).update(rank=moved_rank)
        Tier.objects.filter(pk=moved.pk).update(rank=other_rank)
        moved.rank, other.rank = other_rank, moved_rank
        _supersede_proposals([moved.pk, other.pk])
        higher, lower = (moved, other) if moved.rank > other.rank else (other, moved)
        event = audit_record(
            actor=actor,
            verb="program.tier_moved",
            target=moved,
            before={"rank": moved_rank, "swapped_with": other.name, "swapped_with_rank": other_rank},
            after={"rank": moved.rank, "swapped_with_rank": other.rank, "direction": direction},
        )
        _announce(
            event=event,
            tiers=[moved, other],
            headline="The order of the tiers in our partner program changed.",
            lines=[f"{higher.name} now ranks above {lower.name}."],
        )
    return moved


def tier_delete(*, actor: User, tier: Tier) -> None:
    """Remove a tier nobody is on. Refused, saying why, while partners are on it or another part of the program
    (an MDF pool, for instance) still uses it. Pending proposals involving it are set aside. Audited."""
    _check(actor)
    with transaction.atomic():
        locked = Tier.objects.select_for_update().filter(pk=tier.pk).first()
        if locked is None:
            return  # removed meanwhile (a double click): nothing left to do
        on_it = Partner.objects.filter(tier=locked).count()
        if on_it:
            partners = "1 partner is" if on_it == 1 else f"{on_it} partners are"
            raise ValidationError(
                f"{partners} in {locked.name}. Move them to another tier first (from each partner's page), "
                "then remove the tier."
            )
        before = {**_jsonable(_tier_values(locked)), "rank": locked.rank}
        before["requirements"] = [requirement_label(r) for r in locked.requirements.all()]
        _supersede_proposals([locked.pk])
        audit_record(actor=actor, verb="program.tier_deleted", target=locked, before=before)
        try:
            with transaction.atomic():
                locked.delete()
        except (ProtectedError, RestrictedError) as exc:
            users = sorted({str(obj._meta.verbose_name_plural) for obj in exc.args[1]})
            raise ValidationError(
                f"{locked.name} is still used by: {', '.join(users)}. Remove those first, then the tier."
            ) from None


# --- Requirements ----------------------------------------------------------------------------------------------


def _clean_requirement(requirement: TierRequirement) -> None:
    """Qualitative requirements have a label and no threshold; quantitative ones a threshold above 0 (a label
    is not used for them)."""
    requirement.label = (requirement.label or "").strip()
    if requirement.kind == Kind.QUALITATIVE:
        requirement.threshold = None
        if not requirement.label:
            raise ValidationError({"label": "Say what the partner must do, e.g. 'Joint marketing plan agreed'."})
    else:
        requirement.label = ""
        if requirement.threshold is None or requirement.threshold <= 0:
            raise ValidationError({"threshold": "Give a number above 0."})
    requirement.full_clean()


def _requirement_values(requirement: TierRequirement) -> dict[str, Any]:
    return _jsonable({name: getattr(requirement, name) for name in REQUIREMENT_FIELDS})


def tier_requirement_add(*, actor: User, tier: Tier, data: dict[str, Any]) -> TierRequirement:
    """Add a requirement to a tier. Audited; partners on the tier are told what it now also asks for."""
    _check(actor)
    _only(data, REQUIREMENT_FIELDS)
    with transaction.atomic():
        locked = Tier.objects.select_for_update().get(pk=tier.pk)
        if data.get("order") is None:
            data = {**data, "order": (locked.requirements.aggregate(top=Max("order"))["top"] or 0) + 1}
        requirement = TierRequirement(tier=locked, **data)
        _clean_requirement(requirement)
        requirement.save()
        _supersede_proposals([locked.pk])
        label = requirement_label(requirement)
        event = audit_record(
            actor=actor,
            verb="program.requirement_added",
            target=requirement,
            after={**_requirement_values(requirement), "tier": locked.name, "requirement": label},
        )
        _announce(
            event=event,
            tiers=[locked],
            headline=f"{locked.name} has a new requirement.",
            lines=[f"{locked.name} now also asks for: {label}"],
        )
    return requirement


def tier_requirement_update(*, actor: User, requirement: TierRequirement, data: dict[str, Any]) -> TierRequirement:
    """Change a requirement (kind, threshold, label, order). Audited; partners on the tier are told, unless only
    its position in the list changed."""
    _check(actor)
    _only(data, REQUIREMENT_FIELDS)
    with transaction.atomic():
        locked = TierRequirement.objects.select_for_update().select_related("tier").get(pk=requirement.pk)
        before, old_label = _requirement_values(locked), requirement_label(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        _clean_requirement(locked)
        after, new_label = _requirement_values(locked), requirement_label(locked)
        changed = [name for name in REQUIREMENT_FIELDS if before[name] != after[name]]
        if not changed:
            return locked
        locked.save()
        if old_label != new_label:
            _supersede_proposals([locked.tier_id])
        event = audit_record(
            actor=actor,
            verb="program.requirement_changed",
            target=locked,
            before={**{n: before[n] for n in changed}, "requirement": old_label},
            after={**{n: after[n] for n in changed}, "requirement": new_label, "tier": locked.tier.name},
        )
        if old_label != new_label:
            _announce(
                event=event,
                tiers=[locked.tier],
                headline=f"A requirement of {locked.tier.name} changed.",
                lines=[f"{locked.tier.name} now asks for: {new_label} (it was: {old_label})"],
            )
    return locked


def tier_requirement_remove(*, actor: User, requirement: TierRequirement) -> None:
    """Remove a requirement (and the confirmations of it, for qualitative ones). Audited; partners on the tier
    are told it no longer asks for it."""
    _check(actor)
    with transaction.atomic():
        locked = TierRequirement.objects.select_for_update().select_related("tier").filter(pk=requirement.pk).first()
        if locked is None:
            return  # removed meanwhile
        tier, label = locked.tier, requirement_label(locked)
        event = audit_record(
            actor=actor,
            verb="program.requirement_removed",
            target=locked,
            before={**_requirement_values(locked), "tier": tier.name, "requirement": label},
        )
        locked.delete()
        _supersede_proposals([tier.pk])
        _announce(
            event=event,
            tiers=[tier],
            headline=f"{tier.name} asks for less.",
            lines=[f"{tier.name} no longer asks for: {label}"],
        )
