from django.urls import path

from pupils import views

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
]
