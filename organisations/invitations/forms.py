"""The form a manager fills in to invite a person."""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from registers.pickers import use_pickers
from registers.validators import validate_no_control_characters


class InvitationForm(forms.Form):
    first_name = forms.CharField(validators=[validate_no_control_characters], label=_("First name"), max_length=150)
    last_name = forms.CharField(validators=[validate_no_control_characters], label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), max_length=150,
                             help_text=_("The invitation goes here; it is also the username to log in with."))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None,
                                          help_text=_("The network organisation the person works for. "
                                                      "They will see and submit its MoUs only."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False,
                                 help_text=_("The language of the invitation e-mail and of the pages for this person."))

    def __init__(self, *args, **kwargs):
        from organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("-is_consortium_partner", "name")
        self.fields["language"].initial = translation.get_language()
        use_pickers(self)  # a search field: a deployment may hold a hundred thousand organisations
