"""Re-encrypt stored second-factor secrets with the current SECRET_KEY (run after moving the old key to
SECRET_KEY_FALLBACKS; once it has run, the old key can be dropped)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.adapters import mfa_fernet

ENCRYPTED_FIELDS = {
    Authenticator.Type.TOTP: "secret",
    Authenticator.Type.RECOVERY_CODES: "seed",
}


class Command(BaseCommand):
    help = "Re-encrypt TOTP secrets and recovery-code seeds with the current SECRET_KEY."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        fernet = mfa_fernet()
        count = 0
        for authenticator in Authenticator.objects.select_for_update().filter(type__in=list(ENCRYPTED_FIELDS)):
            field = ENCRYPTED_FIELDS[authenticator.type]
            token = authenticator.data.get(field)
            if not token:
                continue
            authenticator.data[field] = fernet.rotate(token.encode()).decode()
            authenticator.save(update_fields=["data"])
            count += 1
        self.stdout.write(f"Re-encrypted {count} authenticator(s).")
