"""A plausible synthetic municipality ("Gezondweide", GM9999) for the demo and the tests."""

from gezondewijk.demo.synthetic import SyntheticTown, make_synthetic_town, write_synthetic_inputs

__all__ = ["SyntheticTown", "make_synthetic_town", "write_synthetic_inputs"]
