from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("triage/", views.triage_queue, name="triage"),
    path("caseload/", views.caseload, name="caseload"),
    path("new/<int:pupil_pk>/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/triage/", views.referral_triage, name="triage_referral"),
    path("<int:pk>/start/", views.referral_start, name="start"),
    path("<int:pk>/close/", views.referral_close, name="close"),
    path("interventions/<int:pk>/", views.intervention_update, name="intervention_update"),
    path("interventions/<int:pk>/sessions/", views.session_add, name="session_add"),
    path("information-requests/", views.information_request_list, name="information_requests"),
    path("information-requests/new/<int:pupil_pk>/", views.information_request_new, name="information_request_new"),
    path("information-requests/<int:pk>/answer/", views.information_request_answer, name="information_request_answer"),
]
