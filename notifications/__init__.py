"""E-mails the site sends on its own: review and commitment reminders, agreement expiry notices
and the weekly digest, with the Celery tasks that send them.

It has no models: what was sent is recorded in ``partnerships.models.Reminder``.
"""
