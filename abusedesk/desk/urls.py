from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("desk/", views.cases, name="cases"),
]
