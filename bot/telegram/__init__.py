"""The Telegram channel: ``app`` (handlers and the Application factory), ``limits`` (order, flood,
send rate), ``render`` (replies as messages), ``persistence`` (PTB persistence over the store), and
the help desk (``helpdesk``, ``staff``, ``privacy``)."""
