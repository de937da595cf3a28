from accounts import roles


def inbox(request):
    """The header's inbox link and, for coordinators, the number waiting: counted only when the page
    shows it (a callable the template calls), one COUNT over every source, cached per generation."""
    user = getattr(request, "user", None)

    def waiting():
        from . import inbox as review_inbox

        return review_inbox.waiting_count()

    return {"inbox_link": roles.is_coordinator(user) or roles.is_partner(user),
            "inbox_waiting": waiting if roles.is_coordinator(user) else 0}
