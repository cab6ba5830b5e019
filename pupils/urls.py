from django.urls import path

from pupils import concerns_views, outcomes_views, views

app_name = "pupils"
urlpatterns = [
    path("", views.pupil_list, name="list"),
    path("new/", views.pupil_create, name="create"),
    path("<int:pk>/", views.pupil_detail, name="detail"),
    path("<int:pk>/edit/", views.pupil_edit, name="edit"),
    path("<int:pk>/need-level/", views.pupil_need_level, name="need_level"),
    path("<int:pk>/archive/", views.pupil_archive, name="archive"),
    path("<int:pk>/restore/", views.pupil_restore, name="restore"),
    path("<int:pk>/allocations/", views.allocation_add, name="allocation_add"),
    path("<int:pk>/allocations/<int:allocation_pk>/end/", views.allocation_end, name="allocation_end"),
    path("<int:pk>/health/", views.pupil_health, name="health"),
    path("<int:pk>/history/", views.pupil_history, name="history"),
    path("<int:pk>/outcomes/", outcomes_views.pupil_outcomes, name="outcomes"),
    path("<int:pk>/outcomes/sdq/new/", outcomes_views.sdq_new, name="sdq_new"),
    path("<int:pk>/outcomes/sdq/<int:response_pk>/withdraw/", outcomes_views.sdq_withdraw, name="sdq_withdraw"),
    path("<int:pk>/outcomes/<slug:kind>/new/", outcomes_views.measure_new, name="measure_new"),
    path("attendance/import/", outcomes_views.attendance_import, name="attendance_import"),
    path("concerns/", concerns_views.concern_list, name="concern_list"),
    path("concerns/new/", concerns_views.concern_new, name="concern_new"),
    path("concerns/pupil-search/", concerns_views.concern_pupil_search, name="concern_pupil_search"),
    path("concerns/<int:pk>/review/", concerns_views.concern_review, name="concern_review"),
]
