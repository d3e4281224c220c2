"""Result-bundle validation, pure Python (no Django) so it runs in a submitter's CI too.

    from submissions.bundles import validate_bundle
    with open("bundle.tar.gz", "rb") as bundle:  # or the archive's bytes
        report = validate_bundle(bundle, "bundle.tar.gz")
    report.valid, report.findings, report.runs

The format is docs/bundle-format.md; the rules come from catalogue.
"""

from .report import BundleReport, Finding, Limits, RunReport, Severity
from .validate import validate_bundle

__all__ = ["BundleReport", "Finding", "Limits", "RunReport", "Severity", "validate_bundle"]
