"""Program setup, products: the product catalogue (/manage/program/products/...)."""

manage_patterns: list = []
