"""The review queue's automatic checks: pure functions, no database.

``review/checking.py`` decides which questions of a questionnaire each check
reads, calls these, and stores what they find; the checks that compare one
submission with others (the same NIK in another household, the same photo)
are made there, from what these functions compute (keys, hashes, points).
"""
