"""Deploying bots: orchestration, plan, per-environment session, credentials,
Subscriptions, the report, `invoke create`, `invoke execute`/`logs`, the Lambda route.
"""
