"""The union office's page: the same data and rules as the chat, in a browser (`unionbot web`)."""
