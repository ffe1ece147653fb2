import unittest

import acme_widgets


class AssembleTest(unittest.TestCase):
    def test_numbers_widgets(self) -> None:
        self.assertEqual(acme_widgets.assemble("sprocket", 2), ["sprocket-1", "sprocket-2"])

    def test_rejects_negative_counts(self) -> None:
        with self.assertRaises(ValueError):
            acme_widgets.assemble("sprocket", -1)


if __name__ == "__main__":
    unittest.main()
