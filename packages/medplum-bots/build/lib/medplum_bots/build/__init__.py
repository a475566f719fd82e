"""Building bots: the import graph, one self-contained artifact per bot, Lambda zips."""
