"""doc_events handlers, one module per host doctype; each stays thin and calls named steps."""
