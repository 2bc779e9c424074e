from django.urls import path

from products import views, views_questionnaires

app_name = "products"

urlpatterns = [
    path("", views.product_list_view, name="list"),
    path("new/", views.product_draft_view, name="draft"),
    # Before the product's own addresses: "questionnaires" is no product reference.
    path(
        "questionnaires/",
        views_questionnaires.questionnaire_list_view,
        name="questionnaires",
    ),
    path(
        "questionnaires/<uuid:questionnaire_uuid>/",
        views_questionnaires.questionnaire_detail,
        name="questionnaire",
    ),
    path(
        "questionnaires/<uuid:questionnaire_uuid>/edit/",
        views_questionnaires.questionnaire_edit,
        name="questionnaire_edit",
    ),
    path(
        "questionnaires/<uuid:questionnaire_uuid>/send/",
        views_questionnaires.questionnaire_send,
        name="questionnaire_send",
    ),
    path(
        "questionnaires/<uuid:questionnaire_uuid>/close/",
        views_questionnaires.questionnaire_close,
        name="questionnaire_close",
    ),
    path(
        "questionnaires/<uuid:questionnaire_uuid>/into-draft/",
        views_questionnaires.questionnaire_into_draft,
        name="questionnaire_into_draft",
    ),
    path("<str:reference>/", views.product_detail, name="detail"),
    path("<str:reference>/edit/", views.product_edit_view, name="edit"),
    path("<str:reference>/sections/", views.section_add, name="section_add"),
    path("<str:reference>/sections/<int:pk>/remove/", views.section_remove, name="section_remove"),
    path("<str:reference>/figures/", views.figure_add, name="figure_add"),
    path("<str:reference>/figures/<int:pk>/remove/", views.figure_remove, name="figure_remove"),
    path("<str:reference>/submit/", views.product_step, {"step": "submit"}, name="submit"),
    path("<str:reference>/return/", views.product_return_view, name="return"),
    path("<str:reference>/publish/", views.product_step, {"step": "publish"}, name="publish"),
    path("<str:reference>/withdraw/", views.product_withdraw_view, name="withdraw"),
    path("<str:reference>/revise/", views.product_step, {"step": "revise"}, name="revise"),
    path("<str:reference>/export/<str:export_format>/", views.product_export, name="export"),
    path(
        "<str:reference>/questionnaires/new/",
        views_questionnaires.questionnaire_new,
        name="questionnaire_new",
    ),
]
