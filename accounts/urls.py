from allauth.account import views as allauth_views
from django.shortcuts import redirect
from django.urls import include, path, re_path

from . import views


def _elsewhere(name):
    """A view sending a page of allauth that this site does elsewhere (or not at all) to ``name``."""
    def view(request, *args, **kwargs):
        return redirect(name)
    return view


# allauth's pages this site keeps as its own: listed before allauth's URLs, with allauth's names, so
# that its links and redirects arrive here. Nobody signs up; a password is reset with Django's pages
# (throttled, and lifting the lockout); e-mail addresses are not managed by their owners.
ALLAUTH_ELSEWHERE = [
    path("signup/", _elsewhere("login"), name="account_signup"),
    path("3rdparty/signup/", _elsewhere("login"), name="socialaccount_signup"),
    path("email/", _elsewhere("profile"), name="account_email"),
    path("confirm-email/", _elsewhere("login"), name="account_email_verification_sent"),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", _elsewhere("login"), name="account_confirm_email"),
    path("password/reset/", _elsewhere("password_reset"), name="account_reset_password"),
    path("password/reset/done/", _elsewhere("password_reset_done"), name="account_reset_password_done"),
    path("password/reset/key/done/", _elsewhere("password_reset_complete"),
         name="account_reset_password_from_key_done"),
    re_path(r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$", _elsewhere("password_reset"),
            name="account_reset_password_from_key"),
]

urlpatterns = [
    # allauth's login (password, providers, the second factor) and logout, under Django's names.
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set-language"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("", include("django.contrib.auth.urls")),
    *ALLAUTH_ELSEWHERE,
    path("", include("allauth.urls")),
]
