from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/message/", views.post_message, name="message"),
    path("cases/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("cases/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("cases/<int:pk>/extension/", views.extension, name="extension"),
    path("cases/<int:pk>/upload/", views.upload, name="upload"),
    path("files/<int:pk>/", views.download, name="download"),
    path("contact/", views.abuse_contact, name="contact"),
    path("security/", views.security, name="security"),
]
