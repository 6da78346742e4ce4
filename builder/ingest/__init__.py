"""``digest add``: bring an article in from a text file, a saved page, a URL or pasted text.

fetch (URL → bytes) → extract_html / extract_text (→ ``Draft``) → langid → write (front matter,
slug, duplicates, the file) → command (options, output, the story it joins).
"""
