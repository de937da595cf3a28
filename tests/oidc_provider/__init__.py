"""A real OpenID Connect provider for the sign-in tests: django-oauth-toolkit's, run as a second Django
process on loopback by tests/e2e/test_sso.py (``settings`` and ``urls`` here, an RSA key and a database
made at test time). Its people are made by ``python -m tests.oidc_provider.people``."""
