"""The Textual app. It shows what pmjournal.core computes: no business logic here."""
