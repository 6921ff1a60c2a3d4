"""Issue 10, point 6: memoryview values of any size and at any depth cross like bytes

Small and large views, slices, non-contiguous views, views in lists, tuples, dicts and
object attributes, and a TwinObject attribute set and read through its proxy: each arrives
as a memoryview with the same bytes, in both directions, for every twin interpreter.
"""
import json
import unittest

from first_day_support import TWINS, FirstDayTestCase, run


class MemoryviewTest(FirstDayTestCase):
    def test_memoryviews_cross_both_ways(self):
        for name in TWINS:
            with self.subTest(twin=name):
                result = run(["values_app.py"], {"twin": self.twin(name)})
                self.assertOk(result)
                report = json.loads(result.lines("RESULT")[0])
                wrong = dict((key, entry) for key, entry in report.items()
                             if any(value is not True for value in entry.values()))
                self.assertEqual(wrong, {}, str(result))
                self.assertIn("deep", report)
                self.assertIn("attribute_large", report)


if __name__ == "__main__":
    unittest.main()
