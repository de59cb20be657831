import pytest
from parsing_expect import DK, NU


def tried(*therapies, relief=None, hedged=False):
    return ({"tried": list(therapies), "relief": relief}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("physio", tried("physiotherapy")),
        ("physical therapy and PT exercises", tried("physiotherapy", "exercise")),
        ("pain killlers", tried("medication")),
        ("painkilers", tried("medication")),
        ("ibuprofen, paracetamol and tramadol", tried("medication")),
        ("an epidural and a nerve block", tried("injections")),
        ("steroid shot", tried("injections")),
        ("chiro", tried("chiropractic")),
        ("I saw an osteopath", tried("chiropractic")),
        ("pilates, yoga and swimming", tried("exercise")),
        ("massage and acupuncture", tried("massage", "acupuncture")),
        ("TENS and heat", tried("other")),
        (
            "physio and pain killers, didn't help",
            tried("physiotherapy", "medication", relief="none"),
        ),
        ("I tried physio, nothing worked", tried("physiotherapy", relief="none")),
        ("no relief from painkillers", tried("medication", relief="none")),
        ("injections made no difference", tried("injections", relief="none")),
        (
            "physio didn't help and neither did injections",
            tried("physiotherapy", "injections", relief="none"),
        ),
        ("ibuprofen helped for a while", tried("medication", relief="temporary")),
        ("the injection only for a few weeks", tried("injections", relief="temporary")),
        ("epidural, but it wore off", tried("injections", relief="temporary")),
        ("I did physio for a while, it didn't help", tried("physiotherapy", relief="none")),
        ("the injection fixed it", tried("injections", relief="lasting")),
        ("chiro, helped a lot and the pain is gone", tried("chiropractic", relief="lasting")),
        ("physio never fixed it", tried("physiotherapy")),
        ("no injections, just physio", tried("physiotherapy")),
        ("I haven't had injections but I take tablets", tried("medication")),
        ("I think I had some massage", tried("massage", hedged=True)),
        ("nothing", tried()),
        ("I haven't tried anything", tried()),
        ("non of thoes", tried()),
        ("no", tried()),
        ("no injections or physio", tried()),
        ("nothing worked", NU),
        ("can't remember", DK),
        ("banana", NU),
    ],
)
def test_therapies(read, text, expected):
    assert read("therapies", text) == expected
