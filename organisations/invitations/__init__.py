"""Partner accounts by invitation.

A manager enters a name, an e-mail address and an organisation; the account is
created inactive with the partner role, and the person receives a link that lets
them choose a password once, within ``INVITATION_TIMEOUT`` (7 days). The link is a
``TimestampSigner`` signature over the user's id and a fingerprint of the account's
state (password hash, active flag, last login): setting the password changes that
state, so a used link no longer matches and says it was used.

``services`` holds the link and the account, ``forms`` and ``views`` the two pages, ``urls`` their
paths (included under /accounts/ by ``lcamp.urls``).
"""
