"""Partnership agreements: numbered versions, approved by every party, frozen once approved.

A version goes draft → pending (submitted) → in force once every accepted party's administrator
approved it; a refusal sends it back to draft. A later version coming into force supersedes it;
its end date ends it. Models live in ``models.py`` (imported by ``partnerships.models``), writes
in ``services.py``, the comparison of two versions in ``diff.py``, the expiry e-mails in
``reminders.py``.
"""
