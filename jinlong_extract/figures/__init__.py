"""Figures: numerals (find_numbers, parse_number) -> finder (figure spans) -> attribution."""
