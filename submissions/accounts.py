"""Account pages for submitters: sign up, confirm the address, and the API token CI uploads with.

Signing up answers the same whatever the email: the form's page says "check your inbox", and
the inbox gets either a link that activates the new account or, when the address has an account
already, a note saying so with the login and password-reset links. Whether an address has an
account is told to that address only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetView
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from benchcouncil.auth import signed_in_user
from benchcouncil.form_throttle import throttled

from .forms import SignupForm

SUBJECT = "[BenchCouncil Rankings] Your submitter account"

password_reset = throttled("password_reset", what="password reset requests", per_field="email")(
    PasswordResetView.as_view()
)


@require_http_methods(["GET", "POST"])
@throttled("signup", what="sign-ups")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("submissions:mine")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup_register(form=form)
        return render(request, "registration/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


def signup_register(*, form: SignupForm) -> None:
    """Create an inactive account and mail its activation link, or tell the holder of the address."""
    user = form.save(commit=False)  # hashes the password in both cases: the same work either way
    email = form.cleaned_data["email"]
    holder = User.objects.filter(email__iexact=email, is_active=True).first()
    if holder is not None:
        context = {"user": holder, "login_url": _absolute(reverse("login"))}
        context["reset_url"] = _absolute(reverse("password_reset"))
        body = render_to_string("registration/email/signup_existing.txt", context)
    else:
        # A sign-up never activated gives way to the new one: its link is the only way in.
        User.objects.filter(email__iexact=email, is_active=False, last_login__isnull=True).delete()
        user.is_active = False
        user.save()
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = _absolute(reverse("signup-activate", args=[uid, default_token_generator.make_token(user)]))
        body = render_to_string("registration/email/signup_activate.txt", {"user": user, "url": link})
    send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [email])


def signup_activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_from_uid(uidb64)
    # The token covers last_login: once used to log in, the link stops working.
    if user is None or user.is_active or not default_token_generator.check_token(user, token):
        context = {"invalid": True}
        return render(request, "registration/signup_sent.html", context, status=400)
    user.is_active = True
    user.save(update_fields=["is_active"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome, {user.get_username()}. Submit a bundle, or get an API token.")
    return redirect("submissions:mine")


def _user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.filter(pk=int(urlsafe_base64_decode(uidb64).decode())).first()
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@login_required
@require_http_methods(["GET", "POST"])
@throttled("tokens", what="token changes")
def api_token(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _token_regenerate(request)
        return redirect("api-token")
    token = Token.objects.filter(user=signed_in_user(request)).first()
    return render(request, "registration/token.html", {"token": token})


@transaction.atomic
def _token_regenerate(request: HttpRequest) -> None:
    # One token per user (DRF's model): a new one replaces the old, which stops working at once.
    user = signed_in_user(request)
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    Token.objects.create(user=user)
    if replaced:
        messages.success(request, "A new API token was created; the old one no longer works.")
    else:
        messages.success(request, "Your API token was created.")
