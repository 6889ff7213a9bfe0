"""``python -m skill`` runs the CLI."""

from skill.cli import main

raise SystemExit(main())
