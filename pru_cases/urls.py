from django.contrib import admin
from django.urls import include, path

from pru_cases import views
from pupils import views as pupils_views
from referrals import views as referrals_views

urlpatterns = [
    path("", pupils_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
    # Pages under /account/ that belong to higher apps: break-glass access to a pupil, and the directory of
    # agencies with their response times to information requests.
    path("account/break-glass/", pupils_views.break_glass, name="break_glass"),
    path("account/agencies/", referrals_views.agency_list, name="agencies"),
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
