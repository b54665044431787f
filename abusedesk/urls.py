from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from abusedesk.cases.api import CaseViewSet, MessageViewSet, ReportViewSet
from abusedesk.desk.views import home
from abusedesk.network.api import AssignmentViewSet, CustomerViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("reports", ReportViewSet, basename="report")
router.register("messages", MessageViewSet, basename="message")
router.register("customers", CustomerViewSet, basename="customer")
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = [
    path("", home, name="home"),
    path("", include("abusedesk.desk.urls")),
    path("portal/", include("abusedesk.portal.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/", include(router.urls)),
]
