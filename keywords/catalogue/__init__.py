"""Data files of the keyword catalogue, read as package resources by keywords.load_catalogue()."""
