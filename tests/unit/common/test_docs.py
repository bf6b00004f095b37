"""Documentation that must list what the code defines."""

from crossdock_common.events import REGISTRY, topics


def test_architecture_doc_lists_every_event_type(repo_root):
    text = (repo_root / "docs" / "architecture.md").read_text()

    missing = [event_type.name for event_type in REGISTRY.types() if f"### `{event_type.name}`" not in text]

    assert missing == []


def test_architecture_doc_lists_every_topic(repo_root):
    text = (repo_root / "docs" / "architecture.md").read_text()

    assert [topic for topic in topics.ALL if f"`{topic}`" not in text] == []


def test_configuration_doc_lists_every_common_setting(repo_root):
    from crossdock_common.settings import ServiceSettings

    text = (repo_root / "docs" / "configuration.md").read_text()
    names = [field.validation_alias.choices[0] for field in ServiceSettings.model_fields.values()]

    assert [name for name in names if f"`{name}`" not in text] == []
