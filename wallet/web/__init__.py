"""The owner's pages: server-rendered, mobile-first, Dutch by default and English."""
