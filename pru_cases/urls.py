from django.contrib import admin
from django.urls import include, path

from pru_cases import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("pupils/", include("pupils.urls")),
    path("referrals/", include("referrals.urls")),
    path("families/", include("families.urls")),
    path("admin/", admin.site.urls),
]
