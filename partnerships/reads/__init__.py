"""Read-side computations for pages and the API: health signals, timeline, review agenda,
archive, calendar, agreement versions and their comparison, the exported tables.

Nothing here writes; import each function from its module.
"""
