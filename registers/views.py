from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from accounts import roles

from . import generations, jobs, pagecache
from .access import OWN, READ, check_access
from .models import Job
from .registry import REGISTER_PAGES


def index(request):
    """All registers the user may open, with links; no count per register (a COUNT(*) of each big table
    on every load). A partner finds the registers of its own organisation's records and the directory."""
    user = request.user
    partner = user.is_authenticated and roles.is_partner(user)
    denied = check_access(request, partners=READ if partner else "")
    if denied:
        return denied
    shown = [r for r in REGISTER_PAGES.values() if not partner or r.partner_access in (OWN, READ)]
    can_edit = any(r.may_write(user) for r in shown)
    writable = {r.key for r in shown if r.may_write(user)}

    def build():
        registers = [{"register": r, "url": r.url("list"),
                      "create_url": r.url("create") if r.key in writable and r.creatable() else None}
                     for r in shown]
        return render_to_string("registers/index_content.html", {
            "registers": registers, "can_edit": can_edit, "is_partner": partner,
            "extra_links": [] if partner else [link for r in shown for link in r.extra_links],
        })

    # The same for every viewer with the same rights (whether a register can take a record now is
    # a record's matter): cached until a record of a register changes, like the lists.
    models = {label for r in REGISTER_PAGES.values() for label in generations.shown_with(r.model)}
    content = pagecache.cached("registers:index", request, build, models=models,
                               vary=[can_edit, partner, ",".join(sorted(writable))])
    return render(request, "registers/index.html", {"content": content})


# --- Import and export jobs ---------------------------------------------------------------------


def _own_job(request, pk):
    """The job ``pk`` if the requesting user started it; anybody else's (or none) answers 404.

    The job pages let partners in (``partners=READ``): a partner's export of its own records is a
    job too, and every job is its user's only."""
    return get_object_or_404(Job, pk=pk, user=request.user)


def job_view(request, pk):
    """A long import or export: its progress while it runs (the page follows it without reloading;
    without JavaScript it reloads itself), then its outcome: the message, the rows' errors, the file."""
    denied = check_access(request, partners=READ)
    if denied:
        return denied
    job = _own_job(request, pk)
    return render(request, "registers/job.html", {
        "job": job, "counts": job.counts(), "message": jobs.job_message(job),
        "list_url": job.params.get("list_url", ""),
    })


def job_status(request, pk):
    """The counts of a job as JSON, which the job page reads every second while it runs."""
    denied = check_access(request, partners=READ)
    if denied:
        return denied
    job = _own_job(request, pk)
    return JsonResponse({"status": job.status, "finished": job.is_finished, **job.counts()})


def job_download(request, pk):
    """A finished export's file, to the user who asked for it only."""
    denied = check_access(request, partners=READ)
    if denied:
        return denied
    job = _own_job(request, pk)
    if job.kind != Job.Kind.EXPORT or job.status != Job.Status.DONE or not job.file:
        raise Http404("No file.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
