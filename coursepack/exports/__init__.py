"""Shared parts of the LMS quiz exports (Common Cartridge, QTI, Moodle XML, GIFT).

Each export builder maps the course model onto one interchange format; what
they have in common lives here: stable identifiers, XML writing, plain text
and escaping, the local files a piece of HTML uses, the shapes a question
takes where a format lacks its type, and the QTI 1.2 item writer that both
the Common Cartridge and the Canvas QTI package use.
"""
