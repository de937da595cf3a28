"""Bulk import of organisations and alliance members from CSV or XLSX: the declarations.

The framework (reading, parsing cells, the stash between preview and confirmation,
all-or-nothing, templates) is ``registers.imports``; the rules are the models' own
functions (``membership_period_error``, ``periods_overlap``, ``region_country_error``,
``organisation_key``), called here and by ``clean()``. Three steps: ``read_upload``
checks the file (size, extension, content) and returns its rows; ``validate_rows`` checks every row (unknown country, bad date, duplicate in the
file or in the database...) without writing; ``import_rows`` validates again and writes
all rows in one transaction with ``bulk_create``, or nothing.

Validation reads the existing organisations and memberships once, so a 10,000-row file
costs a handful of queries, not one per row.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from simple_history.utils import bulk_create_with_history

from indicators.triggers import records_created, rollups_deferred
from organisations.models import (
    Organisation,
    Region,
    duplicate_organisation_error,
    organisation_key,
    region_country_error,
)
from registers import generations, imports, jobs
from registers.imports import (  # noqa: F401 - the views and tests use them through this module
    ImportRefused,
    UploadError,
    claim_rows,
    load_rows,
    read_upload,
    release_rows,
    stash_rows,
)
from registers.validators import validate_event_date

from .models import AllianceMember, membership_overlap_error, membership_period_error, periods_overlap

ORGANISATIONS = "organisations"
MEMBERS = "members"
KINDS = {ORGANISATIONS: gettext_lazy("Organisations"), MEMBERS: gettext_lazy("Alliance members")}

COLUMNS = {
    ORGANISATIONS: ["name", "acronym", "kind", "country", "region", "city", "website", "erasmus_oid", "pic",
                    "is_consortium_partner"],
    MEMBERS: ["organisation", "country", "kind", "category", "joined_on", "left_on", "note"],
}
REQUIRED = {ORGANISATIONS: {"name", "country"}, MEMBERS: {"organisation", "country", "category", "joined_on"}}
EXAMPLES = {
    ORGANISATIONS: ["Centro Integrado de FP Easo", "EASO", "vet", "ES", "ES21", "Donostia",
                    "https://www.easo.eus", "", "", "no"],
    MEMBERS: ["Centro Integrado de FP Easo", "ES", "vet", "vet", "2024-05-02", "", "Joined at the Bilbao meeting"],
}
HELP = {
    "name": "Required.", "organisation": "Required: the organisation's name; a new one is registered.",
    "country": "Required: ISO code (ES) or English name (Spain).",
    "kind": "Organisation type: " + ", ".join(Organisation.Kind.values) + " (default other).",
    "category": "Required: " + ", ".join(AllianceMember.Category.values) + ".",
    "joined_on": "Required: YYYY-MM-DD or DD/MM/YYYY.", "left_on": "Optional: YYYY-MM-DD or DD/MM/YYYY.",
    "region": "Optional NUTS code, e.g. ES21.", "website": "Optional: https://…",
    "erasmus_oid": "Optional: E and 8 digits.", "pic": "Optional: 9 digits.",
    "is_consortium_partner": "yes or no (default no).",
}
MAX_ROWS = imports.MAX_ROWS


# --- Validation ----------------------------------------------------------------------------------------


def validate_rows(kind, rows, progress=None):
    """Check every row; return ``[{"line", "values", "errors"}]`` (line 2 is the first data line).

    ``values`` are the parsed values, JSON-serialisable, ready for ``import_rows``.
    ``progress(checked=n)``, if given, hears how many rows were checked, batch by batch.
    """
    if kind == ORGANISATIONS:
        return _validate_organisations(rows, progress)
    return _validate_members(rows, progress)


def _existing_organisations():
    return {organisation_key(name, country): pk for pk, name, country in
            Organisation.objects.values_list("pk", "name", "country")}


def _organisation_values(row, errors, *, name_key):
    name = imports.text(row, name_key)
    if not name:
        errors.append(f"{name_key}: required.")
    raw_country = imports.text(row, "country")
    country = imports.country(raw_country)
    if not raw_country:
        errors.append("country: required.")
    elif country is None:
        errors.append(f"country: unknown country {raw_country!r}.")
    kind = Organisation.Kind.OTHER
    if imports.text(row, "kind"):
        kind = imports.choice(row.get("kind"), Organisation.Kind.choices)
        if kind is None:
            errors.append(f"kind: unknown type {imports.text(row, 'kind')!r}; use one of {', '.join(Organisation.Kind.values)}.")
    return {"name": name, "country": country, "kind": kind}


def _check_fields(model, values, errors, exclude):
    try:
        model(**values).clean_fields(exclude=exclude)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.append(f"{field}: {' '.join(messages)}")


def _validate_organisations(rows, progress):
    existing = _existing_organisations()
    regions = {region.code: region for region in Region.objects.order_by("nuts_version")}
    taken_oid = set(Organisation.objects.exclude(erasmus_oid="").values_list("erasmus_oid", flat=True))
    taken_pic = set(Organisation.objects.exclude(pic="").values_list("pic", flat=True))
    seen, seen_oid, seen_pic = {}, {}, {}
    preview = []
    for line, row in imports.checking(rows, progress):
        errors = []
        values = _organisation_values(row, errors, name_key="name")
        values.update({"acronym": imports.text(row, "acronym"), "city": imports.text(row, "city"),
                       "website": imports.text(row, "website"), "erasmus_oid": imports.text(row, "erasmus_oid").upper(),
                       "pic": imports.text(row, "pic"), "region_id": None})
        try:
            values["is_consortium_partner"] = imports.boolean(row.get("is_consortium_partner"))
        except ValueError as bad:
            errors.append(f"is_consortium_partner: {bad} is not yes or no.")
            values["is_consortium_partner"] = False
        code = imports.text(row, "region").upper()
        if code:
            region = regions.get(code)
            if region is None:
                errors.append(f"region: unknown region {code!r}.")
            elif region_country_error(region, values["country"]):
                errors.append(f"region: {region_country_error(region, values['country'])}")
            else:
                values["region_id"] = region.pk
        _check_fields(Organisation, {k: v for k, v in values.items() if v not in (None,)}, errors,
                      exclude=["name", "country", "kind", "region"])
        key = organisation_key(values["name"], values["country"])
        if values["name"] and values["country"]:
            if key in existing:
                errors.append(f"duplicate: {duplicate_organisation_error(values['name'], values['country'])}")
            elif key in seen:
                errors.append(f"duplicate: the same organisation as line {seen[key]}.")
            seen.setdefault(key, line)
        for field, taken, seen_values in (("erasmus_oid", taken_oid, seen_oid), ("pic", taken_pic, seen_pic)):
            value = values[field]
            if value:
                if value in taken:
                    errors.append(f"{field}: {value} is already registered.")
                elif value in seen_values:
                    errors.append(f"{field}: {value} also on line {seen_values[value]}.")
                seen_values.setdefault(value, line)
        preview.append({"line": line, "values": values, "errors": errors})
    return preview


def _validate_members(rows, progress):
    existing = _existing_organisations()
    periods = {}
    for organisation_id, joined_on, left_on in AllianceMember.objects.values_list("organisation_id", "joined_on",
                                                                                   "left_on"):
        periods.setdefault(organisation_id, []).append((joined_on, left_on))
    seen = {}
    preview = []
    for line, row in imports.checking(rows, progress):
        errors = []
        values = _organisation_values(row, errors, name_key="organisation")
        category = imports.choice(row.get("category"), AllianceMember.Category.choices)
        if category is None:
            errors.append(f"category: {'required' if not imports.text(row, 'category') else repr(imports.text(row, 'category')) + ' is unknown'}; "
                          f"use one of {', '.join(AllianceMember.Category.values)}.")
        values["category"] = category
        values["note"] = imports.text(row, "note")
        joined_on = left_on = None
        for field in ("joined_on", "left_on"):
            raw = row.get(field)
            if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
                if field == "joined_on":
                    errors.append("joined_on: required.")
                continue
            try:
                parsed = imports.date(raw)
            except ValueError:
                errors.append(f"{field}: {str(raw).strip()!r} is not a date (YYYY-MM-DD).")
                continue
            try:
                validate_event_date(parsed)
            except ValidationError as error:
                errors.append(f"{field}: {' '.join(error.messages)}")
                continue
            if field == "joined_on":
                joined_on = parsed
            else:
                left_on = parsed
        period_error = membership_period_error(joined_on, left_on)
        if period_error:
            errors.append(f"left_on: {period_error}")
        values["joined_on"] = joined_on.isoformat() if joined_on else None
        values["left_on"] = left_on.isoformat() if left_on else None
        key = organisation_key(values["name"], values["country"])
        values["organisation_id"] = existing.get(key)
        if values["name"] and values["country"]:
            if key in seen:
                errors.append(f"duplicate: {values['name']} is also on line {seen[key]}.")
            seen.setdefault(key, line)
            if values["organisation_id"] and joined_on and not period_error:
                for start, end in periods.get(values["organisation_id"], []):
                    if periods_overlap(joined_on, left_on, start, end):
                        errors.append(f"duplicate: {membership_overlap_error(values['name'], start)}")
                        break
        preview.append({"line": line, "values": values, "errors": errors})
    return preview


# --- Importing -----------------------------------------------------------------------------------------


def import_rows(*, kind, rows, user=None, progress=None):
    """Write all rows or none, in one transaction; return the number of records created.

    The rows are validated again (the database may have changed since the preview);
    if any row has an error nothing is written and ``ImportRefused`` lists them. One
    roll-up is requested when the transaction commits. ``progress``, if given, hears
    ``checked=n`` while the rows are validated, then ``done=n`` as they are written.
    """
    try:
        with rollups_deferred(), transaction.atomic():
            return _import(kind, rows, user, progress)
    except IntegrityError:
        # Somebody registered one of these organisations between validation and insert.
        raise ValidationError(gettext("Nothing was imported: the registers changed meanwhile. Upload the file again.")) from None


def _write(objects, model, user, progress=None):
    for batch in imports.in_batches(objects, progress):
        bulk_create_with_history(batch, model, batch_size=imports.WRITE_BATCH, default_user=user)
    # bulk_create sends no signal: the cached pages showing ``model`` are dropped here.
    generations.bump_on_commit(model)


def _import(kind, rows, user, progress):
    preview = validate_rows(kind, rows, progress)
    if any(p["errors"] for p in preview):
        raise ImportRefused(preview)
    if kind == ORGANISATIONS:
        organisations = [Organisation(**p["values"]) for p in preview]
        _write(organisations, Organisation, user, progress)
        return len(organisations)
    new, ids = {}, {}
    for p in preview:
        v = p["values"]
        if not v["organisation_id"]:
            new[organisation_key(v["name"], v["country"])] = Organisation(name=v["name"], country=v["country"],
                                                                  kind=v["kind"])
    if new:
        _write(list(new.values()), Organisation, user)
        ids = _existing_organisations()
    members = []
    for p in preview:
        v = p["values"]
        organisation_id = v["organisation_id"] or ids[organisation_key(v["name"], v["country"])]
        members.append(AllianceMember(
            organisation_id=organisation_id, category=v["category"], note=v["note"],
            joined_on=datetime.date.fromisoformat(v["joined_on"]),
            left_on=datetime.date.fromisoformat(v["left_on"]) if v["left_on"] else None))
    _write(members, AllianceMember, user, progress)
    records_created(AllianceMember, members)  # bulk_create sends no signal: the outbox rows
    return len(members)


# --- Template ------------------------------------------------------------------------------------------


def template_csv(kind):
    return imports.template_csv(COLUMNS[kind], EXAMPLES[kind])


def template_xlsx(kind):
    return imports.template_xlsx(str(KINDS[kind]), COLUMNS[kind], EXAMPLES[kind], HELP)


# --- As a job (large files) ----------------------------------------------------------------------------


def import_job_run(job):
    """The worker's side of ``import_job_start``: import, reporting progress; keep the outcome on the job."""
    with job.file.open("rb") as stash:
        kind, rows = imports.read_stash(stash)
    progress = jobs.Progress(job)
    progress(total=len(rows))
    try:
        count = import_rows(kind=kind, rows=rows, user=job.user, progress=progress)
    except ImportRefused as refused:
        progress.flush()
        bad = sum(1 for p in refused.preview if p["errors"])
        jobs.job_fail(job=job, preview=refused.preview, message_args={"bad": bad, "total": len(rows)},
                      message=gettext_noop("Nothing was imported: %(bad)s of %(total)s rows have errors."))
    except ValidationError as error:
        jobs.job_fail(job=job, message=" ".join(error.messages))
    else:
        progress.flush()
        jobs.job_finish(job=job, message=gettext_noop("Imported %(count)s %(kind)s."),
                        message_args={"count": count, "kind": str(KINDS[kind]).lower()})
    job.file.delete(save=True)  # the rows are in the registers now, or refused: the user uploads again
    return job.status
