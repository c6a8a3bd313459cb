"""``python -m gnss.cli``: the ``gnss`` command."""

from .commands import main

if __name__ == "__main__":
    main()
