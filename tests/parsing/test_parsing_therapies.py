import pytest
from foreign_answers import answers_except
from parsing_expect import DK, NU


def tried(*therapies, relief=None, hedged=False):
    return ({"tried": list(therapies), "relief": relief}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lay words for each kind of treatment
        ("physio", tried("physiotherapy")),
        ("PT", tried("physiotherapy")),
        ("fysio", tried("physiotherapy")),
        ("physical therapy and PT exercises", tried("physiotherapy", "exercise")),
        ("meds", tried("medication")),
        ("painkillers", tried("medication")),
        ("pain killlers", tried("medication")),
        ("painkilers", tried("medication")),
        ("ibuprofen, paracetamol and tramadol", tried("medication")),
        ("naproxen", tried("medication")),
        ("co codamol daily, still in agony", tried("medication")),
        ("co-dydramol", tried("medication")),
        ("tylenol", tried("medication")),
        ("gabapentin and pregabalin", tried("medication")),
        ("pregabalin, duloxetine and a pain clinic", tried("medication", "other")),
        ("an epidural and a nerve block", tried("injections")),
        ("facet injection", tried("injections")),
        ("steroid shot", tried("injections")),
        ("radiofrequency ablation", tried("other")),
        ("RFA", tried("other")),
        ("chiro", tried("chiropractic")),
        ("I saw an osteopath", tried("chiropractic")),
        ("pilates, yoga and swimming", tried("exercise")),
        ("massage and acupuncture", tried("massage", "acupuncture")),
        ("TENS and heat", tried("other")),
        # relief that did not last
        (
            "physio gives me a few good days, then it's back",
            tried("physiotherapy", relief="temporary"),
        ),
        ("painkillers helped for a bit", tried("medication", relief="temporary")),
        ("ibuprofen helped for a while", tried("medication", relief="temporary")),
        ("ibuprofen helps for a few hours", tried("medication", relief="temporary")),
        ("massages help for a day or two", tried("massage", relief="temporary")),
        ("the injection only for a few weeks", tried("injections", relief="temporary")),
        ("the epidural worked for about 6 weeks", tried("injections", relief="temporary")),
        ("epidural, but it wore off", tried("injections", relief="temporary")),
        ("nerve block in march, pain back within a month", tried("injections", relief="temporary")),
        (
            "steroid injections x3, each one lasted a few weeks",
            tried("injections", relief="temporary"),
        ),
        (
            "I had the RF ablation, pain came back after 6 months",
            tried("other", relief="temporary"),
        ),
        (
            "physio fixed it for two years, now it's back",
            tried("physiotherapy", relief="temporary"),
        ),
        ("the painkillers work as long as I take them", tried("medication", relief="temporary")),
        (
            "diclofenac and muscle relaxants, only take the edge off",
            tried("medication", relief="temporary"),
        ),
        (
            "tried naproxen, it worked brilliantly until I had to stop because of my stomach",
            tried("medication", relief="temporary"),
        ),
        (
            "a chiropractor cracked my back and it felt great for a day",
            tried("chiropractic", relief="temporary"),
        ),
        # no relief
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
        ("I did physio for a while, it didn't help", tried("physiotherapy", relief="none")),
        ("paracetamol every day, still hurts", tried("medication", relief="none")),
        ("meds dont work", tried("medication", relief="none")),
        ("I do my exercises every day and it never really goes", tried("exercise", relief="none")),
        ("a TENS machine and heat pads, no real difference", tried("other", relief="none")),
        (
            "fyzioterapie a prasky, nepomohlo to",
            tried("physiotherapy", "medication", relief="none"),
        ),
        (
            "I'm 48 and nothing has worked, physio, pills, the lot",
            tried("physiotherapy", "medication", relief="none"),
        ),
        # decision: an opening "suppose so" hedges the answer
        (
            "suppose so, the physio was pretty useless",
            tried("physiotherapy", relief="none", hedged=True),
        ),
        # relief with no treatment named: something was tried
        ("nothing worked", tried("other", relief="none")),
        ("I've tried everything, nothing works", tried("other", relief="none")),
        ("loads of stuff, nothing worked", tried("other", relief="none")),
        ("nothing has helped for good", tried("other", relief="none")),
        ("none of it made it go away for good", tried("other", relief="none")),
        # lasting relief
        ("the injection fixed it", tried("injections", relief="lasting")),
        ("chiro, helped a lot and the pain is gone", tried("chiropractic", relief="lasting")),
        ("physio sorted it out, no pain for a year now", tried("physiotherapy", relief="lasting")),
        ("the epidural worked, no pain since", tried("injections", relief="lasting")),
        ("yoga fixed it, I've been fine for a year", tried("exercise", relief="lasting")),
        ("the nerve block took it away permanently", tried("injections", relief="lasting")),
        (
            "I think the physio fixed it mostly",
            tried("physiotherapy", relief="lasting", hedged=True),
        ),
        # relief not described
        ("physio helped", tried("physiotherapy")),
        ("physio never fixed it", tried("physiotherapy")),
        ("no injections, just physio", tried("physiotherapy")),
        ("I haven't had injections but I take tablets", tried("medication")),
        ("never seen a physio but I take co-codamol daily", tried("medication")),
        ("I think I had some massage", tried("massage", hedged=True)),
        # nothing tried
        ("nothing", tried()),
        ("nothing yet", tried()),
        ("haven't tried anything", tried()),
        ("I haven't tried anything", tried()),
        ("I haven't seen anyone about it yet", tried()),
        ("nothing, waiting for a physio appointment", tried()),
        # a treatment only planned, said alone: nothing tried yet ("again": tried before)
        ("I'm going to start physio next month", tried()),
        ("I'm on a waiting list for physio", tried()),
        ("I'm going to start physio again next month", NU),
        ("none, I just live with it", tried()),
        ("not really anything", tried()),
        ("zilch", tried()),
        ("non of thoes", tried()),
        ("no", tried()),
        ("no injections or physio", tried()),
        ("not physio, not injections, nothing like that", tried()),
        # not an answer
        ("can't remember", DK),
        ("what's a chiropractor?", NU),
        ("yes", NU),
        ("banana", NU),
        ("physio cured it but it came back", tried("physiotherapy", relief="temporary")),
        ("loads, none worked", tried("other", relief="none")),
        ("nothing has made it go away", tried("other", relief="none")),
    ],
)
def test_therapies(read, text, expected):
    assert read("therapies", text) == expected


