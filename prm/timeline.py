"""Timeline sentences: who did what to which object, in natural English, for either audience.

One helper for every timeline (a partner's activity, a deal, an MDF request and its claim), so that they all read
the same way:

- the channel team sees names, subject first: "Maya Chen approved the application", "Anna Keller changed Nikos'
  role to sales"; a worker's event has no subject ("Marked the partner dormant…") and says it ran automatically;
- a partner sees its own colleagues by name and anyone at the startup as "our channel team", after what happened:
  "Conflict resolved by our channel team", "Submitted for approval by Anna Keller", "Protection expired
  automatically". Another partner is never named (a distributor acting on its reseller is the channel team too).

Possessives follow one rule: a name ending in "s" takes a bare apostrophe ("Nikos'", "James'", "Atlas
Distribution's" but "Quartz Systems'"), every other name takes "'s" ("Anna's"). Templates write `{user!p}`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from prm.phrases import capfirst, fill

Audience = Literal["manager", "partner"]

CHANNEL_TEAM = "our channel team"
AUTOMATICALLY = "automatically"


@dataclass(frozen=True)
class Actor:
    """Who acted, as one audience names them: `name` is "" for a worker (the system)."""

    name: str
    is_system: bool = False
    is_team: bool = False  # someone at the startup, seen from a partner


def actor_for(
    *,
    actor_id: int | None,
    audience: Audience,
    names: Mapping[int, str],
    label: str = "",
) -> Actor:
    """Name an event's actor for `audience`. `names` maps user ids to display names: for a manager every actor
    (a deleted user falls back to `label`), for a partner only its own colleagues (anyone else is the team)."""
    if actor_id is None and not (audience == "manager" and label and label != "system"):
        return Actor("", is_system=True)
    if audience == "partner":
        if actor_id in names:
            return Actor(names[actor_id])
        return Actor(CHANNEL_TEAM, is_team=True)
    return Actor(names.get(actor_id, label) if actor_id is not None else label)


def by_phrase(actor: Actor) -> str:
    """ " by Anna Keller", " by our channel team" or " automatically": what follows a passive phrase."""
    return f" {AUTOMATICALLY}" if actor.is_system else f" by {actor.name}"


def partner_sentence(template: str, actor: Actor, values: Mapping[str, Any] | None = None) -> str:
    """A passive sentence for a partner: "Conflict resolved by our channel team". The template may place the actor
    with `{by}` ("Approved{by}: {money} reserved"); without it the actor comes last. A template that already
    says "automatically" is not told twice."""
    by = by_phrase(actor)
    if actor.is_system and AUTOMATICALLY in template.lower():
        by = ""
    values = {**(values or {}), "by": by}
    if "{by}" not in template:
        template += "{by}"
    return capfirst(fill(template, values).strip())


def manager_sentence(predicate: str, actor: Actor) -> tuple[str, str]:
    """(subject, the rest) for the channel team: ("Maya Chen", "approved the application"), or for a worker
    ("", "Marked the partner dormant…") with no subject; the template says "automatically" next to it."""
    if actor.is_system:
        return "", capfirst(predicate)
    return actor.name, predicate


@dataclass(frozen=True)
class Line:
    """One timeline row, ready for a template: `actor` (bold, may be ""), `text`, `automatic`, `reason`."""

    when: datetime
    actor: str
    text: str
    automatic: bool
    reason: str = ""
    verb: str = ""  # the audit verb, for tests and styling

    @property
    def sentence(self) -> str:
        return f"{self.actor} {self.text}".strip() if self.actor else self.text


def user_names(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: display name} for the channel team's timelines, in one query."""
    from prm.models import User  # the models import this module's helpers; read users lazily

    ids = {pk for pk in user_ids if pk}
    if not ids:
        return {}
    users = User.objects.filter(pk__in=ids).only("id", "first_name", "last_name", "email")
    return {user.pk: user.display_name for user in users}


_PAST_WITHOUT_ED = {"won", "lost", "sent", "paid", "held", "made"}


def manager_predicate(event: Any) -> str:
    """The event's predicate for the channel team: its registered sentence (AuditEvent.summary), else a sentence
    made from the verb: "deal.approved" → "approved the deal"; otherwise the verb's words ("deal info requested")."""
    from prm.models import AUDIT_SENTENCES  # the models import this module's helpers

    if event.verb in AUDIT_SENTENCES or "." not in event.verb:
        return event.summary
    noun, action = event.verb.split(".", 1)
    if "_" not in action and (action.endswith("ed") or action in _PAST_WITHOUT_ED):
        return f"{action} the {noun.replace('_', ' ')}"
    return event.summary


def manager_lines(events: Iterable[Any]) -> list[Line]:
    """Audit events as the channel team reads them (each event's `summary` is its predicate), in the given order.
    Actors come from `select_related("actor")` when the events have it, else from one query."""
    events = list(events)
    loaded = [e for e in events if e.actor_id and "actor" in e._state.fields_cache]  # select_related("actor")
    names = {e.actor_id: e.actor.display_name for e in loaded if e.actor is not None}
    names.update(user_names(e.actor_id for e in events if e.actor_id not in names))
    lines = []
    for event in events:
        actor = actor_for(actor_id=event.actor_id, audience="manager", names=names, label=event.actor_label)
        subject, text = manager_sentence(manager_predicate(event), actor)
        lines.append(Line(event.created_at, subject, text, actor.is_system, event.reason, event.verb))
    return lines


def partner_lines(events: Iterable[Any], *, names: Mapping[int, str], words: Any) -> list[Line]:
    """Audit events as a partner reads them: `words(event)` gives (a passive template, the reason to show);
    `names` are the partner's own people (anyone else is "our channel team")."""
    lines = []
    for event in events:
        actor = actor_for(actor_id=event.actor_id, audience="partner", names=names)
        template, reason = words(event)
        lines.append(Line(event.created_at, "", partner_sentence(template, actor), actor.is_system, reason, event.verb))
    return lines
