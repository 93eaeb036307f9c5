"""Accounts and direct opportunities, one at a time: create and update, channel managers only, every change
audited with the fields that changed (before/after).

The field cleaners here are shared with the CSV import, so a value means the same thing typed in a form or read
from a file.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django_countries import countries

from dealreg.models import Account, DirectOpportunity
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.money import parse_currency, parse_money
from prm.names import company_name_key, registrable_domain

ACCOUNT_FIELDS = (
    "name",
    "website",
    "country",
    "industry",
    "size",
    "is_named_account",
    "is_customer",
    "account_owner",
    "external_id",
)
OPPORTUNITY_FIELDS = ("title", "stage", "amount", "currency", "expected_close", "owner_name", "external_id")
EXTERNAL_ID_MAX = 100
# The code of a refusal because the record exists already (the API answers it with 409); `params["existing_id"]`
# names the record that is in the way.
DUPLICATE = "duplicate"

# Names people write that django_countries does not know by that spelling.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "britain": "GB",
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states": "US",
    "america": "US",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "vietnam": "VN",
    "czech republic": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "uae": "AE",
}
_SIZE_WORDS = {
    Account.Size.SMB: {"smb", "small", "small business", "sme", "s"},
    Account.Size.MIDMARKET: {"midmarket", "mid-market", "mid market", "mid", "medium", "mm", "m"},
    Account.Size.ENTERPRISE: {"enterprise", "large", "ent", "l"},
}
_FLAG_WORDS = {
    True: {"yes", "y", "true", "t", "1", "x"},
    False: {"no", "n", "false", "f", "0", ""},
}
_url = URLValidator(schemes=["http", "https"])


def require_manager(actor: User) -> None:
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can change accounts and the direct pipeline.")


# --- Field cleaners (forms, services and the CSV import) -------------------------------------------------------


def clean_name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError("Give the company's name.")
    if len(name) > 200:
        raise ValidationError("The name is longer than 200 characters.")
    return name


def clean_website(value: Any) -> str:
    """A URL (https://www.northwind.com/about) or a bare domain (northwind.com); empty is allowed."""
    website = str(value or "").strip()
    if not website:
        return ""
    if len(website) > 300:
        raise ValidationError("The website is longer than 300 characters.")
    try:
        _url(website if "//" in website else f"https://{website}")
    except ValidationError:
        raise ValidationError(
            f"“{website}” is not a web address. Enter it like northwind.com or https://northwind.com."
        ) from None
    if not registrable_domain(website):
        raise ValidationError(f"“{website}” has no public domain name. Enter it like northwind.com.")
    return website


def clean_country(value: Any) -> str:
    """An ISO code (DE, DEU) or an English name (Germany) → the two-letter code; empty is allowed."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    code = _COUNTRY_ALIASES.get(text.lower()) or countries.alpha2(text) or countries.by_name(text)
    if not code:
        raise ValidationError(
            f"Unknown country “{text}”. Use a two-letter code like DE or the English name like Germany."
        )
    return str(code)


def clean_size(value: Any) -> str:
    text = " ".join(str(value or "").split()).lower()
    if not text:
        return ""
    for size, words in _SIZE_WORDS.items():
        if text in words or text == str(size.label).lower():
            return size.value
    raise ValidationError(f"Unknown size “{value}”. Use smb, midmarket or enterprise.")


def clean_flag(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    for flag, words in _FLAG_WORDS.items():
        if text in words:
            return flag
    raise ValidationError(f"“{value}” in {label} is not yes or no.")


def clean_short(value: Any, label: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise ValidationError(f"The {label} is longer than {limit} characters.")
    return text


def clean_external_id(value: Any) -> str:
    """The record's id in the startup's CRM, kept exactly as the CRM writes it (ids may be case-sensitive); empty
    means none."""
    text = str(value or "").strip()
    if len(text) > EXTERNAL_ID_MAX:
        raise ValidationError(f"The external id is longer than {EXTERNAL_ID_MAX} characters.")
    if any(not char.isprintable() for char in text):
        raise ValidationError("The external id may not contain control characters or line breaks.")
    return text


def clean_account_data(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate the account fields present in `data` (all of them unless `partial`); errors by field."""
    cleaners = {
        "name": clean_name,
        "website": clean_website,
        "country": clean_country,
        "industry": lambda v: clean_short(v, "industry", 100),
        "size": clean_size,
        "is_named_account": lambda v: clean_flag(v, "named account"),
        "is_customer": lambda v: clean_flag(v, "customer"),
        "account_owner": lambda v: clean_short(v, "account owner", 160),
        "external_id": clean_external_id,
    }
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, clean in cleaners.items():
        if field not in data and (partial or field != "name"):
            continue
        try:
            cleaned[field] = clean(data.get(field))
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_opportunity_data(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def want(field: str) -> bool:
        return field in data or not partial

    if want("title"):
        title = " ".join(str(data.get("title") or "").split())
        if not title:
            errors["title"] = ["Give the opportunity a title."]
        elif len(title) > 200:
            errors["title"] = ["The title is longer than 200 characters."]
        cleaned["title"] = title
    if want("stage"):
        stage = data.get("stage") or DirectOpportunity.Stage.OPEN
        if stage not in DirectOpportunity.Stage.values:
            errors["stage"] = ["Choose open, won or lost."]
        cleaned["stage"] = stage
    if want("amount"):
        amount = data.get("amount")
        if amount in (None, ""):
            cleaned["amount"] = None
        else:
            try:
                cleaned["amount"] = parse_money(amount, label="amount")
            except ValidationError as exc:
                errors["amount"] = exc.messages
    if want("currency"):
        try:
            cleaned["currency"] = parse_currency(data.get("currency") or "USD")
        except ValidationError as exc:
            errors["currency"] = exc.messages
    if want("expected_close"):
        when = data.get("expected_close")
        if when in (None, ""):
            cleaned["expected_close"] = None
        elif isinstance(when, date):
            cleaned["expected_close"] = when
        else:
            try:
                cleaned["expected_close"] = date.fromisoformat(str(when).strip())
            except ValueError:
                errors["expected_close"] = ["Enter the date like 2026-03-31."]
    if want("owner_name"):
        try:
            cleaned["owner_name"] = clean_short(data.get("owner_name"), "owner's name", 160)
        except ValidationError as exc:
            errors["owner_name"] = exc.messages
    if want("external_id"):
        try:
            cleaned["external_id"] = clean_external_id(data.get("external_id"))
        except ValidationError as exc:
            errors["external_id"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _audit_value(value: Any) -> Any:
    if isinstance(value, (Decimal, date)):
        return str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # a Country, a lazy label


def _snapshot(obj, fields) -> dict[str, Any]:
    return {field: _audit_value(getattr(obj, field)) for field in fields}


def _same_company(*, name: str, website: str, country: object = "", exclude_pk: int | None = None) -> Account | None:
    """An existing account for the same company: same registrable domain or same normalised name."""
    lookups = Q(name_key=company_name_key(name, country))
    domain = registrable_domain(website)
    if domain:
        lookups |= Q(domain=domain)
    return Account.objects.filter(lookups).exclude(pk=exclude_pk).order_by("pk").first()


# --- Accounts --------------------------------------------------------------------------------------------------


def _duplicate(message: str, existing, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=DUPLICATE, params={"existing_id": existing.pk if existing else None})
    return ValidationError({field: [error]}) if field else error


def _external_id_taken(model, external_id: str, *, exclude_pk: int | None = None) -> ValidationError | None:
    if not external_id:
        return None
    other = model.objects.filter(external_id=external_id).exclude(pk=exclude_pk).first()
    if other is None:
        return None
    what = "account" if model is Account else "direct opportunity"
    return _duplicate(f"Another {what} already has the external id “{external_id}”: {other}.", other, "external_id")


def _save_unique(obj, **save_kwargs) -> None:
    """Save, turning a lost race for an external id (the database's unique constraint) into the same refusal."""
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError:
        other = type(obj).objects.filter(external_id=obj.external_id).exclude(pk=obj.pk).first()
        if not obj.external_id or other is None:
            raise
        message = f"Another {obj._meta.verbose_name} already has the external id “{obj.external_id}”."
        raise _duplicate(message, other, "external_id") from None


def account_create(*, actor: User, data: dict[str, Any], reason: str = "") -> Account:
    """Add an account. Refused (code `DUPLICATE`) when an account for the same company (same domain or same name)
    exists, or when its external id is taken."""
    require_manager(actor)
    cleaned = clean_account_data(data)
    with transaction.atomic():
        existing = _same_company(
            name=cleaned["name"], website=cleaned.get("website", ""), country=cleaned.get("country", "")
        )
        if existing is not None:
            raise _duplicate(f"An account for this company already exists: {existing.name}. Edit that one.", existing)
        if taken := _external_id_taken(Account, cleaned.get("external_id", "")):
            raise taken
        account = Account(created_by=actor, **cleaned)
        _save_unique(account)
        audit_record(
            actor=actor,
            verb="account.created",
            target=account,
            after=_snapshot(account, ACCOUNT_FIELDS),
            reason=reason,
        )
    return account


def account_update(*, actor: User, account: Account, data: dict[str, Any], reason: str = "") -> Account:
    """Change the fields present in `data`; the audit event holds only what changed. Nothing changed: no event."""
    require_manager(actor)
    cleaned = clean_account_data(data, partial=True)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        before = _snapshot(account, cleaned)
        changed = [field for field, value in cleaned.items() if _audit_value(value) != before[field]]
        if not changed:
            return account
        if {"name", "website"} & set(changed):
            website = cleaned.get("website", account.website)
            other = _same_company(
                name=cleaned.get("name", account.name),
                website=website,
                country=cleaned.get("country", account.country),
                exclude_pk=account.pk,
            )
            if other is not None:
                raise _duplicate(f"Another account is the same company: {other.name}.", other)
        if "external_id" in changed and (
            taken := _external_id_taken(Account, cleaned["external_id"], exclude_pk=account.pk)
        ):
            raise taken
        for field in changed:
            setattr(account, field, cleaned[field])
        _save_unique(account)
        audit_record(
            actor=actor,
            verb="account.updated",
            target=account,
            before={field: before[field] for field in changed},
            after=_snapshot(account, changed),
            reason=reason,
        )
    return account


def account_upsert(*, actor: User, external_id: str, data: dict[str, Any], reason: str = "") -> tuple[Account, bool]:
    """The account the CRM calls `external_id`: created with `data` if there is none (True), else the fields in
    `data` changed (False). Idempotent: the same call twice changes nothing the second time (and records no event).
    Two syncs racing for the same new id end with one account: the loser updates the winner's."""
    require_manager(actor)
    external_id = _clean_upsert_id(external_id)
    data = {**data, "external_id": external_id}
    existing = Account.objects.filter(external_id=external_id).first()
    if existing is None:
        try:
            return account_create(actor=actor, data=data, reason=reason), True
        except ValidationError:
            existing = Account.objects.filter(external_id=external_id).first()
            if existing is None:  # refused for another reason (a field, the same company under another id)
                raise
    return account_update(actor=actor, account=existing, data=data, reason=reason), False


def _clean_upsert_id(external_id: Any) -> str:
    try:
        cleaned = clean_external_id(external_id)
    except ValidationError as exc:
        raise ValidationError({"external_id": exc.messages}) from None
    if not cleaned:
        raise ValidationError({"external_id": ["Give the record's id in your CRM."]})
    return cleaned


# --- Direct opportunities --------------------------------------------------------------------------------------


def opportunity_create(*, actor: User, account: Account, data: dict[str, Any], reason: str = "") -> DirectOpportunity:
    """Add an opportunity of the startup's own sales team to an account (the direct pipeline). Refused (code
    `DUPLICATE`) when its external id is taken."""
    require_manager(actor)
    cleaned = _clean_opportunity_data(data)
    with transaction.atomic():
        if taken := _external_id_taken(DirectOpportunity, cleaned.get("external_id", "")):
            raise taken
        opportunity = DirectOpportunity(account=account, **cleaned)
        _save_unique(opportunity)
        audit_record(
            actor=actor,
            verb="opportunity.created",
            target=opportunity,
            after={"account": account.name, **_snapshot(opportunity, OPPORTUNITY_FIELDS)},
            reason=reason,
        )
    return opportunity


def opportunity_update(
    *,
    actor: User,
    opportunity: DirectOpportunity,
    data: dict[str, Any],
    account: Account | None = None,
    reason: str = "",
) -> DirectOpportunity:
    """Change the fields present in `data` (e.g. the stage when it is won or lost), and its account if `account`
    is given; audited before/after."""
    require_manager(actor)
    cleaned = _clean_opportunity_data(data, partial=True)
    with transaction.atomic():
        opportunity = DirectOpportunity.objects.select_for_update().select_related("account").get(pk=opportunity.pk)
        before = _snapshot(opportunity, cleaned)
        changed = [field for field, value in cleaned.items() if _audit_value(value) != before[field]]
        moved = account is not None and account.pk != opportunity.account_id
        if not changed and not moved:
            return opportunity
        if "external_id" in changed and (
            taken := _external_id_taken(DirectOpportunity, cleaned["external_id"], exclude_pk=opportunity.pk)
        ):
            raise taken
        before = {field: before[field] for field in changed}
        after_extra = {}
        if moved:
            before["account"] = opportunity.account.name
            after_extra["account"] = account.name
            opportunity.account = account
        for field in changed:
            setattr(opportunity, field, cleaned[field])
        _save_unique(opportunity, update_fields=[*changed, *(["account"] if moved else [])])
        audit_record(
            actor=actor,
            verb="opportunity.updated",
            target=opportunity,
            before=before,
            after={**_snapshot(opportunity, changed), **after_extra},
            reason=reason,
        )
    return opportunity


def opportunity_upsert(
    *, actor: User, external_id: str, data: dict[str, Any], account: Account | None, reason: str = ""
) -> tuple[DirectOpportunity, bool]:
    """The direct opportunity the CRM calls `external_id`: created on `account` with `data` if there is none (True;
    the account is then required), else the fields in `data` changed and moved to `account` if given (False).
    Idempotent, like `account_upsert`."""
    require_manager(actor)
    external_id = _clean_upsert_id(external_id)
    data = {**data, "external_id": external_id}
    existing = DirectOpportunity.objects.filter(external_id=external_id).first()
    if existing is None:
        if account is None:
            raise ValidationError({"account": ["Name the opportunity's account: a new opportunity needs one."]})
        try:
            return opportunity_create(actor=actor, account=account, data=data, reason=reason), True
        except ValidationError:
            existing = DirectOpportunity.objects.filter(external_id=external_id).first()
            if existing is None:
                raise
    return opportunity_update(actor=actor, opportunity=existing, data=data, account=account, reason=reason), False
