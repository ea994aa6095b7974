"""Shared fixtures: the checkout, its settings, the bundled data assembled and validated once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from tipgraph.build import build_store
from tipgraph.config import EndpointSettings, Settings
from tipgraph.dataset import AssembledDataset, assemble_dataset
from tipgraph.store.location import StoreLocation, StoreVersion
from tipgraph.validation import ValidationReport, load_shapes, validate
from tipgraph.web.app import create_app

from .helpers import ROOT
from .helpers.servers import LiveServer, start_server, stop_server

# Markers of whole folders or modules of tests/ (pyproject.toml lists the markers), and the
# markers that make a test slow: whatever starts Chromium or Virtuoso, loads for a minute or asks
# PyPI takes seconds. `pytest -m "not slow"` is the fast loop; CI runs everything.
PATH_MARKERS = {
    "browser": ("browser",),
    "load": ("load",),
    "faults": ("faults",),
    "faults/test_disk_full.py": ("slow",),
    "faults/test_interrupted_loads.py": ("slow",),
    "faults/test_listening.py": ("slow",),
    "fuzz": ("slow",),
    "web/test_cache_differential.py": ("slow",),
    "web/test_fairness.py": ("slow",),
    "web/test_memory_limit.py": ("slow",),
    "web/test_streaming.py": ("slow",),
}
SLOW_WITH = ("browser", "virtuoso", "load", "network")
# The other tests that take a second or more (`pytest --durations=0`), by module: a test's name
# marks all its parameters, a name with [parameters] only those.
SLOW_TESTS = {
    "test_build.py": {
        "test_a_second_load_swaps_in_a_new_version",
        "test_a_version_held_by_a_server_survives_later_loads",
        "test_an_interrupted_load_leaves_the_previous_store",
        "test_broken_turtle_names_file_and_line_and_changes_nothing",
        "test_data_that_does_not_conform_is_not_loaded",
    },
    "test_canonical.py": {
        "test_a_canonical_long_list_round_trips",
        "test_a_list_of_thousands_of_items_is_labelled_the_same_whatever_the_load",
    },
    "test_cli.py": {
        "test_load_refuses_invalid_data",
        "test_load_then_query_as_a_table",
        "test_query_from_a_file_and_a_bad_query",
        "test_validate_another_data_folder",
        "test_validate_bundled_data_conforms",
        "test_validate_json_for_pipelines",
        "test_validate_json_lists_violations",
        "test_validate_reports_violations_by_focus_node_with_file",
        "test_validate_turtle_is_the_shacl_report",
    },
    "test_conformance.py": {
        "test_a_syntax_error_in_a_worker_names_the_file_and_line",
        "test_an_iri_minted_by_two_reports_is_a_violation_and_is_not_loaded",
        "test_parallel_validation_finds_what_one_run_over_everything_finds",
        "test_relative_paths_and_single_files_are_checked_too",
    },
    "test_export.py": {"test_equal_data_loaded_in_other_orders_gives_byte_identical_dumps"},
    "test_fidelity.py": {
        "test_a_changed_value_is_a_violation_with_its_words_and_line",
        "test_a_dropped_figure_leaves_its_numeral_uncovered",
        "test_a_figure_without_its_quote_is_a_violation",
        "test_a_qualifier_the_words_do_not_give_is_a_violation",
        "test_a_scale_slip_is_a_violation",
        "test_a_shifted_offset_is_a_violation",
        "test_a_value_stated_in_words_is_read",
        "test_an_edited_prefix_is_a_violation",
        "test_an_edited_text_is_a_violation",
        "test_an_exact_qualifier_on_qualified_words_is_a_violation",
        "test_an_interpretation_explains_only_the_reading_it_gives",
    },
    "test_generate.py": {"test_it_passes_validation"},
    "test_quality.py": {
        "test_a_load_without_validation_publishes_no_proof",
        "test_a_second_load_of_equal_data_publishes_equal_proof_but_its_own_times",
    },
    "test_sandbox.py": {
        "test_a_worker_that_cannot_be_isolated_does_not_serve",
        "test_both_layers_leave_no_way_out",
        "test_serve_refuses_to_start_where_workers_cannot_be_isolated",
        "test_the_filter_alone_leaves_no_way_out",
        "test_without_the_filter_the_probe_would_get_out",
    },
    # The breakages share one validation of the data with all of them (5 s).
    "test_shapes.py": {
        "test_breakage_is_rejected_with_its_message",
        "test_bundled_data_conforms",
        "test_every_named_shape_has_a_breakage",
    },
    "test_style.py": {"test_tool_is_clean[mypy]"},
    "faults/test_damaged_stores.py": {
        "test_a_damaged_store_is_reported_in_one_sentence_and_left_as_it_is",
        "test_serve_reports_a_damaged_description_in_one_sentence",
        "test_serve_says_in_one_sentence_when_it_cannot_create_a_missing_store",
    },
    "faults/test_read_only.py": {
        "test_a_load_into_a_store_that_may_only_be_read_fails_in_one_sentence",
        "test_a_server_serves_a_store_it_may_only_read",
    },
    "remote/test_cli.py": {
        "test_load_query_and_dump_a_fresh_service",
        "test_serve_does_not_load_a_service_itself",
    },
    "remote/test_new_load.py": {"test_a_new_load_is_followed_and_never_served_from_the_cache"},
    "remote/test_quality.py": {"test_a_load_into_a_service_describes_its_validation"},
    "remote/test_serve.py": {
        "test_a_query_over_the_time_limit_is_stopped",
        "test_a_service_that_stops_answering_is_a_503_that_names_nothing",
    },
    "remote/test_store.py": {
        "test_a_larger_graph_is_streamed_in_and_out",
        "test_a_new_load_removes_the_graphs_the_last_one_had",
    },
    "sparql_grammar/test_oracle.py": {"test_generated_disguises_never_get_past"},
    "web/test_http_limits.py": {
        "test_a_body_sent_slowly_is_cut_off",
        "test_a_client_that_takes_none_of_its_answer_is_dropped",
        "test_a_connection_that_sends_nothing_is_closed",
        "test_a_header_sent_slowly_is_cut_off",
        "test_a_slow_answer_is_never_the_clients_fault",
    },
    "web/test_live_server.py": {
        "test_a_full_queue_answers_503_with_retry_after",
        "test_a_killed_worker_is_replaced_and_its_query_answered_503",
        "test_a_runaway_query_is_stopped_while_simple_queries_still_answer",
        "test_a_timeout_while_streaming_to_a_slow_client_aborts_the_response",
        "test_reading_1_mib_queries_does_not_hold_up_other_requests",
        "test_serve_builds_the_store_first_when_there_is_none",
    },
    "web/test_pool_scheduling.py": {
        "test_clients_with_a_query_running_leave_the_last_worker_to_a_client_with_none"
    },
    "web/test_resources.py": {
        "test_every_class_dereferences_to_rdf_containing_its_triples",
        "test_every_iri_minted_under_the_base_resolves",
    },
    "web/test_what_happens_when.py": {"test_a_full_queue", "test_a_runaway_query"},
}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = ROOT / "tests"
    for item in items:
        if not item.path.is_relative_to(tests):
            continue
        module = item.path.relative_to(tests).as_posix()
        for path, names in PATH_MARKERS.items():
            if module == path or module.startswith(f"{path}/"):
                for name in names:
                    item.add_marker(name)
        listed = SLOW_TESTS.get(module, set())
        if listed:
            _check_listed(module, listed, getattr(item, "module", None))
        if item.name in listed or getattr(item, "originalname", None) in listed:
            item.add_marker("slow")
        if any(item.get_closest_marker(name) for name in SLOW_WITH):
            item.add_marker("slow")


def _check_listed(module: str, listed: set[str], namespace: object) -> None:
    """A test renamed or removed must leave SLOW_TESTS too."""
    missing = sorted(name for name in listed if not hasattr(namespace, name.split("[")[0]))
    if namespace is not None and missing:
        raise pytest.UsageError(f"SLOW_TESTS lists tests {module} does not have: {missing}")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load(root=ROOT)


@pytest.fixture(scope="session")
def shapes(settings: Settings) -> rdflib.Graph:
    return load_shapes(settings.shapes_dir)


@pytest.fixture(scope="session")
def bundled(settings: Settings) -> AssembledDataset:
    """The bundled ontology and data, parsed once. Do not modify: use `fresh_dataset`."""
    return assemble_dataset(settings.ontology_dir, [settings.data_dir])


@pytest.fixture(scope="session")
def bundled_report(bundled: AssembledDataset, shapes: rdflib.Graph) -> ValidationReport:
    return validate(bundled, shapes, root=ROOT)


@pytest.fixture
def fresh_dataset(settings: Settings) -> AssembledDataset:
    """A private copy of the bundled dataset that a test may change."""
    return assemble_dataset(settings.ontology_dir, [settings.data_dir])


@pytest.fixture
def checkout_copy(tmp_path: Path) -> Path:
    """A copy of the checkout's ontology, shapes and data that a test may break."""
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="session")
def built_store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> StoreVersion:
    """The bundled data validated and loaded once into a real on-disk store. Do not modify."""
    location = StoreLocation(tmp_path_factory.mktemp("store"))
    return build_store(settings, location, progress=lambda _: None)


@pytest.fixture(scope="session")
def store_dir(built_store: StoreVersion) -> Path:
    return built_store.path.parent


@pytest.fixture(scope="session")
def client(store_dir: Path) -> Iterator[TestClient]:
    """The app in-process (lifespan run: real worker processes on the real store)."""
    app = create_app(EndpointSettings(store=store_dir, workers=2, timeout=10, max_rows=5000))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(store_dir: Path) -> Iterator[LiveServer]:
    """A real uvicorn server: 2 workers, 2 s timeout, small queue, 5,000 rows at most."""
    server = start_server(
        store_dir, "--workers", "2", "--timeout", "2", "--queue", "2", "--max-rows", "5000"
    )
    yield server
    stop_server(server)
