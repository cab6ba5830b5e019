from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="new"),
    path("sharing/", views.sharing_basis_list, name="sharing_basis"),
    path("sharing/edit/", views.sharing_basis_edit, name="sharing_basis_edit"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/invitees/", views.invitee_add, name="invitee_add"),
    path("<int:pk>/attendance/", views.attendance_set, name="attendance"),
    path("<int:pk>/agenda/build/", views.agenda_build, name="agenda_build"),
    path("<int:pk>/agenda/add/", views.agenda_add_pupil, name="agenda_add"),
    path("<int:pk>/agenda/<int:item_pk>/move/", views.agenda_move, name="agenda_move"),
    path("<int:pk>/agenda/<int:item_pk>/carry-over/", views.agenda_carry_over, name="agenda_carry_over"),
    path("<int:pk>/next/", views.meeting_schedule_next, name="schedule_next"),
    path("<int:pk>/screen/", views.meeting_screen, name="screen"),
    path("<int:pk>/screen/<int:item_pk>/", views.meeting_case, name="case"),
    path("<int:pk>/screen/<int:item_pk>/discussion/", views.discussion_record, name="discussion"),
    path("<int:pk>/screen/<int:item_pk>/decision/", views.decision_record, name="decision"),
    path("<int:pk>/screen/<int:item_pk>/action/", views.action_add, name="action_add"),
    path("<int:pk>/close/", views.meeting_close, name="close"),
    path("<int:pk>/letter/", views.family_letter, name="family_letter"),
    path("<int:pk>/pdf/", views.pdf_request, name="pdf_request"),
    path("pdf/<int:job_pk>/", views.pdf_status, name="pdf_status"),
    path("pdf/<int:job_pk>/download/", views.pdf_download, name="pdf_download"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/progress/", views.action_progress, name="action_progress"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
]
