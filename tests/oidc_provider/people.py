"""Make the test provider's people and its client application:
``python -m tests.oidc_provider.people '<json>'`` with {"client_id", "secret", "redirect_uri",
"people": [{"username", "email", "password", "verified", "first_name", "last_name"}]}."""

import json
import os
import sys


def main(spec):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    unverified = Group.objects.get_or_create(name="unverified")[0]
    for person in spec["people"]:
        user = User.objects.create_user(person["username"], person["email"], person["password"],
                                        first_name=person.get("first_name", ""), last_name=person.get("last_name", ""))
        if not person.get("verified", True):
            user.groups.add(unverified)
    Application.objects.create(
        name="LCAMP Tracker", client_id=spec["client_id"], client_secret=spec["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=spec["redirect_uri"], algorithm=Application.RS256_ALGORITHM, skip_authorization=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
