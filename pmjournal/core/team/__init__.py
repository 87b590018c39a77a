"""Team journals: every author keeps their own chain; git carries them all.

- layout.py: what a journal that joined a team keeps beside itself
  (`journal.json.team/`: the remembered remote, this author's handle, the
  colleagues' chains as journal files of their own).
- git.py: the `git` program, run on a private bare repository in that folder.
- segments.py: a chain as a git tree of fixed-size segments, so a sync writes
  only the segments that grew.
- sync.py: push this author's chain, fetch everyone's, refuse any rewrite.
- witness.py: the commit each colleague's copy here was taken from, held against the copy
  (a copy rewritten here is not a rewrite on the remote).
- merge.py: the team's trail as one ordered list of records (Lamport clocks).

docs/team.md says what sync guarantees and how a team sets it up.
"""
