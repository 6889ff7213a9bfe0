"""lip-sync-video: make lip-synced videos by chatting with your agent.

The CLI (``skill.cli``), the tool runner (``skill.agent.tools``) and the MCP server (``skill.agent.mcp_server``)
all drive the same handlers; see ``docs/architecture.md`` for the module map.
"""

__version__ = "0.1.0"
