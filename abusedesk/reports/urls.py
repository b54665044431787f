from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("desk/kpis/", views.dashboard, name="dashboard"),
    path("desk/transparency/", views.transparency, name="transparency"),
]
