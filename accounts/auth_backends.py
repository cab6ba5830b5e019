"""How a signed-in person is loaded for each request."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.db import connection
from django.db.models import Exists, IntegerField
from django.db.models.expressions import RawSQL

from accounts.models import Notification, User
from pru_cases.security import second_factors


class AuthenticationBackend(AllauthBackend):
    """allauth's sign-in, with the person's agency fetched with them when the session is read.

    Every page's layout names the reader's agency, and the access policy reads it for every outside professional:
    one join here instead of one more query on every page. The number of their unread notifications, which the
    layout shows, comes in the same query (`unread_at_load`), and so does whether they have a second factor
    (`second_factor_at_load`), which `MfaRequiredMiddleware` asks on every request.
    """

    def get_user(self, user_id):
        try:
            users = User._default_manager.select_related("agency").annotate(unread_at_load=_unread(user_id))
            if settings.MFA_REQUIRED_FOR_EVERYONE or settings.MFA_REQUIRED_ROLES:  # asked on every request
                users = users.annotate(second_factor_at_load=Exists(second_factors(user_id)))
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def _unread(user_id) -> RawSQL:
    """The number of the person's unread notifications (`accounts.notifications.unread_count`), as SQL written once:
    it is in the query of every request, and compiling it from a queryset cost more than counting."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    return RawSQL(
        f'SELECT count(*) FROM {table} WHERE "recipient_id" = %s AND "read_at" IS NULL',
        (User._meta.pk.to_python(user_id),),
        output_field=IntegerField(),
    )
