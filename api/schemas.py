"""The API's request and response shapes. Amounts are objects with their currency ({"amount": "48000.00",
"currency": "EUR"}), times ISO 8601; the shapes match the webhook payloads field for field (webhooks/payloads.py)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

from dealreg.models import Account, DirectOpportunity, Registration
from enablement.models import CertificationAward
from incentives.models import EarningLine
from mdf.models import Claim, FundRequest
from partners.models import Partner

RegistrationStatus = Literal[tuple(Registration.Status.values)]  # type: ignore[valid-type]
StatusFilter = Literal[("active", *Registration.Status.values)]  # type: ignore[valid-type]
Stage = Literal[tuple(Registration.Stage.values)]  # type: ignore[valid-type]
Involvement = Literal[tuple(Registration.Involvement.values)]  # type: ignore[valid-type]
# A row id as the database can hold it (larger numbers are refused by the schema, never sent to the database).
RowId = Annotated[int, Field(ge=1, le=10**18 - 1)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the JSON): no database can store it
            raise ValueError("Text may not contain unpaired surrogates (\\ud800–\\udfff).") from None
    if isinstance(value, dict):
        for item in value.values():
            _no_nul(item)
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Strict(Schema):
    """A request body: unknown fields are refused (422), so a typo never goes unnoticed; so is a NUL character
    (PostgreSQL cannot store one) and an unpaired surrogate (not Unicode text)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        return _no_nul(data)


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] | list[dict] | None = None


class Money(Schema):
    amount: str = Field(examples=["48000.00"])
    currency: str = Field(examples=["EUR"])


class PartnerRef(Schema):
    id: int
    name: str


# --- Deal registrations ----------------------------------------------------------------------------------------


class Explanation(Schema):
    """Where the registration stands and what happens next, as the portal says it; `conflict_reasons` say why it
    conflicts in plain words, never naming another partner or showing its deal."""

    headline: str
    next_step: str
    conflict_reasons: list[str]


class RegistrationOut(Schema):
    id: int
    type: Literal["deal_registration"] = "deal_registration"
    partner: PartnerRef
    name: str
    website: str
    country: str
    contact_name: str
    contact_email: str
    contact_title: str
    products: str
    value: Money | None
    currency: str
    expected_close: date | None
    stage: Stage
    involvement: Involvement
    notes: str
    status: RegistrationStatus
    has_conflict: bool
    explanation: Explanation
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str
    protected_until: datetime | None
    won_amount: Money | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    next: str | None = Field(description="The cursor of the next page (pass it as ?cursor=); null on the last page.")


class RegistrationIn(Strict):
    """A deal registration, with the portal form's rules. `submit: true` submits it for approval (everything a
    channel manager needs must then be given); otherwise it is saved as a draft (only `name` is needed)."""

    name: str = Field(examples=["Acme Corporation"])
    website: str = Field("", examples=["acme.com"])
    country: str = Field("", description="ISO 3166 code, like DE.", examples=["DE"])
    contact_name: str = ""
    contact_email: str = ""
    contact_title: str = ""
    products: str = Field("", description="The products, as text (or pick them with `catalogue_products`).")
    catalogue_products: list[RowId] | None = Field(None, description="Ids of products from the program's catalogue.")
    other_products: str | None = Field(None, description="With `catalogue_products`: anything not in the catalogue.")
    value: Decimal | None = Field(None, description="The estimated value, in `currency`.", examples=["48000"])
    currency: str = Field("USD", examples=["EUR"])
    expected_close: date | None = None
    stage: Stage = "discovery"
    involvement: Involvement = "sourced"
    notes: str = ""
    submit: bool = False


class RegistrationPatch(Strict):
    """Change a registration. A draft (or one sent back for more information): any field of the registration,
    and `submit: true` to submit it. A submitted or approved one: `stage`, `value`, `expected_close`, `notes`.
    Closing an approved one: `stage: "won"` with `won_amount`, or `stage: "lost"`, with an optional `reason`,
    and nothing else."""

    name: str | None = None
    website: str | None = None
    country: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_title: str | None = None
    products: str | None = None
    catalogue_products: list[RowId] | None = None
    other_products: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    expected_close: date | None = None
    stage: Stage | None = None
    involvement: Involvement | None = None
    notes: str | None = None
    won_amount: Decimal | None = None
    reason: str | None = None
    submit: bool | None = None


class CheckIn(Strict):
    name: str = Field(examples=["Acme Corporation"])
    website: str = ""
    country: str = ""


class CheckOut(Schema):
    """The live pre-check the deal form shows while the partner types: hints in plain words (never another
    partner's name or deal); `clear` when nothing matched. Nothing is registered."""

    clear: bool
    hints: list[str]


