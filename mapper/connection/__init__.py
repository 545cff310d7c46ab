"""The connection: a Ditto ``http-push`` connection JSON as configuration.

Which targets receive an envelope (topics, namespaces, RQL filters), which mapping runs for them,
which headers they add (header mapping placeholders), and how requests are signed.
"""

from mapper.connection.model import (
    Connection,
    HmacCredentials,
    MappingDefinition,
    MappingOptions,
    Target,
    load_connection,
)
from mapper.connection.placeholders import (
    EnvelopePlaceholders,
    HeaderTemplate,
    PlaceholderTemplate,
    apply_header_mapping,
)
from mapper.connection.rql import RqlNode, parse_rql
from mapper.connection.topics import EventView, TopicKind, TopicSubscription, target_selects

__all__ = [
    "Connection",
    "EnvelopePlaceholders",
    "EventView",
    "HeaderTemplate",
    "HmacCredentials",
    "MappingDefinition",
    "MappingOptions",
    "PlaceholderTemplate",
    "RqlNode",
    "Target",
    "TopicKind",
    "TopicSubscription",
    "apply_header_mapping",
    "load_connection",
    "parse_rql",
    "target_selects",
]
