"""Surfaces for agents: typed tools (``tools``, their pydantic inputs in ``inputs``), the MCP server
(``mcp_server``) and installing the skill into agent hosts (``install``)."""
