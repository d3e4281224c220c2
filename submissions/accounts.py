"""Account pages for submitters: sign up, and the API token that CI uploads with."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from benchcouncil.auth import signed_in_user

from .forms import SignupForm


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("submissions:mine")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}. Submit a bundle, or get an API token.")
        return redirect("submissions:mine")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
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
