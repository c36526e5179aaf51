"""What the tests share: newsroom folders and the test briefings (:mod:`support.newsrooms`),
the real command line (:mod:`support.commands`), exports made in the test process
(:mod:`support.exports`), and independent readers of every format (:mod:`support.readers`).

Fixtures stay in ``conftest.py``; they are made of these.
"""
