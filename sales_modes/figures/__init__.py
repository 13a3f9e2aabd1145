"""Each figure of docs/metrics.md as one query the reports, number cards and charts share.

`deals.py`: leads and opportunities (placed by creation, opportunity date or close date).
`sales.py`: sales and returns (Sales Invoice and POS Invoice, placed by posting date).
"""
