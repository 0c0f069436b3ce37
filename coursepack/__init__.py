"""coursepack: self-paced training from lesson Markdown and quiz YAML."""

__version__ = "0.1.0"
