from django.urls import path

from families import views

app_name = "families"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("reintegration/", views.plan_list, name="plans"),
    path("fresh-start/awaiting-mdt/", views.fresh_start_awaiting, name="fresh_start_awaiting"),
    path("<int:pk>/", views.household_detail, name="household"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("<int:pk>/carers/", views.carer_add, name="carer_add"),
    path("<int:pk>/carers/<int:carer_pk>/edit/", views.carer_edit, name="carer_edit"),
    path("<int:pk>/siblings/", views.sibling_add, name="sibling_add"),
    path("<int:pk>/support/", views.support_action_add, name="support_add"),
    path("<int:pk>/support/<int:action_pk>/", views.support_action_update, name="support_update"),
    path("<int:pk>/visits/", views.home_visit_add, name="visit_add"),
    path("pupil/<int:pk>/", views.pupil_family, name="pupil"),
    path("pupil/<int:pk>/household/", views.pupil_household_set, name="pupil_household"),
    path("pupil/<int:pk>/consents/", views.consent_add, name="consent_add"),
    path("pupil/<int:pk>/consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("pupil/<int:pk>/sharing/", views.sharing_add, name="sharing_add"),
    path("pupil/<int:pk>/fresh-start/", views.fresh_start_edit, name="fresh_start"),
    path("pupil/<int:pk>/fresh-start/discussed/", views.fresh_start_discussed, name="fresh_start_discussed"),
    path("pupil/<int:pk>/reintegration/", views.reintegration_detail, name="reintegration"),
    path("pupil/<int:pk>/reintegration/start/", views.reintegration_start, name="reintegration_start"),
    path("pupil/<int:pk>/reintegration/readiness/", views.reintegration_readiness, name="reintegration_readiness"),
    path(
        "pupil/<int:pk>/reintegration/preferences/", views.reintegration_preferences, name="reintegration_preferences"
    ),
    path("pupil/<int:pk>/reintegration/shortlist/", views.reintegration_shortlist, name="reintegration_shortlist"),
    path("pupil/<int:pk>/reintegration/visits/", views.reintegration_visit_arrange, name="reintegration_visit_arrange"),
    path(
        "pupil/<int:pk>/reintegration/visits/<int:visit_pk>/",
        views.reintegration_visit_record,
        name="reintegration_visit_record",
    ),
    path("pupil/<int:pk>/reintegration/preference/", views.reintegration_send, name="reintegration_send"),
    path("pupil/<int:pk>/reintegration/allocate/", views.reintegration_allocate, name="reintegration_allocate"),
    path(
        "pupil/<int:pk>/reintegration/follow-ups/<int:check_pk>/",
        views.reintegration_follow_up,
        name="reintegration_follow_up",
    ),
    path("pupil/<int:pk>/reintegration/close/", views.reintegration_close, name="reintegration_close"),
]
