from django.urls import path

from . import views

app_name = "feeds"
urlpatterns = [
    path("", views.feed_list, name="feeds"),
    path("new/", views.feed_edit, name="feed-new"),
    path("<int:pk>/", views.feed_edit, name="feed"),
    path("<int:pk>/enable/", views.feed_enable, name="feed-enable"),
    path("<int:pk>/run/", views.feed_run, name="feed-run"),
]
