"""`python -m flinkey_async`: the same as the `flinkey` command."""

from ._cli import main

raise SystemExit(main())
