"""The offline packet: what the `html` and `single` formats share.

`answer_key` hides answers from a page's source, `quiz_view` turns a quiz into
what the templates show, `pages` renders the packet's pages (one per file, or
all in one), `page_cache` keeps rendered pages between builds, `single_file`
makes one page self-contained, and `state` bounds the size of the progress the
packet's script saves.
"""
