"""A tiny service that uses the private acme-widgets library."""

import acme_widgets


def main() -> None:
    print(f"acme-widgets {acme_widgets.__version__}: {', '.join(acme_widgets.assemble('gear', 3))}")


if __name__ == "__main__":
    main()