# --- Partners (staff) ------------------------------------------------------------------------------------------

PartnerType = Literal[tuple(Partner.Type.values)]  # type: ignore[valid-type]
PartnerStatus = Literal[tuple(Partner.Status.values)]  # type: ignore[valid-type]


class TierRef(Schema):
    id: int
    name: str


class PartnerOut(Schema):
    id: int
    type: Literal["partner"] = "partner"
    name: str
    partner_type: PartnerType
    status: PartnerStatus
    tier: TierRef | None
    parent: PartnerRef | None
    website: str
    regions: list[str]
    owner_email: str | None
    applied_at: datetime | None
    approved_at: datetime | None
    activated_at: datetime | None
    created_at: datetime


class PartnerPage(Schema):
    items: list[PartnerOut]
    next: str | None


class PartnerIn(Strict):
    """A partner created directly by the channel team: it starts in onboarding."""

    name: str = Field(min_length=1, max_length=Partner._meta.get_field("name").max_length, examples=["Fabrikam Ltd"])
    partner_type: PartnerType = Field(examples=["var"])
    parent_id: RowId | None = Field(None, description="The distributor it sells through, if any.")


# --- Certifications --------------------------------------------------------------------------------------------

AwardStatus = Literal[tuple(s for s in CertificationAward.Status.values if s != "in_progress")]  # type: ignore[valid-type]


class CertificationRef(Schema):
    id: int
    name: str


class Holder(Schema):
    id: int
    name: str


class AwardOut(Schema):
    id: int
    type: Literal["certification_award"] = "certification_award"
    partner: PartnerRef
    certification: CertificationRef
    holder: Holder
    status: AwardStatus
    awarded_at: datetime
    expires_at: date
    code: str | None = Field(description="The public verification code (null when its holder hid the page).")
    revoked_at: datetime | None


class AwardPage(Schema):
    items: list[AwardOut]
    next: str | None


class VerificationOut(Schema):
    """What the public verification page says about a code, for machines."""

    code: str
    valid: bool
    verdict: str
    detail: str
    valid_until: date | None
    certification: str
    holder: str
    partner: str


# --- MDF (read-only, for the partner) --------------------------------------------------------------------------


class BalanceOut(Schema):
    currency: str
    allocated: Money
    reserved: Money
    paid: Money
    expired: Money
    available: Money


class FundRequestOut(Schema):
    id: int
    type: Literal["mdf_request"] = "mdf_request"
    partner: PartnerRef
    title: str
    activity_type: str
    status: Literal[tuple(FundRequest.Status.values)]  # type: ignore[valid-type]
    starts_on: date | None
    ends_on: date | None
    total_cost: Money | None
    requested_amount: Money | None
    approved_amount: Money | None
    decided_at: datetime | None
    decision_reason: str
    claim_deadline: date | None


class FundRequestPage(Schema):
    items: list[FundRequestOut]
    next: str | None


class ClaimRequestRef(Schema):
    id: int
    title: str


class ClaimOut(Schema):
    id: int
    type: Literal["mdf_claim"] = "mdf_claim"
    partner: PartnerRef
    request: ClaimRequestRef
    status: Literal[tuple(Claim.Status.values)]  # type: ignore[valid-type]
    actual_cost: Money | None
    amount_claimed: Money | None
    approved_amount: Money | None
    paid_amount: Money | None
    paid_on: date | None
    payout_reference: str
    decided_at: datetime | None
    decision_reason: str


class ClaimPage(Schema):
    items: list[ClaimOut]
    next: str | None


# --- Accounts, customers and the direct pipeline (staff, for CRM sync) ----------------------------------------

AccountSize = Literal[("", *Account.Size.values)]  # type: ignore[valid-type]
OpportunityStage = Literal[tuple(DirectOpportunity.Stage.values)]  # type: ignore[valid-type]
ExternalId = Annotated[
    str,
    Field(
        max_length=100,
        description="The record's id in your CRM (unique; empty for none).",
        examples=["0015g00000XyZ12AAB"],
    ),
]


class AccountOut(Schema):
    id: int
    type: Literal["account"] = "account"
    external_id: str | None = Field(description="Its id in your CRM; null when it has none.")
    name: str
    website: str
    domain: str = Field(description="The registrable domain of the website, as the deal matching uses it.")
    country: str
    industry: str
    size: AccountSize
    is_named_account: bool
    is_customer: bool
    account_owner: str
    open_opportunities: int
    created_at: datetime
    updated_at: datetime


class AccountPage(Schema):
    items: list[AccountOut]
    next: str | None


