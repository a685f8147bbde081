"""``python -m jinlong_extract`` runs the ``jinlong`` command line."""

from jinlong_extract.cli import main

if __name__ == "__main__":
    main()
