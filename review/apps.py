from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self) -> None:
        from intake.signals import submissions_processed
        from review.signals import check_processed_submissions

        submissions_processed.connect(
            check_processed_submissions, dispatch_uid="review.check_processed_submissions"
        )
