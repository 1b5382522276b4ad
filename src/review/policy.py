"""The policy's clauses, P1 to P7: their ids, short titles and the policy's own words.

The ids are stable: the metric registry, the recommendation rules, the report's policy matrix
and its sections all use them. The words are from the Force's 2016 policy (shared/policy/).
"""

CLAUSES: dict[str, tuple[str, str]] = {
    "P1": (
        "Reach and engagement",
        "We will communicate and engage with the general public and the communities we serve, via "
        "a range of social media, including message boards, blogs and social media networks.",
    ),
    "P2": (
        "Critical incidents",
        "Social media is a key tool for communicating, for critical incident management and "
        "operational planning.",
    ),
    "P3": (
        "Availability and response",
        "At all times we will maximise the availability of online processes through which the "
        "public can engage with the Force.",
    ),
    "P4": (
        "Quality and plain English",
        "Quality control, consistency and corporacy, and the use of simple, jargon-free language "
        "which is easily understood and relevant to the audience.",
    ),
    "P5": (
        "Conduct and governance",
        "Officers and staff must consider their use of social media in a work related or a "
        "personal capacity. It must not cause any reputational risk to the Force, or any risk to "
        "organisational activities or operations.",
    ),
    "P6": (
        "Review and recommendations",
        "The E-Communications Team will regularly review the Force's approach to social networking "
        "and make recommendations to the Executive Board, via the Director of Strategic Corporate "
        "Communications, every year.",
    ),
    "P7": (
        "Equality and accessibility",
        "This instruction is designed to avoid discrimination and is in line with the Human Rights "
        "Act 1998 and its principles.",
    ),
}


def title(clause: str) -> str:
    return CLAUSES[clause][0]
