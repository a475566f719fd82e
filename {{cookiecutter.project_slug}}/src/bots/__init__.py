"""Your bots: one module per bot, each with a `handler(medplum, event)`."""
