"""Plain language written from registry facts: headlines, summaries, everyday condition names
and the glossary."""
