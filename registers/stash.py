"""The rows of an import waiting between its preview and its confirmation (and then for its job).

They wait in a signed JSON file under PRIVATE_MEDIA_ROOT, never in a public path:
``stash_rows`` writes them and returns a token; the confirmation ``claim_rows`` them (a
rename, so a double-click imports once) and ``release_rows`` gives them back when the
import is refused; ``stashes_clean`` deletes those nobody confirmed.
"""

import json
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

SIGNING_SALT = "registers.imports"


def _stash_dir():
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o750)
    return path


def stash_rows(*, kind, rows, user):
    """Keep the rows until the user confirms; return a signed token naming the file."""
    name = uuid.uuid4().hex
    payload = json.dumps({"kind": kind, "user": user.pk, "rows": rows, "at": timezone.now().isoformat()},
                         default=str)
    (_stash_dir() / f"{name}.json").write_text(payload, encoding="utf-8")
    return signing.dumps({"name": name, "user": user.pk}, salt=SIGNING_SALT)


def load_rows(*, token, user, max_age=3600):
    """The kind and rows stashed under ``token`` by the same user within ``max_age`` seconds."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=max_age)
    except signing.BadSignature:
        raise ValidationError(gettext("The preview has expired; upload the file again.")) from None
    if data.get("user") != user.pk:
        raise ValidationError(gettext("The preview has expired; upload the file again."))
    path = _stash_dir() / f"{data['name']}.json"
    if not path.exists():
        if any(_stash_dir().glob(f"{data['name']}.claimed-*")):
            raise ValidationError(gettext("These rows are being imported already."))
        raise ValidationError(gettext("The preview has expired or was imported already; upload the file again."))
    stored = json.loads(path.read_text(encoding="utf-8"))
    return stored["kind"], stored["rows"], path


def claim_rows(*, token, user):
    """Like ``load_rows``, but takes the stash for this request alone.

    The stash file is renamed (atomic on one file system) before it is read, so a
    double-click that sends the confirmation twice imports the rows once: the second
    request finds nothing to claim. ``release_rows`` gives it back if the import fails.
    """
    kind, rows, path = load_rows(token=token, user=user)
    claimed = path.with_name(f"{path.stem}.claimed-{uuid.uuid4().hex}")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        raise ValidationError(gettext("These rows are being imported already.")) from None
    return kind, rows, claimed


def release_rows(claimed):
    """Put a claimed stash back, so the user can confirm again after an error."""
    claimed.rename(claimed.with_name(claimed.name.split(".claimed-")[0] + ".json"))


def stash_file_name(claimed):
    """A claimed stash's name in private storage (``registers.storage``), for an import job's file."""
    return os.path.relpath(os.path.abspath(claimed), os.path.abspath(settings.PRIVATE_MEDIA_ROOT))


def read_stash(file):
    """The kind and rows of a stash file (an open binary file)."""
    stored = json.loads(file.read().decode("utf-8"))
    return stored["kind"], stored["rows"]


def stashes_clean(*, before):
    """Delete the stashes written before ``before`` (an aware datetime): previews never confirmed,
    and rows of imports that were lost with their worker. Return how many."""
    count = 0
    for path in _stash_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < before.timestamp():
            path.unlink(missing_ok=True)
            count += 1
    return count
