"""The records' endpoints under /api/v1/."""

from records import api_urls_corrections, api_urls_erasure, api_urls_review

urlpatterns = [
    *api_urls_review.urlpatterns,
    *api_urls_erasure.urlpatterns,
    *api_urls_corrections.urlpatterns,
]
