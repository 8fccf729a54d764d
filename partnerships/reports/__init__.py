"""Reports across partnerships: the figures, the gaps between parties' levels, their charts and
the files (CSV, XLSX) they are downloaded as.
"""
