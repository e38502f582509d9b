"""The application layer: one module per use case, the orchestration the CLI, the demo and the dashboard share.

Each use case takes a workspace (a `Workspace`, or the folder as `str`/`Path`) first, then what it acts on,
then keyword options, and returns a typed result with `to_facts()`. Stages never import this package; the
CLI and the demo only parse, call one of these, and print. See docs/architecture.md.
"""
