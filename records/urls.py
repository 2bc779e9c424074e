"""The records' pages: the retention review, erasure, corrections and inaccuracy flags."""

from records import urls_corrections, urls_erasure, urls_review

app_name = "records"

urlpatterns = [
    *urls_review.urlpatterns,
    *urls_erasure.urlpatterns,
    *urls_corrections.urlpatterns,
]
