"""Where requests and events come in: HTTP views, Open311, event handlers, the contract, pages."""
