"""The periodic tasks Celery beat runs (``CELERY_BEAT_SCHEDULE`` in the settings): each entry
says why it runs, and how often."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Sends what the after-commit trigger could not (broker down, mail server down).
    "relay-outbox": {"task": "selec.core.tasks.relay_outbox", "schedule": 60.0},
    # Seals audit events whose process stopped between their commit and their seal.
    "seal-audit-log": {"task": "selec.core.tasks.seal_audit_log", "schedule": 60.0},
    # Notices of requests due soon or overdue (each sent once, so the period only sets latency).
    "flag-deadlines": {"task": "exchanges.tasks.flag_deadlines", "schedule": 300.0},
    # Hit/no-hit matching of entities whose after-commit task was lost (broker down).
    "match-unmatched-entities": {
        "task": "hits.tasks.match_unmatched_entities",
        "schedule": 60.0,
    },
    # Entities whose blind-index tokens are of an older scheme (a release changed the
    # normalisation or its variants, or the key changed) indexed again, then matched again.
    "reindex-stale-entities": {
        "task": "hits.tasks.reindex_stale_entities",
        "schedule": 600.0,
    },
    # The audit log's chain and anchor verified at night; a break notifies the DPOs
    # (selec.core.audit_verification.audit_verify_recorded).
    "verify-audit-log-nightly": {
        "task": "selec.core.tasks.verify_audit_log",
        "schedule": crontab(hour=3, minute=15),
    },
    # Audit verifications asked for whose message was lost queued again, and runs whose walk
    # died (worker killed) ended as interrupted (selec.core.audit_verification).
    "sweep-audit-verifications": {
        "task": "selec.core.tasks.sweep_audit_verifications",
        "schedule": 60.0,
    },
    # Statistics runs whose computation was lost (message published while the broker was
    # down, worker killed mid-run) queued again (analytics.services.statistics_sweep).
    "sweep-statistics": {"task": "analytics.tasks.sweep_statistics", "schedule": 60.0},
    # The worker's sign of life, which readiness reads (selec.core.models.ServiceHeartbeat).
    "heartbeat": {"task": "selec.core.tasks.heartbeat", "schedule": 30.0},
    # Stored answers to idempotent requests, forgotten once past their keeping time.
    "purge-idempotent-requests": {
        "task": "selec.core.tasks.purge_idempotent_requests",
        "schedule": crontab(minute=7),
    },
    # Statistics of every year with exchanges, recomputed at night (analytics.services).
    "compute-statistics-nightly": {
        "task": "analytics.tasks.compute_statistics_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Overdue retention reviews told to the providers' NFPs and the DPOs, each morning
    # (records.services_review.reviews_escalate; once per agency and day).
    "escalate-overdue-reviews": {
        "task": "records.tasks.escalate_overdue_reviews",
        "schedule": crontab(hour=6, minute=0),
    },
    # Data subject requests past their due date told to the providers and the DPOs, each
    # morning (subjects.services_answers.overdue_notify; once per item and day).
    "notify-overdue-subject-requests": {
        "task": "subjects.tasks.notify_overdue_subject_requests",
        "schedule": crontab(hour=6, minute=30),
    },
}
