"""Every user-facing string ships a Chinese translation that keeps its placeholders."""

import re

from tests.translatable import all_strings, zh_translations

PLACEHOLDER = re.compile(r"\{\d*\}")


def test_every_string_has_a_chinese_translation():
	translations = zh_translations()
	missing = sorted(s for s in all_strings() if not translations.get(s, "").strip())
	assert not missing, f"{len(missing)} strings lack a zh translation, e.g. {missing[:10]}"


def test_translations_keep_placeholders():
	for source, target in zh_translations().items():
		assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_no_translation_is_left_in_english():
	for source, target in zh_translations().items():
		if re.search(r"[a-z]{4,}", source) and source not in {"B2B", "B2C"}:
			assert re.search(r"[\u4e00-\u9fff]", target), f"{source!r} -> {target!r}"
