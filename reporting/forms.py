"""Forms of the reporting cycle: thin, the services in ``periods`` and ``narratives`` decide."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registers.validators import validate_no_control_characters

from .models import Narrative, PartnerNarrative

MARKDOWN_HELP = _("Plain text; **bold**, *italic*, lists and links are allowed (Markdown).")


class NarrativeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Narrative
        fields = ["what_happened", "why", "corrective_actions", "next_steps", "is_public"]
        widgets = {name: forms.Textarea(attrs={"rows": 4, "maxlength": 8000}) for name in Narrative.PARTS}
        help_texts = {name: MARKDOWN_HELP for name in Narrative.PARTS}

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in Narrative.PARTS):
            raise forms.ValidationError(gettext("Write at least one part of the narrative."))
        for name in Narrative.PARTS:
            if len(data.get(name) or "") > 8000:
                self.add_error(name, gettext("At most 8,000 characters."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(validators=[validate_no_control_characters], label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand: once closed, the period's figures and narratives are frozen"),
                                 required=True)


class ReopenForm(forms.Form):
    reason = forms.CharField(validators=[validate_no_control_characters], label=_("Reason for reopening"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept in the period's history."))


class PartnerNarrativeForm(forms.Form):
    text = forms.CharField(validators=[validate_no_control_characters],
        label=_("Our contribution"), max_length=PartnerNarrative.MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": PartnerNarrative.MAX_LENGTH}),
        help_text=_("What your organisation did for this indicator in the period. Plain text; **bold**, *italic*, "
                    "lists and links are allowed (Markdown)."))
