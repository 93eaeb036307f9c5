"""Proof files kept between tries of the claim form.

Browsers forget chosen files when a form comes back with an error, so a partner who mistyped an amount would have
to find its five invoices again. Instead, every file that passed its checks is held in private storage and the
form carries a signed token for it (who may use it, where it is, its name and kind); the next post hands the held
files to the service with the new ones. Tokens are bound to the user and the partner and expire after a day;
held files are removed once the claim is saved or the partner drops them, and `discard_stale` removes the ones
nobody came back for.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from mdf.models import ProofFile
from partners.models import Partner
from prm.models import User
from prm.uploads import private_storage, safe_filename

SALT = "mdf.held-proof"
MAX_AGE = 24 * 60 * 60
PREFIX = "mdf/held"


@dataclass(frozen=True)
class HeldProof:
    token: str
    path: str
    name: str
    kind: str
    size: int

    @property
    def kind_label(self) -> str:
        return str(ProofFile.Kind(self.kind).label) if self.kind in ProofFile.Kind.values else self.kind


def hold(files: list[tuple[UploadedFile, str]], *, partner: Partner, user: User) -> list[HeldProof]:
    """Store checked uploads privately until the form is sent again; a token for each."""
    storage = private_storage()
    held = []
    for file, kind in files:
        file.seek(0)
        path = storage.save(f"{PREFIX}/{uuid.uuid4().hex}/{safe_filename(file.name)}", file)
        name = (file.name or "file")[:255]
        token = signing.dumps(
            {"p": path, "n": name, "k": kind, "s": file.size, "o": partner.pk, "u": user.pk}, salt=SALT
        )
        held.append(HeldProof(token=token, path=path, name=name, kind=kind, size=file.size))
    return held


def read_held(tokens: list[str], *, partner: Partner, user: User) -> tuple[list[HeldProof], int]:
    """The held files the posted tokens point at, and how many tokens could not be used (expired, tampered with,
    another user's, or the file is gone)."""
    storage = private_storage()
    held, lost = [], 0
    seen = set()
    for token in tokens[:50]:
        try:
            data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            lost += 1
            continue
        path = str(data.get("p", ""))
        if (
            data.get("o") != partner.pk
            or data.get("u") != user.pk
            or not path.startswith(f"{PREFIX}/")
            or path in seen
            or not storage.exists(path)
        ):
            lost += 1
            continue
        seen.add(path)
        held.append(HeldProof(token=token, path=path, name=data["n"], kind=data["k"], size=int(data["s"])))
    return held, lost


def open_held(held: list[HeldProof]) -> list[tuple[File, str]]:
    """The held files as open File objects under their original names, ready for the service."""
    storage = private_storage()
    return [(File(storage.open(h.path, "rb"), name=h.name), h.kind) for h in held]


def close_all(files: list[tuple[File, str]]) -> None:
    for file, _ in files:
        file.close()


def discard(held: list[HeldProof]) -> None:
    storage = private_storage()
    for h in held:
        storage.delete(h.path)


def discard_stale(*, older_than: timedelta = timedelta(seconds=MAX_AGE * 2), now: datetime | None = None) -> int:
    """Remove held files nobody came back for (their tokens have expired anyway). Idempotent; returns how many
    files were removed. Meant for a daily sweep."""
    storage = private_storage()
    now = now or timezone.now()
    removed = 0
    try:
        folders, _ = storage.listdir(PREFIX)
    except FileNotFoundError:
        return 0
    for folder in folders:
        for name in storage.listdir(f"{PREFIX}/{folder}")[1]:
            path = f"{PREFIX}/{folder}/{name}"
            if now - storage.get_modified_time(path) > older_than:
                storage.delete(path)
                removed += 1
    return removed
