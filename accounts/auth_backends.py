"""How a signed-in person is loaded for each request."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from accounts.models import User


class AuthenticationBackend(AllauthBackend):
    """allauth's sign-in, with the person's agency fetched with them when the session is read.

    Every page's layout names the reader's agency, and the access policy reads it for every outside professional:
    one join here instead of one more query on every page.
    """

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("agency").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
