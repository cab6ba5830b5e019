from django.urls import path

from outcomes import views

# Mounted at /pupils/ beside the pupil record (the paths people have bookmarked); the dashboard is oversight_urls.
app_name = "outcomes"
urlpatterns = [
    path("<int:pk>/outcomes/", views.pupil_outcomes, name="pupil"),
    path("<int:pk>/outcomes/sdq/new/", views.sdq_new, name="sdq_new"),
    path("<int:pk>/outcomes/sdq/<int:response_pk>/withdraw/", views.sdq_withdraw, name="sdq_withdraw"),
    path("<int:pk>/outcomes/<slug:kind>/new/", views.measure_new, name="measure_new"),
    path("attendance/import/", views.attendance_import, name="attendance_import"),
]
