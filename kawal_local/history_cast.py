"""Who and what the seeded history is made of: reports a day, each squad's pace and
members (one slow on purpose: the regent's question), where reports come from, the
words citizens write, and the places where one problem keeps coming back."""

PER_DAY = 32
# a squad's pace: its median first response as a share of the label's SLA target
PACE = {"white": 0.25, "blue": 0.4, "pink": 0.5, "yellow": 0.65, "orange": 0.8, "red": 0.95}
MEMBERS = {
    "white": ["tim-white", "white-dr-ani"],
    "blue": ["tim-blue", "blue-agus"],
    "pink": ["tim-pink", "pink-rina"],
    "yellow": ["tim-yellow", "yellow-slamet"],
    "orange": ["tim-orange", "orange-budi", "orange-joko"],
    "red": ["tim-red", "red-wati"],
}
SLOW_MEMBER = {"orange-joko": 2.4, "red-wati": 1.5}  # the regent's question: who is slow?
# where people are (weights ~ population), and how often each squad's labels come up
DISTRICT_WEIGHT = {
    "trenggalek": 8, "pogalan": 6, "durenan": 6, "karangan": 5, "tugu": 5, "gandusari": 5,
    "watulimo": 5, "panggul": 5, "kampak": 3, "munjungan": 3, "suruh": 2, "pule": 3,
    "dongko": 4, "bendungan": 2,
}  # fmt: skip
SQUAD_WEIGHT = {
    "orange": 30,
    "yellow": 20,
    "blue": 14,
    "white": 12,
    "pink": 9,
    "red": 11,
    "shadow": 4,
}
WORDS = [
    "Mohon segera ditindaklanjuti.",
    "Sudah beberapa hari seperti ini.",
    "Warga sekitar resah.",
    "Dekat sekolah, banyak anak lewat.",
    "Sudah pernah dilaporkan ke desa.",
    "",
]
# "masalah berulang": the same problem at the same spot, reported again every few weeks
# after each fix (label, kecamatan, offset from its centre in degrees, days apart)
RECURRING = (
    ("saluran_tersumbat", "trenggalek", 0.004, -0.003, 19),  # a drain that floods each rain
    ("jalan_rusak", "pogalan", -0.006, 0.005, 23),  # a road patched again and again
    ("banjir", "durenan", 0.002, 0.007, 27),
)
