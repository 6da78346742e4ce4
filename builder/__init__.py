"""A static site generator for multilingual news digests."""
