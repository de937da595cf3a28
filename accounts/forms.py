"""The login form: allauth's, with the field named ``username`` as Django's was (bookmarked
scripts, password managers and the lockout's tests post it)."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        self.fields.clear()
        self.fields["username"] = fields.pop("login")
        self.fields.update(fields)
        self.fields["username"].widget.attrs.pop("placeholder", None)
        self.fields["username"].widget.attrs["autofocus"] = True

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def clean(self):
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]
        return super().clean()
