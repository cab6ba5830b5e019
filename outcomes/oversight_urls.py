from django.urls import path

from outcomes import oversight_views

app_name = "oversight"
urlpatterns = [
    path("", oversight_views.dashboard, name="dashboard"),
    path("refresh/", oversight_views.refresh, name="refresh"),
    path("export/<slug:slug>.csv", oversight_views.export, name="export"),
]
