from django.urls import path

from . import views

app_name = "kyc"
urlpatterns = [
    path("desk/kyc/", views.queues, name="queues"),
    path("desk/kyc/queue/<slug:name>/", views.queues, name="queue"),
    path("desk/kyc/orders/new/", views.order_new, name="order-new"),
    path("desk/kyc/orders/<int:pk>/", views.order_detail, name="order"),
    path("desk/kyc/orders/<int:pk>/decide/", views.order_decide, name="order-decide"),
    path("desk/kyc/reviews/<int:pk>/close/", views.review_close, name="review-close"),
    path("desk/kyc/questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire-review"),
    path("desk/kyc/watchlist/", views.watchlist, name="watchlist"),
    path("kyc/questionnaire/<str:token>/", views.questionnaire, name="questionnaire"),
    path("portal/reverse-dns/", views.portal_ptr, name="portal-ptr"),
]
