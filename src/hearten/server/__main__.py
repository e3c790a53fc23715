"""`python -m hearten.server serve|users`: the same commands as `hearten serve` and
`hearten users`."""

import click

from hearten.server.commands import serve, users


@click.group()
def main() -> None:
    """hearten's HTTP service."""


main.add_command(serve)
main.add_command(users)

if __name__ == "__main__":
    main()
