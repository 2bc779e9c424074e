from django.urls import path

from products import views

app_name = "products"

urlpatterns = [
    path("", views.product_list_view, name="list"),
    path("new/", views.product_draft_view, name="draft"),
    path("<str:reference>/", views.product_detail, name="detail"),
    path("<str:reference>/edit/", views.product_edit_view, name="edit"),
    path("<str:reference>/sections/", views.section_add, name="section_add"),
    path("<str:reference>/sections/<int:pk>/remove/", views.section_remove, name="section_remove"),
    path("<str:reference>/figures/", views.figure_add, name="figure_add"),
    path("<str:reference>/figures/<int:pk>/remove/", views.figure_remove, name="figure_remove"),
    path("<str:reference>/submit/", views.product_submit_view, name="submit"),
    path("<str:reference>/return/", views.product_return_view, name="return"),
    path("<str:reference>/publish/", views.product_publish_view, name="publish"),
    path("<str:reference>/withdraw/", views.product_withdraw_view, name="withdraw"),
    path("<str:reference>/revise/", views.product_revise_view, name="revise"),
    path("<str:reference>/export/<str:export_format>/", views.product_export, name="export"),
]
