from django.urls import path

from . import views

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("<int:organization_id>/", views.customer_detail, name="customer-detail"),
    path("<int:organization_id>/unmask", views.unmask, name="customer-unmask"),
    path("<int:organization_id>/grants/<int:grant_id>/approve", views.approve_unmask, name="customer-approve"),
]
