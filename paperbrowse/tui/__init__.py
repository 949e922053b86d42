"""The Textual browser. Imported only by `paperbrowse browse` and `paperbrowse demo`."""
