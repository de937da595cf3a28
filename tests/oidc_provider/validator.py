"""The claims the test provider gives: e-mail, whether it verified it (people in the group
"unverified" have an address it did not verify), and the name."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "email_verified": not user.groups.filter(name="unverified").exists(),
                "given_name": user.first_name, "family_name": user.last_name, "preferred_username": user.username}
