"""Monthly partner reports: OCPI CDR JSON, CSV and PDF per eMSP, site reports per site host,
reconciled against the warehouse, written to an outbox and optionally pushed over HTTPS.

Pure library (no Dagster imports): the asset in ``pipelines/defs/reports`` and the command
line call ``build.run_report``.
"""
