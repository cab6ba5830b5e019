from django.urls import path

from concerns import views

# Mounted at /pupils/concerns/ (the paths people have bookmarked).
app_name = "concerns"
urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_new, name="new"),
    path("pupil-search/", views.concern_pupil_search, name="pupil_search"),
    path("<int:pk>/review/", views.concern_review, name="review"),
]
