"""scripts/bench names the processor it ran on (tests/support/bench.py's processor)."""

from __future__ import annotations

from tests.support.bench import processor

EPYC = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 26
model\t\t: 2
model name\t: AMD EPYC
stepping\t: 1

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: Another processor
"""


def test_names_the_first_processor_with_its_family_and_model(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(EPYC)
    assert processor(cpuinfo) == "AMD EPYC (cpu family 26, model 2)"


def test_a_model_name_alone_is_given_as_it_is(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\n")
    assert processor(cpuinfo) == "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"


def test_unknown_without_a_model_name_or_without_the_file(tmp_path):
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n")
    assert processor(arm) == "unknown"
    assert processor(tmp_path / "missing") == "unknown"
