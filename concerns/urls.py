from django.urls import path

from concerns import views

# Mounted at /pupils/concerns/ (the paths people have bookmarked).
app_name = "concerns"
urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_new, name="new"),
    path("pupil-search/", views.concern_pupil_search, name="pupil_search"),
    path("<int:pk>/review/", views.concern_review, name="review"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/new/<int:pupil_pk>/", views.escalation_new, name="escalation_new"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/edit/", views.escalation_edit, name="escalation_edit"),
    path("escalations/<int:pk>/close/", views.escalation_close, name="escalation_close"),
    path("statutory-meetings/new/<int:pupil_pk>/", views.statutory_meeting_new, name="statutory_meeting_new"),
    path("statutory-meetings/<int:pk>/", views.statutory_meeting_detail, name="statutory_meeting"),
]
