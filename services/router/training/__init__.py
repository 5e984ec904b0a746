"""Corpus loading, the held-out split, training and evaluation of the router's classifier."""
