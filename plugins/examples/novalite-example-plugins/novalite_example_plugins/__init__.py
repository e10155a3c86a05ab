"""Example out-of-tree scheduler plugins for novalite: a filter and a weigher."""
