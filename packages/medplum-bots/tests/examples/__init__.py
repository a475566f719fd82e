"""Example bots for what real Medplum bots do, each with its tests on the `simpsons` fixture set.

Medplum's public demo bots were read as a list of uses (questionnaire intake, HL7 results in,
patient deduplication, PDF reports, reminders); these bots and tests are written for this
package. Bots are `*_bot.py`, their tests `test_*.py`.
"""
