from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using LCAMP Tracker, working for one organisation of the network.

    What the user may do comes from the role groups (see ``accounts.roles``); what a
    partner may see is limited to its organisation's records. The organisation's model is
    named by a setting (``ORGANISATION_MODEL``), as Django names its own user model: this
    floor names no app above it.
    """

    organisation = models.ForeignKey(
        settings.ORGANISATION_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
        help_text=_("The organisation this person works for. Partners see only its records."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages and e-mails for this person. Empty: the browser's language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def preferred_language(self):
        """The language to write to this person in: their saved one, else the site's default."""
        return self.language or settings.LANGUAGE_CODE

    def language_override(self):
        """``with user.language_override(): ...`` renders text (an e-mail) in this person's language."""
        return translation.override(self.preferred_language())

class NotificationOptOut(models.Model):
    """A person does not want the e-mails of one kind (see ``accounts.notifications``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_opt_outs", verbose_name=_("user"))
    kind = models.CharField(max_length=30, verbose_name=_("kind"))

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="opt_out_unique_kind")]

    def __str__(self):
        return _("%(user)s opts out of %(kind)s") % {"user": self.user, "kind": self.kind}


validate_domain = RegexValidator(
    r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$",
    _("Enter a domain name such as tknika.eus: lower-case letters, digits, hyphens and dots, no @."))


class SignInDomain(models.Model):
    """An e-mail domain an administrator ties to an organisation: a person whose identity provider
    vouches for an address at this domain may sign in without an invitation, and arrives as a
    partner viewer of the organisation (the least role) until a coordinator raises it."""

    domain = models.CharField(_("domain"), max_length=253, unique=True, validators=[validate_domain],
                              help_text=_("The part after the @, e.g. tknika.eus (subdomains are not included)."))
    organisation = models.ForeignKey(settings.ORGANISATION_MODEL, on_delete=models.CASCADE,
                                     related_name="sign_in_domains", verbose_name=_("organisation"))

    class Meta:
        verbose_name = _("sign-in domain")
        verbose_name_plural = _("sign-in domains")
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)
