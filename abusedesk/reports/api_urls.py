from django.urls import path

from . import api

urlpatterns = [
    path("summary/", api.SummaryView.as_view(), name="kpi-summary"),
    path("by-entity/", api.ByEntityView.as_view(), name="kpi-by-entity"),
    path("by-category/", api.ByCategoryView.as_view(), name="kpi-by-category"),
    path("trend/", api.TrendView.as_view(), name="kpi-trend"),
    path("open/", api.OpenView.as_view(), name="kpi-open"),
    path("top-notifiers/", api.TopNotifiersView.as_view(), name="kpi-top-notifiers"),
    path("top-customers/", api.TopCustomersView.as_view(), name="kpi-top-customers"),
]
