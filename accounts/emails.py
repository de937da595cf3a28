"""E-mails written in the recipient's language (issue 15).

Every e-mail to a person goes through ``send_in_language``: the subject and the body
are rendered under ``translation.override(user.language)`` (the site's default when
the person chose none). The reminders and the MoU and invitation e-mails use it.
"""

from django.core.mail import send_mail
from django.template.loader import render_to_string


def render_in_language(user, template, context):
    """The template rendered in ``user``'s language."""
    with user.language_override():
        return render_to_string(template, context)


def send_in_language(user, *, subject, template, context, address=None, from_email=None):
    """Send one e-mail to ``user`` (at ``address``, default their e-mail) in their language.

    ``subject`` is a (lazy) translatable string or a callable returning one; either is
    evaluated inside the recipient's language. Returns the number sent (0 or 1).
    """
    address = address or user.email
    if not address:
        return 0
    with user.language_override():
        text = subject() if callable(subject) else subject
        body = render_to_string(template, context)
        return send_mail(str(text), body, from_email, [address])
