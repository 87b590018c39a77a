"""A list of names typed with a Chinese input method's commas is a list, not one name."""

from pmjournal.core.model import split_names


def test_full_width_and_enumeration_commas_separate_names():
    assert split_names("张三，李四、王五") == ["张三", "李四", "王五"]
    assert split_names(["Dana Whitfield，张三", "李四, Lee"]) == ["Dana Whitfield", "张三", "李四", "Lee"]
    assert split_names("张三，张三") == ["张三"]


def test_an_entry_informs_each_name_typed_with_full_width_commas(journal):
    record = journal.add("note", {"title": "周会纪要", "informed": "张三，李四、王五"})
    assert journal.view_of(record["id"])["informed"] == ["张三", "李四", "王五"]