@pytest.mark.parametrize(("question", "text"), answers_except("conservative_care"))
def test_an_answer_to_another_question_is_not_a_therapy(read, question, text):
    assert read("therapies", text) == NU


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "- no result" denies the relief, not the treatments before it
        (
            "rehabilitation, pills, one injection - no result",
            tried("medication", "injections", "other", relief="none"),
        ),
        ("physio, pills - no help", tried("physiotherapy", "medication", relief="none")),
        (
            "NSAIDs, gabapentin, PT, one ESI - no sustained benefit",
            tried("physiotherapy", "medication", "injections", relief="none"),
        ),
        ("physio: no result", tried("physiotherapy", relief="none")),
        # learner English and slang
        (
            "i was taking pills and making massage, it not help",
            tried("medication", "massage", relief="none"),
        ),
        (
            "i was on rehabilitation and take pills, it is not helping",
            tried("medication", "other", relief="none"),
        ),
        ("ibuprofen n physio didnt do nothin", tried("physiotherapy", "medication", relief="none")),
        ("pills + physio = nothing", tried("physiotherapy", "medication", relief="none")),
        ("physio 3x, meds, nothing", tried("physiotherapy", "medication", relief="none")),
        (
            "Krankengymnastik and tablets, nothing helps for long",
            tried("physiotherapy", "medication", relief="none"),
        ),
        # relief that never came, or never lasted
        (
            "PT, NSAIDs, facet injections. Failed.",
            tried("physiotherapy", "medication", "injections", relief="none"),
        ),
        (
            "physio and pain medication, it never went away",
            tried("physiotherapy", "medication", relief="none"),
        ),
        ("painkillers, not much help", tried("medication", relief="none")),
        (
            "physio and painkillers, it helps a bit but the pain stays",
            tried("physiotherapy", "medication", relief="none"),
        ),
        (
            "physio and ibuprofen, it keeps coming back",
            tried("physiotherapy", "medication", relief="temporary"),
        ),
        (
            "physio, pills, injections, nothing lasting",
            tried("physiotherapy", "medication", "injections", relief="temporary"),
        ),
        # relief that lasted
        (
            "I did a course of physio and it cleared the pain up completely, it hasn't come back",
            tried("physiotherapy", relief="lasting"),
        ),
        ("physio cleared it up but it came back", tried("physiotherapy", relief="temporary")),
        ("I didn't try anything yet because I only just got referred", tried()),
    ],
)
def test_therapies_in_learner_slang_and_clinical_words(read, text, expected):
    assert read("therapies", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "My GP prescribed co-codamol and physiotherapy. Regrettably, neither afforded "
            "lasting relief.",
            tried("physiotherapy", "medication", relief="none"),
        ),
        (
            "I have been attending hydrotherapy and taking paracetamol, to no avail.",
            tried("medication", "other", relief="none"),
        ),
        (
            "I underwent a series of facet joint injections, with only transient benefit.",
            tried("injections", relief="temporary"),
        ),
        (
            "a brief course of physio, it fixed it for good",
            tried("physiotherapy", relief="lasting"),
        ),
        ("nothin tbh", tried()),
        ("I take tablets against pain, it is not better", tried("medication", relief="none")),
        ("physio helped a bit ngl but its back now", tried("physiotherapy", relief="temporary")),
    ],
)
def test_therapies_formal_slang_and_learner_relief(read, text, expected):
    assert read("therapies", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relief over a span that is past has ended
        ("physio helped, i was pain free for a year", tried("physiotherapy", relief="temporary")),
        (
            "physio helped, i was pain free for a year but then it came back",
            tried("physiotherapy", relief="temporary"),
        ),
        ("physio fixed it for a year", tried("physiotherapy", relief="temporary")),
        ("i was pain free for a year after physio", tried("physiotherapy", relief="temporary")),
        (
            "the injection worked, i had no pain for a whole year",
            tried("injections", relief="temporary"),
        ),
        # ... but not relief that still holds
        ("physio fixed it, no pain for a year now", tried("physiotherapy", relief="lasting")),
        (
            "ive been pain free for a year now thanks to physio",
            tried("physiotherapy", relief="lasting"),
        ),
        ("physio sorted it, pain free for 18 months", tried("physiotherapy", relief="lasting")),
        # dialect double negative
        (
            "tried physio and pills and that, none of it didnt do nothing",
            tried("physiotherapy", "medication", relief="none"),
        ),
    ],
)
def test_therapies_relief_that_ended(read, text, expected):
    assert read("therapies", text) == expected