class _CompanyFields(Strict):
    """What an account and a customer share; each field is checked as the manager app's account form checks it."""

    website: str = Field("", description="A domain or a URL.", examples=["northwind.com"])
    country: str = Field("", description="ISO 3166 code (DE) or English name (Germany).", examples=["DE"])
    industry: str = Field("", examples=["Manufacturing"])
    size: AccountSize = ""
    is_named_account: bool = Field(False, description="Reserved for the direct sales team.")
    account_owner: str = Field("", description="Who at the startup owns it.", examples=["Maya Chen"])


class CustomerUpsert(_CompanyFields):
    """A customer as your CRM has it. The fields you send are set; those you leave out keep their value (a new
    customer gets the defaults); `name` is needed when the customer is new."""

    name: str | None = Field(None, examples=["Northwind Traders"])


class AccountUpsert(CustomerUpsert):
    """An account as your CRM has it. The fields you send are set; those you leave out keep their value (a new
    account gets the defaults); `name` is needed when the account is new."""

    is_customer: bool = Field(False, description="An existing customer: renewals and expansions are not new deals.")


class CustomerIn(_CompanyFields):
    name: str = Field(examples=["Northwind Traders"])
    external_id: ExternalId = ""


class AccountIn(CustomerIn):
    is_customer: bool = Field(False, description="An existing customer: renewals and expansions are not new deals.")


class AccountPatch(AccountUpsert):
    """Change the fields you send (for instance attach your CRM's id with `external_id`)."""

    external_id: ExternalId | None = None


class OpportunityAccountRef(Schema):
    id: int
    name: str
    external_id: str | None


class OpportunityOut(Schema):
    id: int
    type: Literal["direct_opportunity"] = "direct_opportunity"
    external_id: str | None = Field(description="Its id in your CRM; null when it has none.")
    account: OpportunityAccountRef
    title: str
    stage: OpportunityStage
    amount: Money | None
    currency: str
    expected_close: date | None
    owner_name: str
    created_at: datetime


class OpportunityPage(Schema):
    items: list[OpportunityOut]
    next: str | None


class OpportunityUpsert(Strict):
    """A direct opportunity as your CRM has it. Name its account by `account` (our id) or `account_external_id`
    (your CRM's id), not both; a new opportunity needs one and a `title`. The fields you send are set; those you
    leave out keep their value."""

    account: RowId | None = Field(None, description="The account's id here.")
    account_external_id: ExternalId | None = Field(None, description="The account's id in your CRM.")
    title: str | None = Field(None, examples=["Northwind: 400 seats"])
    stage: OpportunityStage = "open"
    amount: Decimal | None = Field(None, description="The amount, in `currency`.", examples=["48000.00"])
    currency: str = Field("USD", examples=["EUR"])
    expected_close: date | None = None
    owner_name: str = Field("", examples=["Maya Chen"])


class OpportunityIn(OpportunityUpsert):
    title: str = Field(examples=["Northwind: 400 seats"])  # type: ignore[assignment]
    external_id: ExternalId = ""


class OpportunityPatch(OpportunityUpsert):
    external_id: ExternalId | None = None


class DuplicateError(Error):
    """The record exists already: `existing_id` is the one in the way (update it, or attach your CRM's id to it
    with PATCH)."""

    existing_id: int | None = None


# --- Earnings -------------------------------------------------------------------------------------------------

EarningState = Literal[tuple(EarningLine.State.values)]  # type: ignore[valid-type]
EarningKind = Literal[tuple(EarningLine.Kind.values)]  # type: ignore[valid-type]


class EarningDealRef(Schema):
    id: int
    name: str


class EarningLineOut(Schema):
    """One line of a partner's earnings with its calculation in words. A correction has a negative amount and
    names the line it reverses."""

    id: int
    type: Literal["earning_line"] = "earning_line"
    partner: PartnerRef
    kind: EarningKind
    status: EarningState
    subject: str = Field(description="What it is for: the deal's name or the renewed customer.")
    registration: EarningDealRef | None
    amount: Money
    base_amount: Money = Field(description="What the rule was applied to (the won or renewed amount).")
    calculation: str
    earned_on: date
    payable_on: date
    hold_reason: str = Field(description="Why the line is on hold (empty unless its status is held).")
    approved_at: datetime | None
    paid_at: datetime | None
    paid_on: date | None
    reverses: int | None = Field(description="The id of the line this correction cancels.")
    created_at: datetime


class EarningPage(Schema):
    items: list[EarningLineOut]
    next: str | None


class CurrencyTotals(Schema):
    """One currency's totals by status (amounts in different currencies are never added)."""

    currency: str
    accrued: Money
    approved: Money
    paid: Money
    held: Money
    total: Money


class EarningSummary(Schema):
    lines: int
    currencies: list[CurrencyTotals]
