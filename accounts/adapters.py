"""How django-allauth behaves here: no self sign-up, and second-factor secrets encrypted at rest."""

import base64
import hashlib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.http import HttpRequest

from pru_cases.security import has_second_factor, mfa_required_for


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(f"pru_cases.mfa:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def mfa_fernet() -> MultiFernet:
    """Encrypts with a key derived from SECRET_KEY; decrypts with it or any SECRET_KEY_FALLBACKS, so keys can
    be rotated (see docs/security.md and `manage.py mfa_rotate_secrets`)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # accounts are made by an administrator, with a role and a team

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Someone sent to set up their first second factor straight after typing their password is not asked
        for it again; changing factors later (when one exists) still asks."""
        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated and not has_second_factor(user):
            records = get_authentication_records(request, user)
            cutoff = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
            if any(record.get("method") == "password" and record.get("at", 0) > cutoff for record in records):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return mfa_fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone whose role needs a second factor may swap factors but never remove the last one."""
        user = authenticator.user
        if not mfa_required_for(user) or authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        others = Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exclude(pk=authenticator.pk)
        return others.exists()
