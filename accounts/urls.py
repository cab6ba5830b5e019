from allauth.account import views as allauth_views
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

urlpatterns = [
    # allauth's views, under the names the rest of the project uses.
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/password/done/"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("settings/", views.my_settings, name="my_settings"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("sessions/end-all/", views.sessions_end_all, name="sessions_end_all"),
    path("", include("allauth.urls")),
]
