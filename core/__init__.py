"""What every app of the project shares and none owns: the API's common classes, the admin site,
the health check, backup and restore, date arithmetic and the background jobs' retry policy.

``core`` imports no other app of the project: apps depend on it, never the reverse.
"""
