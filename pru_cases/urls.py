from django.contrib import admin
from django.urls import include, path

from pru_cases import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
    path("account/", include("accounts.urls")),
    path("pupils/concerns/", include("concerns.urls")),
    path("pupils/", include("pupils.urls")),
    path("pupils/", include("outcomes.urls")),
    path("referrals/", include("referrals.urls")),
    path("families/", include("families.urls")),
    path("oversight/", include("outcomes.oversight_urls")),
    path("meetings/", include("meetings.urls")),
    # The admin's own login form would skip the second factor: everyone signs in through allauth.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
]
