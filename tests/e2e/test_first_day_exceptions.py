"""Issue 10, point 1: exceptions whose type the caller cannot import or rebuild

A twin raises an exception of a type the main cannot import (its module is only on the
twin's path, or parses only under Python 2): the main gets a RemoteException naming the
original type and message, with the remote traceback as __cause__. A class whose __init__
takes other arguments than its args arrives as its own type; unpicklable attributes are
dropped; a reply that cannot be decoded here never turns into a bare local decoding error.
"""
import json
import unittest

from first_day_support import FirstDayTestCase, TWINS, run


class ExceptionTestCase(FirstDayTestCase):
    def outcome(self, twin_path, *case):
        result = run(["exc_app.py"] + list(case), {"twin": twin_path})
        self.assertOk(result)
        lines = result.lines("RESULT")
        self.assertEqual(len(lines), 1, str(result))
        outcome = json.loads(lines[0])
        self.assertEqual(outcome["after"], 3, "the twin must stay usable:\n%s" % result)
        return outcome


class UnimportableTypeTest(ExceptionTestCase):
    def check_remote_exception(self, outcome):
        self.assertEqual(outcome["class"], "RemoteException", outcome)
        self.assertIn("legacy_only.LegacyError", outcome["str"])
        self.assertIn("legacy failure", outcome["str"])
        # the remote traceback: where it was raised, in the twin's file
        self.assertIn("legacy_only.py", outcome["cause"])
        self.assertIn("LegacyError", outcome["cause"])
        self.assertNotIn("ModuleNotFoundError", outcome["str"])

    def test_module_only_on_the_twins_path(self):
        for name in TWINS:
            with self.subTest(twin=name):
                self.check_remote_exception(self.outcome(self.twin(name), "legacy", "twin_only"))

    def test_module_that_parses_only_under_python2(self):
        outcome = self.outcome(self.twin("python2.7"), "legacy", "py2_lib")
        self.check_remote_exception(outcome)
        self.assertNotIn("SyntaxError", outcome["str"])


class RebuiltTypeTest(ExceptionTestCase):
    def test_custom_init_arrives_as_its_own_type(self):
        for name in TWINS:
            with self.subTest(twin=name):
                outcome = self.outcome(self.twin(name), "coded")
                self.assertEqual((outcome["class"], outcome["module"]), ("CodedError", "errors_lib"), outcome)
                self.assertEqual(outcome["str"], "error 7: disk full")
                self.assertEqual(outcome["attributes"]["code"], "7")
                self.assertIn("disk full", outcome["attributes"]["detail"])
                self.assertIn("raise_coded", outcome["cause"])

    def test_keyword_only_init_arrives_as_its_own_type(self):
        for name in TWINS:
            with self.subTest(twin=name):
                outcome = self.outcome(self.twin(name), "keyword")
                self.assertEqual(outcome["class"], "KeywordError", outcome)
                self.assertEqual(outcome["str"], "no route at gateway")
                self.assertIn("gateway", outcome["attributes"]["where"])

    def test_unpicklable_attributes_are_dropped(self):
        for name in TWINS:
            with self.subTest(twin=name):
                outcome = self.outcome(self.twin(name), "unpicklable_attribute")
                self.assertEqual(outcome["class"], "AttrError", outcome)
                self.assertEqual(outcome["str"], "lock failure")
                self.assertEqual(outcome["attributes"].get("count"), "3")
                self.assertNotIn("lock", outcome["attributes"])


class UndecodableReplyTest(ExceptionTestCase):
    """What the twin sent is fine, but this side cannot decode part of it"""

    def test_error_with_undecodable_attribute_stays_the_remote_error(self):
        for name in TWINS:
            with self.subTest(twin=name):
                outcome = self.outcome(self.twin(name), "undecodable_attribute")
                self.assertIn(outcome["class"], ("AttrError", "RemoteException"), outcome)
                self.assertIn("attr failure", outcome["str"])
                self.assertNotIn("thing", outcome["attributes"])
                self.assertIn("raise_with_undecodable_attribute", outcome["cause"])

    def test_error_with_undecodable_argument_stays_the_remote_error(self):
        for name in TWINS:
            with self.subTest(twin=name):
                outcome = self.outcome(self.twin(name), "undecodable_argument")
                self.assertEqual(outcome["class"], "RemoteException", outcome)
                self.assertIn("ValueError", outcome["str"])
                self.assertIn("bad value", outcome["str"])
                self.assertIn("raise_with_undecodable_argument", outcome["cause"])

    def test_undecodable_result_says_which_value_and_why(self):
        for name in TWINS:
            with self.subTest(twin=name):
                outcome = self.outcome(self.twin(name), "undecodable_result")
                self.assertEqual(outcome["class"], "UndecodableValue", outcome)
                self.assertIn("legacy_only.Thing", outcome["str"])  # which value
                self.assertIn("legacy_only", outcome["str"])
                self.assertIn("twin", outcome["str"])  # from where
                self.assertRegex(outcome["str"], "No module named|cannot import")  # why


if __name__ == "__main__":
    unittest.main()
